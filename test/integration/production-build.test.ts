// The production start: the relay compiled to JavaScript (`npm run build`, server/build/compile.ts)
// runs under plain node, with no TypeScript loader, and does its whole job.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileServer, SERVER_DIST } from '@parley/server/build';
import { BROADCAST_CHANNEL_ID } from '@parley/server/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { connected, makeUser, waitForText } from '../support/users';

describe('compiled relay', () => {
  let relay: Relay;
  beforeAll(async () => {
    await compileServer();
    relay = await startRelay({ compiled: true, name: 'compiled' });
  }, 60_000);
  afterAll(async () => {
    await relay?.dispose();
  });

  it('runs server/dist/index.js under node alone, and relays messages', async () => {
    const cmdline = readFileSync(`/proc/${relay.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('server/dist/index.js');
    expect(cmdline.join(' ')).not.toContain('tsx');
    expect(readFileSync(join(SERVER_DIST, 'index.js'), 'utf8')).not.toMatch(/from ['"]@parley\//);

    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
    const alice = await makeUser(relay, 'alice');
    const bob = await makeUser(relay, 'bob');
    const dm = await alice.client.openDm(bob.id);
    await connected(alice);
    await connected(bob);
    await alice.client.send(dm.id, 'hello from the compiled relay');
    await waitForText(bob.client, dm.id, 'hello from the compiled relay');
    await bob.client.send(BROADCAST_CHANNEL_ID, 'to everyone');
    await waitForText(alice.client, BROADCAST_CHANNEL_ID, 'to everyone');
    expect(relay.logs()).toContain('Parley is running at');
    alice.client.disconnect();
    bob.client.disconnect();
  });
});
