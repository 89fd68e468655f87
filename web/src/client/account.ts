// Accounts (DESIGN §3 "Account keys from the password"): the password never leaves this module;
// the relay gets authKey and a key blob only it cannot open. Login unwraps the keys locally and
// checks that the bundle the relay returns is the one those keys make.
import {
  type AccountKeys,
  bundleFromWire,
  bundleToWire,
  constantTimeEqual,
  deriveAccountKeys,
  deriveRecoveryKeys,
  formatRecoveryCode,
  fromBase64,
  generateIdentity,
  generateRecoveryKey,
  type IdentityKeys,
  INTERACTIVE_KDF_PARAMS,
  type KdfParams,
  makeBundle,
  newSalt,
  type PublicBundle,
  parseRecoveryCode,
  ready,
  sealPins,
  toBase64,
  unwrapKeys,
  wipe,
  wrapKeys,
} from '@parley/crypto-core';
import type { Me } from '@parley/server/protocol';
import type { Api, SessionAnswer } from './api';
import { TrustError } from './errors';

/** An unlocked account: who we are and the private keys, held in memory only. */
export interface Session {
  user: Me;
  identity: IdentityKeys;
  bundle: PublicBundle;
}

/** Argon2id derivation; the web app passes a Web Worker version so the page keeps painting. */
export type DeriveFn = (password: string, salt: Uint8Array, params: KdfParams) => Promise<AccountKeys>;

export type AccountStep = 'derive' | 'relay' | 'unlock' | 'done';
export type ProgressFn = (step: AccountStep) => void;

export interface AccountDeps {
  api: Api;
  derive?: DeriveFn;
  onProgress?: ProgressFn;
  /** This browser's memory of each account's salt and KDF parameters (see checkKdf). */
  kdfMemory?: KdfMemory;
  /** Asked before deriving when the relay's salt or parameters changed; false stops the login. */
  confirmKdfChange?: (change: KdfChange) => Promise<boolean>;
}

/** The salt and parameters an account last used in this browser. */
export interface KdfRecord {
  salt: string;
  kdf: KdfParams;
}

export interface KdfMemory {
  get(username: string): KdfRecord | null | Promise<KdfRecord | null>;
  set(username: string, record: KdfRecord): void | Promise<void>;
}

/**
 * The relay offered weaker parameters, or another salt, than this browser last used for the
 * account without a password change made here. A relay that did so could be collecting an
 * authKey that is cheaper to guess the password from, or one derived for another purpose.
 */
export interface KdfChange {
  username: string;
  weaker: boolean;
  saltChanged: boolean;
  previous: KdfRecord;
  offered: KdfRecord;
}

/**
 * Starts loading libsodium now, for a page that shows a form first: the form paints while the
 * WebAssembly arrives, and every account call below awaits that same load. A failure here is
 * dropped on purpose: the next `ready()` retries and reports it.
 */
export function preloadCrypto(): void {
  ready().catch(() => {});
}

export const deriveInline: DeriveFn = async (password, salt, params) =>
  deriveAccountKeys(password, salt, params);

export interface RegisterInput {
  username: string;
  password: string;
  displayName?: string;
  /** Also create a recovery key; its code is returned once and never stored. */
  withRecovery?: boolean;
  /** The code of an invite link (REGISTRATION=invite or closed). */
  invite?: string;
}

export async function register(
  deps: AccountDeps,
  input: RegisterInput,
): Promise<{ session: Session; recoveryCode: string | null }> {
  await ready();
  const step = deps.onProgress ?? (() => {});
  const salt = newSalt();
  const kdf = INTERACTIVE_KDF_PARAMS;
  step('derive');
  const keys = await (deps.derive ?? deriveInline)(input.password, salt, kdf);
  const identity = generateIdentity();
  const bundle = makeBundle(identity);
  let recovery: { authKey: string; keyBlob: string } | undefined;
  let recoveryCode: string | null = null;
  if (input.withRecovery) {
    const made = makeRecovery(identity);
    recovery = made.wire;
    recoveryCode = made.code;
  }
  step('relay');
  try {
    const answer = await deps.api.register({
      username: input.username,
      ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      salt: toBase64(salt),
      kdf: { ...kdf },
      authKey: toBase64(keys.authKey),
      bundle: bundleToWire(bundle),
      keyBlob: toBase64(wrapKeys(keys.wrapKey, identity)),
      ...(recovery ? { recovery } : {}),
      ...(input.invite === undefined ? {} : { invite: input.invite }),
      // Every account starts with an empty pins blob, so that a missing one is withheld (§7.4).
      pins: toBase64(sealPins({ v: 1, version: 1, contacts: {} }, identity)),
    });
    step('unlock');
    const session = adoptSession(answer, identity);
    await deps.kdfMemory?.set(answer.user.username, { salt: toBase64(salt), kdf: { ...kdf } });
    step('done');
    return { session, recoveryCode };
  } finally {
    wipe(keys.authKey, keys.wrapKey);
  }
}

