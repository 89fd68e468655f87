// Entry point: `npm start`. Parses the environment (refusing to start on a bad one), starts the
// relay and shuts it down gracefully on SIGINT/SIGTERM.
import { ConfigError, parseEnv } from './env';
import { createLogger, safeError } from './log';
import { startServer } from './server';
import { startBanner } from './start-banner';

async function main(): Promise<void> {
  let config: ReturnType<typeof parseEnv>;
  try {
    config = parseEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const relay = await startServer(config, { logger });
  const { users } = await relay.store.stats(Date.now());
  process.stderr.write(startBanner(config, relay.url, users));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    relay.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: safeError(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`parley: failed to start: ${safeError(err).message}\n`);
  process.exit(1);
});
