// The admin CLI's two ways to refuse, each with its exit code: bad input (2, with a hint to run
// help) and a refusal of a well-formed request (1: no such user, SERVER_SECRET set by env, ...).
export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

/** The command line itself is wrong: unknown command or option, a missing or malformed value. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose usage to point at, if known. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A well-formed request the CLI will not carry out, and why. */
export class Refusal extends Error {
  override readonly name = 'Refusal';
}
