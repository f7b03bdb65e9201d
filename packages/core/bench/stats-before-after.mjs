// Benchmark: the stats scan of this build against a baseline build of @bioscan5m/core, in the SAME run
// (alternating, best of N), with pandas (the reference) beside them, on one synthetic metadata CSV.
// Usage (after `npm run build`):
//   node bench/stats-before-after.mjs BASELINE_DIST_DIR FILE
// BASELINE_DIST_DIR is a copy of packages/core/dist built from the baseline commit, kept inside the repository
// (e.g. node_modules/.core-before-dist) so that it resolves the same dependencies. Env: BENCH_RUNS (default 2).
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const current = path.resolve(here, '../dist');
const [baseline, file] = process.argv.slice(2);
if (!baseline || !file) {
  console.error('usage: node bench/stats-before-after.mjs BASELINE_DIST_DIR FILE');
  process.exit(2);
}
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));

function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const cpu =
    Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)[1]) +
    Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)[1]);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { stdout: r.stdout, seconds, cpu, rssMiB: Number(rss[1]) / 1024 };
}

const sides = {
  baseline: () => timed('node', [path.join(here, 'stats-run.mjs'), baseline, file]),
  current: () => timed('node', [path.join(here, 'stats-run.mjs'), current, file]),
  pandas: () => timed('/usr/bin/python3', [path.join(here, 'stats-bench-pandas.py'), file]),
};
const results = { baseline: [], current: [], pandas: [] };
spawnSync('cat', [file], { stdio: 'ignore' });
console.log(`file: ${file}; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)} at start`);
for (let k = 0; k < runs; k++) {
  // Alternate which build goes first, so neither always meets a warmer cache or a quieter machine.
  const order = k % 2 === 0 ? ['baseline', 'current', 'pandas'] : ['current', 'baseline', 'pandas'];
  for (const name of order) {
    const r = sides[name]();
    results[name].push(r);
    console.log(
      `run ${k + 1}/${runs} ${name}: ${r.seconds.toFixed(2)} s wall, ${r.cpu.toFixed(2)} s CPU, ${r.rssMiB.toFixed(0)} MiB`,
    );
  }
}
const best = (xs) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const b = best(results.baseline);
const c = best(results.current);
const p = best(results.pandas);
const table2 = (s) => {
  const j = JSON.parse(s);
  return JSON.stringify({ rows: j.rows, ranks: j.ranks });
};
const same = table2(b.stdout) === table2(c.stdout);
console.log(`outputs of the two builds equal: ${same ? 'yes' : 'NO'}; load ${os.loadavg()[0].toFixed(1)} at end`);
console.log(
  `best wall: baseline ${b.seconds.toFixed(2)} s, current ${c.seconds.toFixed(2)} s (current/baseline ${(c.seconds / b.seconds).toFixed(3)}), pandas ${p.seconds.toFixed(2)} s`,
);
console.log(
  `best CPU:  baseline ${b.cpu.toFixed(2)} s, current ${c.cpu.toFixed(2)} s (current/baseline ${(c.cpu / b.cpu).toFixed(3)})`,
);
console.log(
  `pandas/current wall ${(p.seconds / c.seconds).toFixed(2)}x, pandas/baseline wall ${(p.seconds / b.seconds).toFixed(2)}x`,
);
console.log(
  `all wall times: baseline ${results.baseline.map((r) => r.seconds.toFixed(2)).join(' / ')}; current ${results.current.map((r) => r.seconds.toFixed(2)).join(' / ')}; pandas ${results.pandas.map((r) => r.seconds.toFixed(2)).join(' / ')}`,
);
if (!same) process.exitCode = 1;
