// `npm run bench`: the benchmark harness. Every section prints ratios against baselines measured
// side by side in the same run. Options: BENCH_SECTIONS=crypto,relay,kt  BENCH_GROUPS=2,100,1000
// BENCH_KT_USERS=10000
import { ready } from '@parley/crypto-core';
import { runCryptoBench } from './crypto';
import { runKtBench } from './kt';
import { runRelayBench } from './relay';

const sections = (process.env.BENCH_SECTIONS ?? 'crypto,relay,kt').split(',');
const groups = (process.env.BENCH_GROUPS ?? '2,100,1000').split(',').map(Number);

await ready();
console.log(`Parley benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (sections.includes('crypto')) await runCryptoBench(groups);
if (sections.includes('relay')) await runRelayBench(groups);
if (sections.includes('kt')) await runKtBench();
process.exit(0);
