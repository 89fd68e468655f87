// The store section: messages appended per second through the relay's Store (`appendMessages`, one
// transaction per batch, as the write batcher calls it) at each batch size, against the raw driver
// running the same statements, and against the naive writer (single-row autocommit INSERTs). On
// SQLite and MySQL, each variant warmed up and then run in rotating rounds for BENCH_STORE_MS.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NewMessage } from '../../server/src/db/store';
import { REPO_ROOT } from '../support/relay';
import { fmt, printTable, progress } from './measure';
import { fmtSpread, rotate, type Spread, spreadOf } from './repeat';
import { type Dialect, openFixture, type StoreFixture } from './store-fixture';
import { type DriverKind, openRawAppender, type RawAppender } from './store-raw';

export interface StoreOptions {
  ms: number;
  members: number;
  batches: number[];
  rounds: number;
  mysqlUrl: string;
}

export interface StoreVariantFigures {
  dialect: Dialect;
  variant: string;
  path: 'store' | 'raw' | 'autocommit';
  /** The driver of a raw or autocommit variant. */
  driver: DriverKind | undefined;
  batch: number;
  appendsPerSec: Spread;
}

export interface StoreFigures {
  variants: StoreVariantFigures[];
  /** Per dialect: the Store at the largest batch over single-row autocommit, and over the raw driver. */
  batchedVsAutocommit: Partial<Record<Dialect, number>>;
  storeVsRaw: Partial<Record<Dialect, number>>;
  skipped: Partial<Record<Dialect, string>>;
}

/** A typical envelope's size (nonce, tag, signature and a chat line's JSON). */
const CIPHERTEXT = new Uint8Array(randomBytes(430));

interface Variant {
  name: string;
  path: StoreVariantFigures['path'];
  driver: DriverKind | undefined;
  batch: number;
  /** Appends for `ms` and returns messages per second. */
  run(ms: number): Promise<number>;
}

function batchMaker(fixture: StoreFixture): (size: number) => NewMessage[] {
  let n = 0;
  return (size) =>
    Array.from({ length: size }, () => {
      const sender = fixture.senders[n++ % fixture.senders.length] as StoreFixture['senders'][number];
      return {
        channelId: fixture.channelId,
        senderId: sender.id,
        keyId: sender.keyId,
        clientMsgId: randomUUID(),
        ciphertext: CIPHERTEXT,
      };
    });
}

async function timed(ms: number, step: () => Promise<number>): Promise<number> {
  let appended = 0;
  const start = performance.now();
  do appended += await step();
  while (performance.now() - start < ms);
  return appended / ((performance.now() - start) / 1000);
}

/**
 * The driver the Store itself uses on this dialect: the raw baseline that isolates the ORM. The
 * SQLite store moved from @libsql/client to libsql's synchronous API; the server's declared
 * dependencies tell which one this tree has.
 */
function storeDriver(dialect: Dialect): DriverKind {
  if (dialect === 'mysql') return 'mysql2';
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'server', 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return pkg.dependencies?.libsql ? 'libsql' : 'libsql-client';
}

function variants(fixture: StoreFixture, raws: Map<DriverKind, RawAppender>, batches: number[]): Variant[] {
  const makeBatch = batchMaker(fixture);
  const store = fixture.store;
  const out: Variant[] = [];
  for (const batch of batches) {
    out.push({
      name: `Store.appendMessages ×${batch}`,
      path: 'store',
      driver: undefined,
      batch,
      run: (ms) =>
        timed(ms, async () => {
          const results = await store.appendMessages(makeBatch(batch), Date.now());
          const refused = results.find((r) => !r.ok);
          if (refused) throw new Error(`store refused an append: ${JSON.stringify(refused)}`);
          return batch;
        }),
    });
  }
  for (const [driver, raw] of raws) {
    for (const batch of batches) {
      out.push({
        name: `raw ${driver} ×${batch}`,
        path: 'raw',
        driver,
        batch,
        run: (ms) =>
          timed(ms, async () => {
            await raw.appendBatch(makeBatch(batch), Date.now());
            return batch;
          }),
      });
    }
  }
  const driver = storeDriver(fixture.dialect);
  const naive = raws.get(driver);
  if (naive) {
    out.push({
      name: `single-row autocommit (${driver})`,
      path: 'autocommit',
      driver,
      batch: 1,
      async run(ms) {
        const writer = await naive.autocommit(fixture.channelId);
        const rate = await timed(ms, async () => {
          const [m] = makeBatch(1);
          if (m) await writer.insert(m, Date.now());
          return 1;
        });
        await writer.end();
        return rate;
      },
    });
  }
  return out;
}

