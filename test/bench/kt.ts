// Key transparency at scale (DESIGN §7.5): the map's proofs and the relay's lookups at
// BENCH_KT_USERS accounts (default 10,000), and what maintaining the map costs registration.
// - In process: KtMap build, prove and verify times and proof sizes.
// - A real relay (pinned to core 0, this process to core 1 where taskset exists): registration
//   throughput and relay CPU per account without the key map (the relay of the last commit
//   before it, BENCH_KT_BASELINE_REF), with the map but epochs deferred, and with epochs every
//   second, side by side; then lookups over HTTP, with the relay's CPU time per lookup read
//   from /proc.

import { rmSync } from 'node:fs';
import {
  generateIdentity,
  type KtBinding,
  KtMap,
  ktBindingFromWire,
  ktHeadFromWire,
  ktLeafValue,
  ktMapKey,
  ktProofFromWire,
  ktProofToWire,
  ktVerifyProof,
  makeBundle,
} from '@parley/crypto-core';
import type { KtLookupResponse } from '@parley/server/protocol';
import { registerFast } from '../support/fast-register';
import { type Relay, startRelay } from '../support/relay';
import { exportCheckout } from './checkout';
import { cpuMark, cpuSince, LOAD_CORE, pinToCore, SERVER_CORE } from './cpu';
import { fmt, percentile, printTable, time } from './measure';

const USERS = Number(process.env.BENCH_KT_USERS ?? 10_000);
const REGISTRATIONS = Number(process.env.BENCH_KT_REGISTRATIONS ?? 2_000);
const LOOKUPS = 2_000;
const ROUNDS = Number(process.env.BENCH_KT_ROUNDS ?? 3);
/** The last commit before the key map: its relay is the "without the map" baseline. */
const BASELINE_REF = process.env.BENCH_KT_BASELINE_REF ?? 'fbaa244';

export async function runKtBench(): Promise<void> {
  pinToCore(process.pid, LOAD_CORE);
  mapInProcess();
  const baseline = exportCheckout(BASELINE_REF, 'without-the-map baseline');
  const variants: Variant[] = [
    ...(baseline ? [{ name: `without the map (${BASELINE_REF})`, epochMs: '1000', checkout: baseline }] : []),
    { name: 'map, epochs deferred', epochMs: '3600000' },
    { name: 'map, epochs every 1 s', epochMs: '1000' },
  ];
  // The machine is shared and noisy: run the variants in rotating order, ROUNDS times, and
  // report each one's median.
  const samples = new Map<Variant, RegistrationRun[]>(variants.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + round) % variants.length] as Variant;
      samples.get(v)?.push(await registrationRun(v));
    }
  }
  if (baseline) rmSync(baseline, { recursive: true, force: true });
  const median = (v: Variant, pick: (r: RegistrationRun) => number) =>
    percentile(
      (samples.get(v) ?? []).map(pick).sort((a, b) => a - b),
      50,
    );
  const cpu = (v: Variant) => median(v, (r) => r.cpuMsPerAccount);
  const rate = (v: Variant) => median(v, (r) => r.perSec);
  printTable(
    `Registration (${REGISTRATIONS} accounts, 16 in flight; median of ${ROUNDS} rounds)`,
    ['relay', 'accounts/s', 'relay CPU ms/account', 'CPU per round'],
    variants.map((v) => [
      v.name,
      fmt(rate(v), 0),
      fmt(cpu(v), 2),
      (samples.get(v) ?? []).map((r) => fmt(r.cpuMsPerAccount, 2)).join(' '),
    ]),
  );
  const without = baseline ? variants[0] : undefined;
  const [deferred, withEpochs] = variants.slice(-2) as [Variant, Variant];
  if (without) {
    console.log(
      `ratio (map with epochs / without the map): relay CPU per account ${fmt(cpu(withEpochs) / cpu(without), 2)}, throughput ${fmt(rate(withEpochs) / rate(without), 2)}`,
    );
  }
  console.log(
    `ratio (with epochs / deferred): relay CPU per account ${fmt(cpu(withEpochs) / cpu(deferred), 2)}, throughput ${fmt(rate(withEpochs) / rate(deferred), 2)}`,
  );
  await lookups();
}

function binding(i: number): KtBinding {
  const id = generateIdentity();
  const bundle = makeBundle(id);
  return {
    userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    username: `user${i}`,
    version: 1,
    identityKey: bundle.identityKey,
    encKey: bundle.encKey,
    encKeySig: bundle.encKeySig,
  };
}

