// What the relay's logs say about failures (issue 13, fault 5), read from its real logger: a
// database error names its class and the driver's code without SQL text, values or install paths;
// an upload the client aborts is not an error; refused upgrades cannot flood the log. SQLite always
// runs; MySQL runs when MYSQL_URL is set and is required under CI=true.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import Database from 'libsql';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { type CapturedLogs, captureLogs, type LogLine } from '../src/capture-logs';
import { startSocketHarness, TestSocket } from '../src/ws/testing';

const MYSQL_URL = process.env.MYSQL_URL?.trim();
if (process.env.CI === 'true' && !MYSQL_URL) throw new Error('MYSQL_URL is required under CI=true');

/** A fresh database on the MySQL server, dropped after the run. */
const mysqlDatabases: string[] = [];
function freshMysqlUrl(base: string): string {
  const url = new URL(base);
  const name = `parley_logs_${randomBytes(4).toString('hex')}`;
  mysqlDatabases.push(name);
  url.pathname = `/${name}`;
  return url.href;
}
afterAll(async () => {
  if (!MYSQL_URL || mysqlDatabases.length === 0) return;
  const url = new URL(MYSQL_URL);
  url.pathname = '/';
  const conn = await mysql.createConnection({ uri: url.href });
  for (const name of mysqlDatabases) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await conn.end();
});

interface Backend {
  name: string;
  env: () => Record<string, string>;
  /** Runs DDL on the relay's database behind its back. */
  exec: (databaseUrl: string, sql: string) => Promise<void>;
  /** The driver's code for a unique violation. */
  uniqueCode: RegExp;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    env: () => ({}),
    exec: async (path, sql) => {
      const db = new Database(path);
      db.exec(sql);
      db.close();
    },
    uniqueCode: /^SQLITE_CONSTRAINT/,
  },
  ...(MYSQL_URL
    ? [
        {
          name: 'mysql',
          env: () => ({ DATABASE_URL: freshMysqlUrl(MYSQL_URL) }),
          exec: async (url: string, sql: string) => {
            const conn = await mysql.createConnection({ uri: url });
            await conn.query(sql);
            await conn.end();
          },
          uniqueCode: /^ER_DUP_ENTRY$/,
        },
      ]
    : []),
];

const errorsOf = (logs: CapturedLogs) => logs.lines().filter((l) => l.level >= 50);

describe.each(backends)('database errors in the log ($name)', (backend) => {
  it('names the class and the driver code, without SQL text, values or install paths', async () => {
    const logs = captureLogs();
    const h = await startSocketHarness(backend.env(), { logger: logs.logger });
    try {
      const alice = await h.register();
      const bob = await h.register();
      const secret = `Bob Private-${randomBytes(4).toString('hex')}`;
      const patch = (cookie: string, displayName: string) =>
        fetch(`${h.url}/api/me`, {
          method: 'PATCH',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ displayName }),
        });
      expect((await patch(bob.cookie, secret)).status).toBe(200);
      // A constraint the store does not know about: the driver's error reaches the error handler.
      await backend.exec(h.databaseUrl, 'CREATE UNIQUE INDEX display_name_taken ON users (display_name)');
      const res = await patch(alice.cookie, secret);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });

      const [line, ...more] = errorsOf(logs);
      expect(more).toEqual([]);
      const err = line?.err as Record<string, unknown>;
      expect(err.code).toMatch(backend.uniqueCode);
      expect(err.type).not.toMatch(/^(Object|Error)$/);
      expect(err.stack).toBeUndefined();
      const text = logs.text();
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/Failed query|params:|update [`"]?users|set [`"]?display_name/i);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toContain('node_modules');
    } finally {
      await h.close();
    }
  });
});

describe('client aborts and refusals in the log', () => {
  it('logs an upload the client aborts as one info line without a stack, never as an error', async () => {
    const logs = captureLogs();
    const h = await startSocketHarness({}, { logger: logs.logger });
    try {
      const alice = await h.register();
      const socket = connect(h.relay.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `PUT /api/me/avatar HTTP/1.1\r\nHost: 127.0.0.1:${h.relay.port}\r\nCookie: ${alice.cookie}\r\n` +
          'Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n\x89PNG\r\n\x1a\n01234567\r\n',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errorsOf(logs)).toEqual([]);
      const aborted = logs.lines().filter((l) => l.path === '/api/me/avatar' && l.msg !== 'request');
      expect(aborted).toHaveLength(1);
      expect(aborted[0]).toMatchObject({ level: 30, event: 'request-aborted' });
      expect(logs.text()).not.toContain('"stack"');
    } finally {
      await h.close();
    }
  });

  it('writes a bounded number of lines for many refused upgrades, then how many it suppressed', async () => {
    const logs = captureLogs();
    const h = await startSocketHarness({}, { logger: logs.logger });
    const refused = 60;
    try {
      for (let i = 0; i < refused; i++) {
        await expect(TestSocket.open(h.wsUrl)).rejects.toMatchObject({ status: 401 });
      }
    } finally {
      await h.close();
    }
    const lines = logs.lines().filter((l: LogLine) => l.event === 'ws-refused');
    expect(lines.length).toBeLessThanOrEqual(11);
    const suppressed = logs
      .lines()
      .filter((l) => l.event === 'log-suppressed' && String(l.of).startsWith('ws-refused'));
    expect(suppressed.map((l) => l.suppressed)).toEqual([refused - lines.length]);
  });
});