async function runDialect(dialect: Dialect, opts: StoreOptions): Promise<StoreVariantFigures[]> {
  progress(`store: ${dialect}`);
  const fixture = await openFixture(dialect, opts.members, opts.mysqlUrl);
  const raws = new Map<DriverKind, RawAppender>();
  try {
    const kinds: DriverKind[] = dialect === 'mysql' ? ['mysql2'] : ['libsql', 'libsql-client'];
    for (const kind of kinds) raws.set(kind, await openRawAppender(kind, fixture.location));
    const list = variants(fixture, raws, opts.batches);
    const results = await rotate(list, opts.rounds, (v) => v.run(opts.ms), {
      warmUp: (v) => v.run(Math.min(300, opts.ms)),
    });
    return list.map((v) => ({
      dialect,
      variant: v.name,
      path: v.path,
      driver: v.driver,
      batch: v.batch,
      appendsPerSec: spreadOf(results.get(v) ?? [], (r) => r),
    }));
  } finally {
    for (const raw of raws.values()) await raw.close();
    await fixture.close();
  }
}

export async function runStoreBench(opts: StoreOptions): Promise<StoreFigures> {
  const figures: StoreFigures = { variants: [], batchedVsAutocommit: {}, storeVsRaw: {}, skipped: {} };
  const largest = Math.max(...opts.batches);
  for (const dialect of ['sqlite', 'mysql'] as const) {
    try {
      const rows = await runDialect(dialect, opts);
      figures.variants.push(...rows);
      const driver = storeDriver(dialect);
      const rate = (path: StoreVariantFigures['path'], batch: number) =>
        rows.find((r) => r.path === path && r.batch === batch && (path === 'store' || r.driver === driver))
          ?.appendsPerSec.median ?? Number.NaN;
      figures.batchedVsAutocommit[dialect] = rate('store', largest) / rate('autocommit', 1);
      figures.storeVsRaw[dialect] = rate('store', largest) / rate('raw', largest);
    } catch (err) {
      figures.skipped[dialect] = (err as Error).message.split('\n')[0] ?? 'failed';
      console.log(`store: ${dialect} skipped: ${figures.skipped[dialect]}`);
    }
  }
  printStore(figures, opts);
  return figures;
}

function printStore(figures: StoreFigures, opts: StoreOptions): void {
  const largest = Math.max(...opts.batches);
  printTable(
    `Store appends (${opts.members} members, ${CIPHERTEXT.length}-byte ciphertexts, ${opts.ms} ms per run; appends/s, median (range) of ${opts.rounds})`,
    ['db', 'path', 'appends/s', `vs autocommit`],
    figures.variants.map((v) => {
      const auto = figures.variants.find((a) => a.dialect === v.dialect && a.path === 'autocommit');
      return [
        v.dialect,
        v.variant,
        fmtSpread(v.appendsPerSec, 0),
        fmt(v.appendsPerSec.median / (auto?.appendsPerSec.median ?? Number.NaN), 2),
      ];
    }),
  );
  for (const d of ['sqlite', 'mysql'] as const) {
    if (figures.skipped[d]) continue;
    console.log(
      `${d}: Store ×${largest} / single-row autocommit ${fmt(figures.batchedVsAutocommit[d] ?? Number.NaN, 2)}; Store / raw ${storeDriver(d)} (the Store's driver) at ×${largest} ${fmt(figures.storeVsRaw[d] ?? Number.NaN, 2)}`,
    );
  }
}
