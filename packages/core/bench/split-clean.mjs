#!/usr/bin/env node
// Benchmark: `bioscan5m split` and `bioscan5m clean` (their library calls, bench/split-clean-run.mjs) on a synthetic BIOSCAN-5M file (default 5,150,850 rows, made
// with `bioscan5m synth --seed 0` when absent), wall time and peak RSS, beside the pandas reference
// (bench/split-clean-pandas.py; installs Debian python3-pandas when missing) measured in the same run.
// Usage: node bench/split-clean.mjs [ROWS] [FILE]     (run under: flock /tmp/bioscan-bench.lock nice -n 5 ...)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = path.join(here, 'split-clean-run.mjs');
const rows = Number(process.argv[2] ?? 5150850);
const dir = '/tmp/bioscan-bench';
const file = process.argv[3] ?? path.join(dir, rows === 5150850 ? 'synth-5m.csv' : `synth-${rows}.csv`);
mkdirSync(dir, { recursive: true });

function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  const last = r.stderr.trim().split('\n').at(-1).split(' ');
  return {
    seconds: Number(last[0]),
    rssMiB: Number(last[1]) / 1024,
    cpu: Number(last[2]) + Number(last[3]),
    stdout: r.stdout,
  };
}

if (!existsSync(path.join(here, '../dist/index.js')))
  throw new Error('build first: npx turbo run build --filter=@bioscan5m/core');
if (!existsSync(file)) {
  console.log(`generating ${file} (${rows} rows) ...`);
  const s = timed('node', [run, 'synth', '', file, String(rows)]);
  console.log(`synth: ${s.seconds.toFixed(1)} s, peak RSS ${s.rssMiB.toFixed(0)} MiB`);
}
const hasPandas = spawnSync('/usr/bin/python3', ['-c', 'import pandas']).status === 0;
if (!hasPandas) {
  console.log('installing python3-pandas (Debian) for the reference ...');
  execFileSync(
    'sh',
    [
      '-c',
      'apt-get install -y -q python3-pandas >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q python3-pandas >/dev/null)',
    ],
    { stdio: 'inherit' },
  );
}
const py = path.join(here, 'split-clean-pandas.py');
const results = [];
for (const job of ['split', 'clean']) {
  const ours = path.join(dir, `bench-${job}-ours.csv`);
  const ref = path.join(dir, `bench-${job}-pandas.csv`);
  const a = timed('node', [run, job, file, ours]);
  console.log(
    `bioscan5m ${job}: ${a.seconds.toFixed(1)} s (CPU ${a.cpu.toFixed(1)} s), ${a.rssMiB.toFixed(0)} MiB\n${a.stdout}`,
  );
  const b = timed('/usr/bin/python3', [py, job, file, ref, '0']);
  console.log(
    `pandas ${job}: ${b.seconds.toFixed(1)} s (CPU ${b.cpu.toFixed(1)} s), ${b.rssMiB.toFixed(0)} MiB\n${b.stdout}`,
  );
  results.push({ job, a, b });
  rmSync(ours, { force: true });
  rmSync(`${ours}.changes.csv`, { force: true });
  rmSync(ref, { force: true });
}
const table = [
  `| job | bioscan5m wall (CPU) | pandas reference wall (CPU) | pandas / ours, wall (CPU) | peak RSS ours / pandas |`,
  '|---|---|---|---|---|',
  ...results.map(
    ({ job, a, b }) =>
      `| ${job} | ${a.seconds.toFixed(1)} s (${a.cpu.toFixed(1)} s) | ${b.seconds.toFixed(1)} s (${b.cpu.toFixed(1)} s) | ${(b.seconds / a.seconds).toFixed(2)}x (${(b.cpu / a.cpu).toFixed(2)}x) | ${a.rssMiB.toFixed(0)} MiB / ${b.rssMiB.toFixed(0)} MiB |`,
  ),
];
console.log(`\n${table.join('\n')}`);

if (process.env.BENCH_WRITE !== '0') {
  const md = path.join(here, '..', 'BENCHMARKS.md');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const section = [
    '## clean/split',
    '',
    `\`bioscan5m split\` and \`bioscan5m clean\` (their library calls, bench/split-clean-run.mjs) on a ${rows.toLocaleString('en-US')}-row`,
    `synthetic BIOSCAN-5M metadata CSV (${(statSync(file).size / 1e9).toFixed(2)} GB, \`bioscan5m synth --seed 0\`), both passes and the full rewrite,`,
    `beside a pandas 1.5.3 reference doing the same job (bench/split-clean-pandas.py: read_csv usecols, groupby, chunked`,
    `rewrite; for clean only the per-barcode conflict scan, a lower bound). Same machine, same run (${os.cpus().length} cores shared with`,
    `other jobs, load ${os.loadavg()[0].toFixed(1)} at the end; ${date} UTC). Command: \`npm run bench:split-clean -w @bioscan5m/core\``,
    `(flock /tmp/bioscan-bench.lock nice -n 5 node bench/split-clean.mjs).`,
    '',
    ...table,
    '',
  ].join('\n');
  let text = existsSync(md) ? readFileSync(md, 'utf8') : '# @bioscan5m/core benchmarks\n\n';
  const re = /## clean\/split\n[\s\S]*?(?=\n## |$)/;
  text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(md, text.endsWith('\n') ? text : `${text}\n`);
  console.log(`figures written to ${md}`);
}
