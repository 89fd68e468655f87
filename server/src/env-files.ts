// Secrets from files, as container platforms hand them over (Docker and Kubernetes secrets):
// `NAME_FILE=/run/secrets/x` stands for `NAME=<the file's content>`. Read before the environment
// is parsed, so that a value from a file is checked exactly like one set directly.
import { readFileSync } from 'node:fs';

/** Variables that may come from a file. */
export const FILE_VARIABLES = [
  'SERVER_SECRET',
  'DATABASE_URL',
  'DATABASE_PASSWORD',
  'REDIS_URL',
  'METRICS_TOKEN',
] as const;

/**
 * The environment with every `NAME_FILE` replaced by `NAME`. Problems (both set, unreadable or
 * empty file) are returned, naming the variable and never the content.
 */
export function resolveFileVariables(env: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  problems: string[];
} {
  const out = { ...env };
  const problems: string[] = [];
  for (const name of FILE_VARIABLES) {
    const path = env[`${name}_FILE`]?.trim();
    delete out[`${name}_FILE`];
    if (!path) continue;
    if (env[name]?.trim()) {
      problems.push(`${name}_FILE: ${name} is set too; set one of them`);
      continue;
    }
    try {
      // One trailing newline is how `echo` and most editors end a file; it is not part of a secret.
      const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      if (value.trim() === '') problems.push(`${name}_FILE: ${path} is empty`);
      else out[name] = value;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${name}_FILE: cannot read ${path} (${code})`);
    }
  }
  return { env: out, problems };
}

/** `mysql://user@host/db` with DATABASE_PASSWORD put in; a URL that has a password keeps it only if none is given. */
export function withDatabasePassword(url: string, password: string | undefined): string {
  if (password === undefined) return url;
  if (!/^mysql:\/\//i.test(url))
    throw new Error('DATABASE_PASSWORD: only a mysql:// DATABASE_URL takes a password');
  const parsed = new URL(url);
  if (parsed.password !== '')
    throw new Error('DATABASE_PASSWORD: DATABASE_URL already holds a password; set one of them');
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