function mapInProcess(): void {
  const bindings = Array.from({ length: USERS }, (_, i) => binding(i));
  const t0 = performance.now();
  const map = KtMap.fromEntries(
    bindings.map((b) => [ktMapKey(b.userId), ktLeafValue(b)] as [Uint8Array, Uint8Array]),
  );
  const buildMs = performance.now() - t0;
  const root = map.root();
  let n = 0;
  const pick = () => bindings[n++ % bindings.length] as KtBinding;
  const prove = time(() => void map.prove(ktMapKey(pick().userId)));
  const sample = pick();
  const proof = map.prove(ktMapKey(sample.userId));
  const verify = time(() => {
    if (!ktVerifyProof(root, ktMapKey(sample.userId), ktLeafValue(sample), proof))
      throw new Error('bad proof');
  });
  const absent = map.prove(ktMapKey('not-a-user'));
  const sizes = bindings.slice(0, 500).map((b) => map.prove(ktMapKey(b.userId)).siblings.length);
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  printTable(
    `Key map in process (${USERS} bindings)`,
    ['measure', 'value'],
    [
      ['build (fromEntries) ms', fmt(buildMs, 0)],
      ['prove µs/lookup', fmt(prove.perCallMicros, 1)],
      ['verify µs/proof (client)', fmt(verify.perCallMicros, 1)],
      ['siblings per proof (mean of 500)', fmt(mean, 1)],
      ['proof bytes, raw (bitmap + siblings)', fmt(32 + 32 * mean, 0)],
      ['proof bytes, JSON wire', String(JSON.stringify(ktProofToWire(proof)).length)],
      ['absence proof siblings', String(absent.siblings.length)],
    ],
  );
}

interface Variant {
  name: string;
  epochMs: string;
  checkout?: string;
}

interface RegistrationRun {
  perSec: number;
  cpuMsPerAccount: number;
}

async function registrationRun({ epochMs, checkout }: Variant): Promise<RegistrationRun> {
  const relay = await startRelay({
    name: 'bench-kt',
    ...(checkout ? { checkout } : {}),
    env: { KT_EPOCH_MS: epochMs, LOG_LEVEL: 'warn' },
  });
  try {
    pinToCore(relay.pid, SERVER_CORE);
    const cpu = cpuMark(relay.pid ?? -1);
    const start = performance.now();
    await registerMany(relay, REGISTRATIONS, 16);
    const seconds = (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, Number(epochMs) > 10_000 ? 0 : 2_000));
    return { perSec: REGISTRATIONS / seconds, cpuMsPerAccount: cpuSince(cpu) / 1000 / REGISTRATIONS };
  } finally {
    await relay.dispose();
  }
}

async function lookups(): Promise<void> {
  const relay = await startRelay({
    name: 'bench-kt-lookup',
    env: { KT_EPOCH_MS: '1000', LOG_LEVEL: 'warn' },
  });
  try {
    pinToCore(relay.pid, SERVER_CORE);
    const ids = await registerMany(relay, USERS, 16);
    // Wait for every binding to be published.
    for (;;) {
      const res = await fetch(`${relay.url}/api/kt/lookup/${ids.at(-1)}`);
      const body = (await res.json()) as KtLookupResponse;
      if (res.ok && body.binding) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const latencies: number[] = [];
    const sizes: number[] = [];
    let verifyMs = 0;
    const cpu = cpuMark(relay.pid ?? -1);
    for (let i = 0; i < LOOKUPS; i++) {
      const id = ids[(i * 7919) % ids.length] as string;
      const t = performance.now();
      const res = await fetch(`${relay.url}/api/kt/lookup/${id}`);
      const text = await res.text();
      latencies.push(performance.now() - t);
      sizes.push(text.length);
      const body = JSON.parse(text) as KtLookupResponse;
      const v = performance.now();
      if (!body.binding) throw new Error('lookup without a binding');
      const leaf = ktLeafValue(ktBindingFromWire(body.binding));
      const root = ktHeadFromWire(body.head).root;
      if (!ktVerifyProof(root, ktMapKey(id), leaf, ktProofFromWire(body.proof))) throw new Error('bad proof');
      verifyMs += performance.now() - v;
    }
    const cpuPerLookup = cpuSince(cpu) / 1000 / LOOKUPS;
    latencies.sort((a, b) => a - b);
    printTable(
      `Key-log lookups over HTTP (${USERS} accounts on one relay, ${LOOKUPS} lookups, one at a time)`,
      ['measure', 'value'],
      [
        ['relay CPU ms/lookup', fmt(cpuPerLookup, 3)],
        ['latency p50 ms', fmt(percentile(latencies, 50), 2)],
        ['latency p99 ms', fmt(percentile(latencies, 99), 2)],
        [
          'answer bytes (head + binding + proof), mean',
          fmt(sizes.reduce((a, b) => a + b, 0) / sizes.length, 0),
        ],
        ['client parse + verify ms/answer', fmt(verifyMs / LOOKUPS, 3)],
      ],
    );
  } finally {
    await relay.dispose();
  }
}

/** Registers `n` accounts `inFlight` at a time, without Argon2id (the key map is what is measured). */
async function registerMany(relay: Relay, n: number, inFlight: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) ids.push((await registerFast(relay, `k${next++}`)).id);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return ids;
}
