// Test helper: the relay's real logger (createLogger: same redaction and serializers) writing
// JSON lines into memory, so tests can assert what an operator would read.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from './log';

export interface LogLine {
  level: number;
  msg?: string;
  event?: string;
  [key: string]: unknown;
}

export interface CapturedLogs {
  logger: Logger;
  /** Every line so far, parsed. */
  lines(): LogLine[];
  /** Every line so far, as written. */
  text(): string;
}

export function captureLogs(level = 'debug'): CapturedLogs {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger(level, sink);
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as LogLine),
  };
}
