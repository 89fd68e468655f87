import { INVITE_LINK_HASH } from '@parley/server/protocol';
import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './router';

describe('hash routes', () => {
  it('round-trips every route', () => {
    const routes = [
      { name: 'home' },
      { name: 'channel', channelId: 'dm-abc', panel: null },
      { name: 'channel', channelId: 'g-1', panel: 'members' },
      { name: 'verify', userId: '0b6f1a5e-1d1e-4c8e-9a3b-2f1f0e6a7b8c', channelId: 'dm-x' },
      { name: 'verify', userId: '0b6f1a5e-1d1e-4c8e-9a3b-2f1f0e6a7b8c', channelId: null },
      { name: 'profile' },
      { name: 'admin' },
      { name: 'login' },
      { name: 'register', invite: null },
      { name: 'register', invite: 'gPL2HM1S_1ITrZDChQFh8w' },
    ] as const;
    for (const r of routes) expect(parseRoute(routeHref(r))).toEqual(r);
  });

  it('reads the invite code of a link the admin CLI or panel made', () => {
    expect(parseRoute('#/register?invite=gPL2HM1S_1ITrZDChQFh8w')).toEqual({
      name: 'register',
      invite: 'gPL2HM1S_1ITrZDChQFh8w',
    });
    expect(parseRoute('#/register?invite=')).toEqual({ name: 'register', invite: null });
    expect(routeHref({ name: 'register', invite: 'gPL2HM1S_1ITrZDChQFh8w' })).toBe(
      `${INVITE_LINK_HASH}gPL2HM1S_1ITrZDChQFh8w`,
    );
  });

  it('treats unknown or empty hashes as home', () => {
    expect(parseRoute('')).toEqual({ name: 'home' });
    expect(parseRoute('#/nope')).toEqual({ name: 'home' });
    expect(parseRoute('#/c/')).toEqual({ name: 'home' });
  });
});
