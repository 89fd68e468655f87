import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';
import { describeStore, startBanner } from './start-banner';

describe('start banner', () => {
  it('names the address, the store and the data directory, never a password', () => {
    expect(describeStore('mysql://parley:hunter2@db.internal/chat')).toBe(
      'MySQL database chat at db.internal:3306',
    );
    const config = parseEnv({ DATA_DIR: '/srv/parley' });
    const text = startBanner(config, 'http://localhost:8080', 0);
    expect(text).toContain('Parley is running at http://localhost:8080');
    expect(text).toContain('the embedded SQLite file /srv/parley/parley.db');
    expect(text).toContain('lives in /srv/parley');
    expect(text).toContain('the first account is the admin');
    expect(startBanner(config, 'http://localhost:8080', 3)).not.toContain('first account');
  });
});
