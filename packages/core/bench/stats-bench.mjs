// Benchmark: `bioscan5m stats --json` end to end vs pandas read_csv + the same Table 2 counts, on a
// BIOSCAN-5M-sized synthetic metadata file (5,150,850 rows, ~4 GB), same machine, same run.
// Run from the repository root after `npm run build`:  npm run bench -w @bioscan5m/core
// Env: BENCH_RUNS (default 2, best of N alternating runs), BENCH_ROWS (default 5150850), BENCH_FILE (default /tmp/bioscan-bench/synth-5m.csv for the full size),
//      BENCH_WRITE=0 to skip updating BENCHMARKS.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkgDir = path.resolve(here, '..');
const repoRoot = path.resolve(pkgDir, '../..');
const cli = path.join(repoRoot, 'apps/cli/bin/bioscan5m.js');
const rows = Number(process.env.BENCH_ROWS ?? 5150850);
const benchDir = '/tmp/bioscan-bench';
const file = process.env.BENCH_FILE ?? path.join(benchDir, rows === 5150850 ? 'synth-5m.csv' : `synth-${rows}.csv`);

function ensurePandas() {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import pandas'], { stdio: 'ignore' }).status === 0;
  if (ok) return;
  console.log('installing the reference tool: apt-get install -y python3-pandas');
  execFileSync('apt-get', ['install', '-y', 'python3-pandas'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function ensureFile() {
  if (existsSync(file)) return `existing file, as made by bioscan5m synth --rows ${rows} --seed 0`;
  mkdirSync(path.dirname(file), { recursive: true });
  const help = spawnSync('node', [cli, 'synth', '--help'], { encoding: 'utf8' });
  if (help.status === 0) {
    console.log(`generating ${file} with bioscan5m synth (${rows} rows)`);
    execFileSync('node', [cli, 'synth', '--rows', String(rows), '--out', file, '--seed', '0', '--quiet'], {
      stdio: 'inherit',
    });
    return `bioscan5m synth --rows ${rows} --seed 0`;
  }
  console.log(`generating ${file} with bench/stats-synthetic.mjs (${rows} rows)`);
  execFileSync('node', [path.join(here, 'stats-synthetic.mjs'), file, String(rows), '1'], { stdio: 'inherit' });
  return 'bench/stats-synthetic.mjs';
}

/** Runs a command under /usr/bin/time -v; returns stdout, wall seconds and peak RSS in MiB. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)[1]);
  const sys = Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)[1]);
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { stdout: r.stdout, seconds, cpu: user + sys, rssMiB: Number(rss[1]) / 1024 };
}

ensurePandas();
const source = ensureFile();
const sizeGB = (Number(execFileSync('stat', ['-c', '%s', file], { encoding: 'utf8' })) / 1e9).toFixed(2);
console.log(
  `file: ${file} (${sizeGB} GB, ${source}); machine: ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
);

const ourArgs = [cli, 'stats', '--metadata', file, '--json'];
const refArgs = [path.join(here, 'stats-bench-pandas.py'), file];
// Other jobs share the machine, so each tool runs BENCH_RUNS times (default 2), alternating, with the file read
// once into the page cache first; the fastest run of each counts (the usual way to take out noise from others).
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 2));
execFileSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
const oursRuns = [];
const refRuns = [];
for (let k = 0; k < runs; k++) {
  console.log(`run ${k + 1}/${runs}: ours: node apps/cli/bin/bioscan5m.js stats --metadata FILE --json`);
  const o = timed('node', ourArgs);
  console.log(`  ${o.seconds.toFixed(1)} s (CPU ${o.cpu.toFixed(1)} s), peak RSS ${o.rssMiB.toFixed(0)} MiB`);
  oursRuns.push(o);
  console.log(`run ${k + 1}/${runs}: pandas: /usr/bin/python3 ${path.relative(repoRoot, refArgs[0])} FILE`);
  const r = timed('/usr/bin/python3', refArgs);
  console.log(`  ${r.seconds.toFixed(1)} s (CPU ${r.cpu.toFixed(1)} s), peak RSS ${r.rssMiB.toFixed(0)} MiB`);
  refRuns.push(r);
}
const best = (xs) => xs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const ours = best(oursRuns);
const ref = best(refRuns);
const allRuns = (xs) => xs.map((x) => x.seconds.toFixed(1)).join(' / ');

const a = JSON.parse(ours.stdout);
const b = JSON.parse(ref.stdout);
const equal = JSON.stringify(a) === JSON.stringify(b);
const ratio = ref.seconds / ours.seconds;
console.log(
  `outputs equal: ${equal ? 'yes' : 'NO'}; speed-up ${ratio.toFixed(2)}x (goal >= 3x); our peak RSS ${ours.rssMiB.toFixed(0)} MiB (goal < 1024)`,
);
if (!equal) {
  for (const k of Object.keys(b.ranks))
    if (JSON.stringify(a.ranks[k]) !== JSON.stringify(b.ranks[k]))
      console.log(`  ${k}: ours ${JSON.stringify(a.ranks[k])} pandas ${JSON.stringify(b.ranks[k])}`);
}

if (process.env.BENCH_WRITE !== '0') {
  const md = path.join(pkgDir, 'BENCHMARKS.md');
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const section = [
    '## stats',
    '',
    `\`bioscan5m stats --json\` end to end vs pandas \`read_csv\` (usecols = the nine Table 2 columns) + the same counts,`,
    `on a ${rows.toLocaleString('en-US')}-row synthetic BIOSCAN-5M metadata CSV (${sizeGB} GB, ${source}), same machine, same run`,
    `(${os.cpus().length} cores shared with other jobs, load ${os.loadavg()[0].toFixed(1)} at the end; ${date} UTC). Best of ${runs} alternating runs`,
    `after one read of the file into the page cache; all wall times: ours ${allRuns(oursRuns)} s, pandas ${allRuns(refRuns)} s.`,
    `Command: \`npm run bench -w @bioscan5m/core\` (flock /tmp/bioscan-bench.lock nice -n 5 node bench/stats-bench.mjs).`,
    '',
    '| tool | wall time | CPU time (user + sys) | peak RSS | outputs equal |',
    '|---|---|---|---|---|',
    `| bioscan5m stats --json (worker threads) | ${ours.seconds.toFixed(1)} s | ${ours.cpu.toFixed(1)} s | ${ours.rssMiB.toFixed(0)} MiB | ${equal ? 'yes' : 'no'} |`,
    `| pandas 1.5.3 read_csv + value_counts | ${ref.seconds.toFixed(1)} s | ${ref.cpu.toFixed(1)} s | ${ref.rssMiB.toFixed(0)} MiB | |`,
    `| **pandas / ours** | **${ratio.toFixed(2)}x** (goal >= 3x) | ${(ref.cpu / ours.cpu).toFixed(2)}x | **${(ref.rssMiB / ours.rssMiB).toFixed(1)}x** (ours must stay < 1 GiB) | |`,
    '',
  ].join('\n');
  let text = existsSync(md) ? readFileSync(md, 'utf8') : '# @bioscan5m/core benchmarks\n\n';
  const re = /## stats\n[\s\S]*?(?=\n## |$)/;
  text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(md, text.endsWith('\n') ? text : `${text}\n`);
  console.log(`figures written to ${path.relative(repoRoot, md)}`);
}
