import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { captureLogs } from './capture-logs';
import { safeError } from './log';

/** A driver error as mysql2 makes them: a code, an errno, the SQL and the values in the message. */
function mysqlDuplicate(): Error {
  return Object.assign(new Error("Duplicate entry 'alice@example.org' for key 'users.email'"), {
    code: 'ER_DUP_ENTRY',
    errno: 1062,
    sql: "insert into users (email) values ('alice@example.org')",
  });
}

describe('safeError', () => {
  it("reports a drizzle query error by the driver's class, code and first line, never the SQL", () => {
    const cause = mysqlDuplicate();
    const err = new DrizzleQueryError(
      'insert into `users` (`email`) values (?)',
      ['alice@example.org'],
      cause,
    );
    const safe = safeError(err);
    expect(safe).toMatchObject({ type: 'DrizzleQueryError', code: 'ER_DUP_ENTRY', errno: 1062 });
    expect(safe.message).toBe("Duplicate entry '…' for key '…'");
    expect(JSON.stringify(safe)).not.toMatch(/insert|alice|params|Failed query/);
    expect(safe).not.toHaveProperty('stack');
  });

  it('keeps where a relay bug happened, with paths relative to the install', () => {
    const err = new TypeError(`cannot read ${process.cwd()}/data/secret-file: no such thing`);
    const safe = safeError(err);
    expect(safe.type).toBe('TypeError');
    expect(safe.message).toBe('cannot read …/data/secret-file: no such thing');
    expect(safe.at?.[0]).toMatch(/server\/src\/log\.test\.ts:\d+/);
    expect(JSON.stringify(safe)).not.toContain(process.cwd());
  });

  it('masks double-quoted tokens and keeps only the first line', () => {
    const err = Object.assign(new Error('near "hunter2": syntax error\nselect * from users where pw = ?'), {
      code: 'SQLITE_ERROR',
    });
    expect(safeError(err)).toMatchObject({ code: 'SQLITE_ERROR', message: 'near "…": syntax error' });
  });

  it('says what was thrown when it is not an Error', () => {
    expect(safeError('boom')).toEqual({ type: 'string', message: 'non-error thrown' });
  });
});

describe('createLogger', () => {
  it('logs an error passed as err through safeError, keeping its class', () => {
    const logs = captureLogs();
    logs.logger.error({ err: new RangeError('out of range') }, 'failed');
    logs.logger.error({ err: safeError(new RangeError('again')) }, 'failed');
    const [first, second] = logs.lines();
    expect(first?.err).toMatchObject({ type: 'RangeError', message: 'out of range' });
    expect(second?.err).toMatchObject({ type: 'RangeError', message: 'again' });
  });
});
