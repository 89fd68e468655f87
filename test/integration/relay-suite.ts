// One relay per describe block, with users registered on it: started before the block's tests,
// and after them every client locked and the relay disposed.
import { afterAll, beforeAll } from 'vitest';
import { type Relay, startRelay } from '../support/relay';
import { makeUser, type TestUser } from '../support/users';

export type RelaySuite<N extends string> = { relay: Relay } & Record<N, TestUser>;

/** Call inside `describe`; the fields are set once its `beforeAll` has run. Users are named as given. */
export function relaySuite<const N extends string>(name: string, users: readonly N[]): RelaySuite<N> {
  const suite = {} as RelaySuite<N>;
  const byName = suite as Record<N, TestUser>;
  beforeAll(async () => {
    suite.relay = await startRelay({ name });
    for (const user of users) byName[user] = await makeUser(suite.relay, user);
  });
  afterAll(async () => {
    for (const user of users) byName[user]?.client.lock();
    await suite.relay?.dispose();
  });
  return suite;
}