export async function login(
  deps: AccountDeps,
  input: { username: string; password: string },
): Promise<Session> {
  await ready();
  const step = deps.onProgress ?? (() => {});
  step('relay');
  const { salt, kdf } = await deps.api.kdf(input.username);
  await checkKdf(deps, input.username, { salt, kdf });
  step('derive');
  const keys = await (deps.derive ?? deriveInline)(input.password, fromBase64(salt), kdf);
  try {
    step('relay');
    const answer = await deps.api.login(input.username, toBase64(keys.authKey));
    step('unlock');
    const session = unlock(answer, keys.wrapKey);
    await deps.kdfMemory?.set(session.user.username, { salt, kdf });
    step('done');
    return session;
  } finally {
    wipe(keys.authKey, keys.wrapKey);
  }
}

/** Re-derives with a new salt and re-wraps the same keys; the relay ends every other session. */
export async function changePassword(
  deps: AccountDeps,
  session: Session,
  input: { oldPassword: string; newPassword: string },
): Promise<void> {
  await ready();
  const derive = deps.derive ?? deriveInline;
  const step = deps.onProgress ?? (() => {});
  step('relay');
  const current = await deps.api.kdf(session.user.username);
  step('derive');
  const old = await derive(input.oldPassword, fromBase64(current.salt), current.kdf);
  const salt = newSalt();
  const kdf = strongest(current.kdf);
  const next = await derive(input.newPassword, salt, kdf);
  try {
    step('relay');
    await deps.api.changePassword({
      oldAuthKey: toBase64(old.authKey),
      salt: toBase64(salt),
      kdf,
      authKey: toBase64(next.authKey),
      keyBlob: toBase64(wrapKeys(next.wrapKey, session.identity)),
    });
    await deps.kdfMemory?.set(session.user.username, { salt: toBase64(salt), kdf });
    step('done');
  } finally {
    wipe(old.authKey, old.wrapKey, next.authKey, next.wrapKey);
  }
}

/**
 * Compares the relay's salt and parameters with what this browser last used for the account
 * (DESIGN §3 step 1; issue "KDF parameters"): weaker ones, or a salt that changed without a
 * password change made here, are put to the user before anything is derived.
 */
export async function checkKdf(deps: AccountDeps, username: string, offered: KdfRecord): Promise<void> {
  const previous = await deps.kdfMemory?.get(username);
  if (!previous) return;
  const weaker = offered.kdf.opslimit < previous.kdf.opslimit || offered.kdf.memlimit < previous.kdf.memlimit;
  const saltChanged = offered.salt !== previous.salt;
  if (!weaker && !saltChanged) return;
  const change: KdfChange = { username, weaker, saltChanged, previous, offered };
  if (!(await deps.confirmKdfChange?.(change))) {
    throw new KdfChangeRefusedError(change);
  }
}

/** The user (or a client without a way to ask) refused a login whose KDF inputs changed. */
export class KdfChangeRefusedError extends Error {
  override readonly name = 'KdfChangeRefusedError';
  constructor(readonly change: KdfChange) {
    super(
      change.weaker
        ? 'login stopped: the server asked for weaker password hashing than this browser used before'
        : 'login stopped: the server changed your password salt, and no password change was made in this browser',
    );
  }
}

