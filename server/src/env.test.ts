import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env';

describe('parseEnv', () => {
  it('has defaults that serve the embedded store on :8080', () => {
    const config = parseEnv({});
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: './data/parley.db',
      tls: null,
      cookieSecure: false,
      hsts: false,
      sessionTtlSeconds: 30 * 24 * 3600,
      login: { maxAttempts: 10, windowMs: 15 * 60 * 1000 },
      scrypt: { logN: 15 },
      admins: [],
      publicOrigins: [],
    });
  });

  it('parses lists, numbers and TLS', () => {
    const config = parseEnv({
      PORT: '0',
      PARLEY_ADMINS: 'Alice, bob ,',
      PUBLIC_ORIGIN: 'https://chat.example.org/, http://localhost:5173',
      TLS_CERT: 'cert.pem',
      TLS_KEY: 'key.pem',
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/parley',
    });
    expect(config.port).toBe(0);
    expect(config.admins).toEqual(['alice', 'bob']);
    expect(config.publicOrigins).toEqual(['https://chat.example.org', 'http://localhost:5173']);
    expect(config.tls).toEqual({ certFile: 'cert.pem', keyFile: 'key.pem' });
    expect(config.cookieSecure).toBe(true);
    expect(config.hsts).toBe(true);
    expect(config.databaseUrl).toBe('mysql://root@127.0.0.1:3306/parley');
  });

  it('fails fast, naming every bad variable', () => {
    try {
      parseEnv({ PORT: 'eighty', LOGIN_MAX_ATTEMPTS: '0', PUBLIC_ORIGIN: 'ftp://x', SERVER_SECRET: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'LOGIN_MAX_ATTEMPTS', 'PUBLIC_ORIGIN', 'SERVER_SECRET']) {
        expect(problems).toContain(name);
      }
    }
  });

  it('keeps the frame budget at least twice the send limit unless set', () => {
    expect(parseEnv({}).realtime.frameRate).toEqual({ ratePerSec: 50, burst: 200 });
    expect(parseEnv({ SEND_RATE_PER_SEC: '1000', SEND_BURST: '5000' }).realtime.frameRate).toEqual({
      ratePerSec: 2000,
      burst: 10_000,
    });
    expect(
      parseEnv({ SEND_RATE_PER_SEC: '1000', WS_FRAME_RATE_PER_SEC: '5', WS_FRAME_BURST: '9' }).realtime
        .frameRate,
    ).toEqual({ ratePerSec: 5, burst: 9 });
  });

  it('reads REGISTRATION, open by default, and refuses another mode', () => {
    expect(parseEnv({}).registration).toBe('open');
    expect(parseEnv({ REGISTRATION: 'closed' }).registration).toBe('closed');
    expect(() => parseEnv({ REGISTRATION: 'invite-only' })).toThrow(/REGISTRATION/);
  });

  it('refuses half a TLS pair', () => {
    expect(() => parseEnv({ TLS_CERT: 'cert.pem' })).toThrow(ConfigError);
  });

  it('reads secrets from *_FILE variables, checked like the variables themselves', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-env-'));
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    const config = parseEnv({
      SERVER_SECRET_FILE: file('secret', `${'s'.repeat(40)}\n`),
      METRICS_TOKEN_FILE: file('metrics', 'metrics-token-from-a-file'),
      DATABASE_URL: 'mysql://parley@db.internal:3306/parley',
      DATABASE_PASSWORD_FILE: file('dbpass', 'p@ss:w/rd\n'),
    });
    expect(config.serverSecret).toBe('s'.repeat(40));
    expect(config.metricsToken).toBe('metrics-token-from-a-file');
    expect(config.databaseUrl).toBe('mysql://parley:p%40ss%3Aw%2Frd@db.internal:3306/parley');

    const problems = (env: Record<string, string>) => {
      try {
        parseEnv(env);
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
      return '';
    };
    expect(problems({ SERVER_SECRET_FILE: file('short', 'short') })).toContain('SERVER_SECRET');
    expect(problems({ SERVER_SECRET_FILE: join(dir, 'missing') })).toContain(
      'SERVER_SECRET_FILE: cannot read',
    );
    expect(
      problems({ SERVER_SECRET: 'x'.repeat(32), SERVER_SECRET_FILE: file('both', 'y'.repeat(32)) }),
    ).toContain('set one of them');
    expect(problems({ DATABASE_PASSWORD: 'pw' })).toContain('only a mysql:// DATABASE_URL');
    expect(problems({ METRICS_TOKEN: 'short' })).toContain('METRICS_TOKEN');
  });
});
