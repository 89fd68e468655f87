// Readiness (GET /readyz): whether this relay can do its work now. Each check has a short time
// limit, so that a database or Redis that stopped answering turns the relay unready within about a
// second instead of hanging the probe; the answer names each check and why it failed.
import { shippedMigration } from '../db/migrations';
import type { Store } from '../db/store';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when healthy; throws (or times out) otherwise. */
  check(): Promise<void>;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed: the error's first line, never a query or a secret. */
  error?: string;
}

/** Longest a single check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 1000;

/** The database answers and holds exactly the migrations this relay ships. */
export function databaseChecks(store: Store): ReadinessCheck[] {
  const shipped = shippedMigration(store.dialect);
  return [
    {
      name: 'database',
      async check() {
        const newest = await store.newestMigration();
        if (newest === null || newest < shipped) {
          throw new Error('migrations are not applied: run `npm run admin -- migrate` or restart the relay');
        }
        if (newest > shipped) throw new Error('the database holds migrations newer than this relay');
      },
    },
  ];
}

async function withinLimit(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { name: check.name, ok: true };
  } catch (err) {
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '').slice(0, 200) : 'failed';
    return { name: check.name, ok: false, error: message };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once; ready when all pass. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<{ ready: boolean; checks: CheckResult[] }> {
  const results = await Promise.all(checks.map((c) => withinLimit(c, timeoutMs)));
  return { ready: results.every((r) => r.ok), checks: results };
}