/** Creates (or replaces) the recovery key; returns its code, to be shown once. */
export async function setRecovery(api: Api, session: Session): Promise<string> {
  await ready();
  const made = makeRecovery(session.identity);
  await api.setRecovery(made.wire);
  return made.code;
}

/** Opens the recovery blob with the code, sets a new password and logs in. */
export async function recoverWithCode(
  deps: AccountDeps,
  input: { username: string; code: string; newPassword: string },
): Promise<Session> {
  await ready();
  const step = deps.onProgress ?? (() => {});
  const recoveryKey = parseRecoveryCode(input.code);
  const rk = deriveRecoveryKeys(recoveryKey);
  wipe(recoveryKey);
  try {
    step('relay');
    const fetched = await deps.api.recoveryFetch(input.username, toBase64(rk.authKey));
    step('unlock');
    const bundle = bundleFromWire(fetched.bundle);
    const identity = unwrapKeys(rk.wrapKey, fromBase64(fetched.keyBlob), bundle.identityKey);
    checkBundleMatches(bundle, identity);
    step('derive');
    const salt = newSalt();
    const kdf = INTERACTIVE_KDF_PARAMS;
    const next = await (deps.derive ?? deriveInline)(input.newPassword, salt, kdf);
    try {
      step('relay');
      const answer = await deps.api.recoveryReset({
        username: input.username,
        recoveryAuthKey: toBase64(rk.authKey),
        salt: toBase64(salt),
        kdf: { ...kdf },
        authKey: toBase64(next.authKey),
        keyBlob: toBase64(wrapKeys(next.wrapKey, identity)),
      });
      const session = adoptSession(answer, identity);
      await deps.kdfMemory?.set(session.user.username, { salt: toBase64(salt), kdf: { ...kdf } });
      step('done');
      return session;
    } finally {
      wipe(next.authKey, next.wrapKey);
    }
  } finally {
    wipe(rk.authKey, rk.wrapKey);
  }
}

/** Resumes with keys kept by the app (e.g. unwrapped from IndexedDB) and a live session cookie. */
export async function resume(api: Api, identity: IdentityKeys): Promise<Session> {
  await ready();
  const user = await api.me();
  const self = await api.user(user.id);
  return adoptSession({ user, bundle: self.bundle, keyBlob: '' }, identity);
}

// ---- helpers ----

function makeRecovery(identity: IdentityKeys): { code: string; wire: { authKey: string; keyBlob: string } } {
  const key = generateRecoveryKey();
  const rk = deriveRecoveryKeys(key);
  const code = formatRecoveryCode(key);
  const wire = { authKey: toBase64(rk.authKey), keyBlob: toBase64(wrapKeys(rk.wrapKey, identity)) };
  wipe(key, rk.authKey, rk.wrapKey);
  return { code, wire };
}

/** Unlocks the key blob of a login answer and checks the bundle against the unwrapped keys. */
function unlock(answer: SessionAnswer, wrapKey: Uint8Array): Session {
  const bundle = bundleFromWire(answer.bundle);
  const identity = unwrapKeys(wrapKey, fromBase64(answer.keyBlob), bundle.identityKey);
  checkBundleMatches(bundle, identity);
  return { user: answer.user, identity, bundle };
}

/** For answers about keys we already hold: the relay must echo our own bundle. */
function adoptSession(answer: SessionAnswer, identity: IdentityKeys): Session {
  const bundle = bundleFromWire(answer.bundle);
  checkBundleMatches(bundle, identity);
  return { user: answer.user, identity, bundle };
}

function checkBundleMatches(bundle: PublicBundle, identity: IdentityKeys): void {
  if (
    !constantTimeEqual(bundle.identityKey, identity.signPk) ||
    !constantTimeEqual(bundle.encKey, identity.boxPk)
  ) {
    throw new TrustError('session: the relay returned a bundle that does not match our keys');
  }
}

/** Never lowers the account's cost on a password change. */
function strongest(current: KdfParams): KdfParams {
  return {
    alg: 'argon2id13',
    opslimit: Math.max(current.opslimit, INTERACTIVE_KDF_PARAMS.opslimit),
    memlimit: Math.max(current.memlimit, INTERACTIVE_KDF_PARAMS.memlimit),
  };
}
