// The relay as a whole: statistics, migrations, the server secret and the key log's signing key.
import { ready, verifyKtHead } from '@parley/crypto-core';
import { rotateServerSecret } from '../../auth/secret';
import { readLogKey } from '../../kt/log-key';
import { parseCommandArgs } from '../args';
import type { Command, CommandGroup } from '../command';
import { Refusal } from '../errors';
import { table } from '../format';

const stats: Command = {
  name: 'stats',
  usage: '[--json]',
  summary: 'count users, channels, messages and sessions (counts only: the relay holds no contents)',
  async run(ctx, argv) {
    const { values } = parseCommandArgs('stats', argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    const store = await ctx.store();
    const s = await store.stats(ctx.now());
    const invites = (await store.listInvites()).length;
    const facts = { ...s, invites };
    if (values.json) {
      ctx.io.out(JSON.stringify(facts, null, 2));
      return;
    }
    const rows: [string, string][] = [
      ['users', String(s.users)],
      ['disabled users', String(s.disabledUsers)],
      ['channels', String(s.channels)],
      ['messages', String(s.messages)],
      ['ciphertext bytes', String(s.ciphertextBytes)],
      ['active sessions', String(s.activeSessions)],
      ['invites', String(invites)],
    ];
    for (const line of table(rows)) ctx.io.out(line);
  },
};

const migrate: Command = {
  name: 'migrate',
  usage: '',
  summary: 'apply pending database migrations, then exit (run once before starting several relays)',
  details: [
    'Relays migrate at start too, one at a time under a lock; running this first keeps',
    'the upgrade out of the relays’ start-up.',
  ],
  async run(ctx, argv) {
    parseCommandArgs('migrate', argv, {}, { min: 0, max: 0 });
    const store = await ctx.store();
    ctx.io.out(`Migrations applied: ${store.dialect} database ${ctx.databaseName()} is up to date.`);
  },
};

const rotateSecret: Command = {
  name: 'rotate-secret',
  usage: '',
  summary: 'replace the generated server secret in DATA_DIR (restart the relays after)',
  details: [
    'The secret keys only the fake salts answered for unknown usernames. Rotating it changes',
    'them: someone who noted one could tell, once, that the name had no account. Sessions,',
    'passwords, keys and the key log are not touched. Refused when SERVER_SECRET is set in the',
    'environment: change it there.',
  ],
  async run(ctx, argv) {
    parseCommandArgs('rotate-secret', argv, {}, { min: 0, max: 0 });
    if (ctx.config.serverSecret !== null) {
      throw new Refusal(
        'SERVER_SECRET is set in the environment, so the relays do not read DATA_DIR/server-secret: change SERVER_SECRET where you set it (e.g. openssl rand -base64 48) and restart every relay',
      );
    }
    const path = await rotateServerSecret(ctx.config.dataDir);
    ctx.logger.info({ event: 'server-secret-rotate', via: 'cli' }, 'server secret rotated');
    ctx.io.out(`New server secret written to ${path}.`);
    ctx.io.out(
      'Restart the relay (every relay sharing this DATA_DIR) to use it. Until then it keeps the old one.',
    );
    ctx.io.out('Effect: the fake salts for unknown usernames change; nothing else does.');
  },
};

const keyLog: Command = {
  name: 'key-log',
  usage: '',
  summary: 'show the key log signing key’s fingerprint (publish it for users to compare)',
  async run(ctx, argv) {
    parseCommandArgs('key-log', argv, {}, { min: 0, max: 0 });
    await ready();
    const file = ctx.config.kt.logKeyFile;
    const key = await readLogKey(file);
    if (key === null) {
      throw new Refusal(`there is no key-log key at ${file} yet: the relay makes it at its first start`);
    }
    const head = await (await ctx.store()).ktLatestHead();
    ctx.io.out(`Key log signing key: ${key.fingerprint}`);
    ctx.io.out(`File: ${file}`);
    if (head === null) {
      ctx.io.out('No epoch published yet.');
      return;
    }
    let signedByKey = true;
    try {
      verifyKtHead(head, key.publicKey);
    } catch {
      signedByKey = false;
    }
    if (!signedByKey) {
      throw new Refusal(
        `the newest epoch (${head.epoch}) in the database was signed by another key than ${file}'s: every relay of a deployment must use the same key file`,
      );
    }
    ctx.io.out(`Newest epoch: ${head.epoch}, signed by this key.`);
  },
};

export const serverCommands: CommandGroup = {
  title: 'Relay',
  commands: [stats, migrate, rotateSecret, keyLog],
};
