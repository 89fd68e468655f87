// `npm run bench`: the benchmark harness. Every section prints ratios against baselines measured
// side by side in the same run. Options: BENCH_SECTIONS=crypto,relay  BENCH_GROUPS=2,100,1000
import { runCryptoBench } from './crypto';

const sections = (process.env.BENCH_SECTIONS ?? 'crypto,relay').split(',');
const groups = (process.env.BENCH_GROUPS ?? '2,100,1000').split(',').map(Number);

console.log(`Parley benchmarks — node ${process.version}, ${new Date().toISOString()}`);
if (sections.includes('crypto')) await runCryptoBench(groups);
