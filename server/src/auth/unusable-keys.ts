// Accounts whose public keys crypto-core now refuses (a small-order encryption key, an invalid
// identity point) could only have been registered before the relay checked them. Nobody can
// seal a sender key to them, and while they sit in a channel every send there is refused for
// lack of their share. At start they are disabled and taken out of every channel, once.
import type { Store } from '../db/store';
import type { Logger } from '../log';
import { bundleProblem } from './bundle';

export async function quarantineUnusableAccounts(store: Store, logger: Logger): Promise<number> {
  let count = 0;
  for (const user of await store.listUsers()) {
    if (user.disabled) continue;
    const problem = await bundleProblem(user.bundle);
    if (problem === null) continue;
    await store.setDisabled(user.id, true);
    const changes = await store.removeFromAllChannels(user.id);
    count++;
    logger.warn(
      { event: 'unusable-keys', userId: user.id, username: user.username, channels: changes.length, problem },
      'account disabled: its public keys are unusable; delete it from the admin panel',
    );
  }
  return count;
}
