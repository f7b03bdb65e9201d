#!/usr/bin/env node
// Benchmark: `bioscan5m split` and `bioscan5m clean` (their library calls, bench/split-clean-run.mjs) on a synthetic BIOSCAN-5M file (default 5,150,850 rows, made
// with `bioscan5m synth --seed 0` when absent), wall time and peak RSS, beside the pandas reference
// (bench/split-clean-pandas.py; installs Debian python3-pandas when missing) measured in the same run.
// Usage: node bench/split-clean.mjs [ROWS] [FILE]     (run under: flock /tmp/bioscan-bench.lock nice -n 5 ...)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = path.join(here, 'split-clean-run.mjs');
const rows = Number(process.argv[2] ?? 5150850);
const dir = '/tmp/bioscan-bench';
const file = process.argv[3] ?? path.join(dir, rows === 5150850 ? 'synth-5m.csv' : `synth-${rows}.csv`);
mkdirSync(dir, { recursive: true });

function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const last = r.stderr.trim().split('\n').at(-1).split(' ');
  return { seconds: Number(last[0]), rssMiB: Number(last[1]) / 1024, stdout: r.stdout };
}

if (!existsSync(path.join(here, '../dist/index.js'))) throw new Error('build first: npx turbo run build --filter=@bioscan5m/core');
if (!existsSync(file)) {
  console.log(`generating ${file} (${rows} rows) ...`);
  const s = timed('node', [run, 'synth', '', file, String(rows)]);
  console.log(`synth: ${s.seconds.toFixed(1)} s, peak RSS ${s.rssMiB.toFixed(0)} MiB`);
}
const hasPandas = spawnSync('/usr/bin/python3', ['-c', 'import pandas']).status === 0;
if (!hasPandas) {
  console.log('installing python3-pandas (Debian) for the reference ...');
  execFileSync('sh', ['-c', 'apt-get install -y -q python3-pandas >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q python3-pandas >/dev/null)'], { stdio: 'inherit' });
}
const py = path.join(here, 'split-clean-pandas.py');
const results = [];
for (const job of ['split', 'clean']) {
  const ours = path.join(dir, `bench-${job}-ours.csv`);
  const ref = path.join(dir, `bench-${job}-pandas.csv`);
  const a = timed('node', [run, job, file, ours]);
  console.log(`bioscan5m ${job}: ${a.seconds.toFixed(1)} s, ${a.rssMiB.toFixed(0)} MiB\n${a.stdout}`);
  const b = timed('/usr/bin/python3', [py, job, file, ref, '0']);
  console.log(`pandas ${job}: ${b.seconds.toFixed(1)} s, ${b.rssMiB.toFixed(0)} MiB`);
  results.push({ job, a, b });
  rmSync(ours, { force: true });
  rmSync(`${ours}.changes.csv`, { force: true });
  rmSync(ref, { force: true });
}
console.log(`\n| job (${rows.toLocaleString('en-US')} rows) | bioscan5m | pandas reference | speed-up | peak RSS ours / pandas |`);
console.log('|---|---|---|---|---|');
for (const { job, a, b } of results) {
  console.log(`| ${job} | ${a.seconds.toFixed(1)} s | ${b.seconds.toFixed(1)} s | ${(b.seconds / a.seconds).toFixed(2)}x | ${a.rssMiB.toFixed(0)} MiB / ${b.rssMiB.toFixed(0)} MiB |`);
}
