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

  it('reads REGISTRATION, open by default, and refuses another mode', () => {
    expect(parseEnv({}).registration).toBe('open');
    expect(parseEnv({ REGISTRATION: 'closed' }).registration).toBe('closed');
    expect(() => parseEnv({ REGISTRATION: 'invite-only' })).toThrow(/REGISTRATION/);
  });

  it('refuses half a TLS pair', () => {
    expect(() => parseEnv({ TLS_CERT: 'cert.pem' })).toThrow(ConfigError);
  });
});
