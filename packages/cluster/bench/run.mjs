// Benchmark: our Ward + metrics and UMAP beside scikit-learn / umap-learn on the same data, same machine.
// Usage (from packages/cluster, after `npx tsup`):
//   node bench/run.mjs [--ward 20000,47260] [--umap 3000] [--sklearn-max 30000]
// Needs Debian python3-sklearn and umap-learn (installed here with apt-get when missing).
// Data goes to /tmp/bioscan-bench/cluster. Peak memory from /usr/bin/time -v.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = '/tmp/bioscan-bench/cluster';
mkdirSync(DIR, { recursive: true });
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const wardSizes = arg('ward', '20000,47260').split(',').filter(Boolean).map(Number);
const umapSizes = arg('umap', '3000').split(',').filter(Boolean).map(Number);
// scipy's linkage holds two condensed n x n float64 matrices (pdist + its working copy): 8 n^2 bytes.
const sklearnMax = Number(arg('sklearn-max', '30000'));

function ensurePython() {
  const ok = spawnSync('/usr/bin/python3', ['-c', 'import sklearn, umap'], { stdio: 'ignore' }).status === 0;
  if (!ok) execFileSync('apt-get', ['install', '-y', 'python3-sklearn', 'umap-learn'], { stdio: 'inherit' });
}

function dataset(n, k, d, sigma, seed) {
  const base = path.join(DIR, `gmm_n${n}_k${k}_d${d}_s${sigma}_seed${seed}`);
  if (!existsSync(`${base}.npy`))
    execFileSync('/usr/bin/python3', [path.join(HERE, 'gmm.py'), base, n, k, d, sigma, seed].map(String));
  return base;
}

/** Runs a command under /usr/bin/time -v; returns its JSON stdout line, wall seconds and peak RSS (MB). */
function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    cwd: path.dirname(HERE),
  });
  const wall = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  const cpu =
    Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN) +
    Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  const json = JSON.parse(r.stdout.trim().split('\n').pop());
  return { ...json, wall, cpu, rssMB: rss };
}

function samePartition(fileA, fileB) {
  const a = readFileSync(fileA, 'utf8').trim().split('\n');
  const b = readFileSync(fileB, 'utf8').trim().split('\n');
  if (a.length !== b.length) return false;
  const ab = new Map();
  const ba = new Map();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

const lines = [];
const out = (line) => {
  lines.push(line);
  console.log(line);
};
const started = new Date();
const load = () =>
  process.platform === 'linux' ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a';
const loadBefore = load();
ensurePython();
const results = { machine: `${process.platform} ${process.arch}, node ${process.version}`, ward: [], umap: [] };
const f = (x, p = 1) => (Number.isFinite(x) ? x.toFixed(p) : 'n/a');

out('\n## Ward + AMI (Gaussian mixture, 50-d, within-class sd 1.0)\n');
out(
  '| n | classes | ours Ward s | ours metrics s | ours total s | ours process CPU s | ours peak MB | sklearn Ward s | sklearn AMI s | sklearn total s | sklearn process CPU s | sklearn peak MB | speed-up (wall) | CPU ratio | AMI ours / sklearn | same partition |',
);
out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const n of wardSizes) {
  const k = n === 47260 ? 4363 : Math.round(n / 10); // 4,363 species in test + test_unseen
  const data = dataset(n, k, 50, 1.0, 0);
  const ours = timed('node', [path.join(HERE, 'ours_ward.mjs'), data, `${data}.ours.txt`]);
  let ref = null;
  let amiOnly = null;
  if (n <= sklearnMax)
    ref = timed('/usr/bin/python3', [path.join(HERE, 'sklearn_ward.py'), data, `${data}.sklearn.txt`]);
  // Too big for scipy's two n x n/2 matrices here: still check our AMI of our partition against sklearn's.
  else amiOnly = timed('/usr/bin/python3', [path.join(HERE, 'sklearn_ami.py'), data, `${data}.ours.txt`]);
  const row = {
    n,
    classes: k,
    ours,
    sklearn: ref,
    sklearnAmiOfOurPartition: amiOnly,
    samePartition: ref ? samePartition(`${data}.ours.txt`, `${data}.sklearn.txt`) : null,
  };
  results.ward.push(row);
  const ourTotal = ours.ward + ours.ami_seconds;
  const refTotal = ref ? ref.ward + ref.ami_seconds : NaN;
  out(
    `| ${n} | ${k} | ${f(ours.ward)} | ${f(ours.ami_seconds, 2)} | ${f(ourTotal)} | ${f(ours.cpu)} | ${f(ours.rssMB, 0)} | ${ref ? f(ref.ward) : 'skipped'} | ${ref ? f(ref.ami_seconds) : ''} | ${f(refTotal)} | ${ref ? f(ref.cpu) : ''} | ${ref ? f(ref.rssMB, 0) : `(~${f((16 * n * n) / 2 / 2 ** 20, 0)} needed for two n x n/2 float64)`} | ${ref ? `${f(refTotal / ourTotal, 2)}x` : ''} | ${ref ? `${f(ref.cpu / ours.cpu, 2)}x` : ''} | ${ours.ami.toFixed(6)} / ${ref ? ref.ami.toFixed(6) : `${amiOnly.ami.toFixed(6)} (sklearn AMI of our partition: ${f(amiOnly.ami_seconds)} s)`} | ${row.samePartition ?? ''} |`,
  );
}

if (umapSizes.length) {
  out(
    '\n## UMAP to 50 dims (n_neighbors 30, min_dist 0; ours: exact kNN + umap-js graph + typed-array epochs), then Ward + AMI (Gaussian mixture, 128-d, 100 classes, sd 1.5)\n',
  );
  out(
    '| n | ours s | ours process CPU s | ours peak MB | AMI after | umap-learn s | umap-learn process CPU s | umap-learn peak MB | AMI after | time ratio (umap-learn / ours) |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of umapSizes) {
    const data = dataset(n, 100, 128, 1.5, 1);
    const ours = timed('node', [path.join(HERE, 'ours_umap.mjs'), data, '50']);
    const ref = timed('/usr/bin/python3', [path.join(HERE, 'umap_learn.py'), data, '50']);
    results.umap.push({ n, ours, umapLearn: ref });
    out(
      `| ${n} | ${f(ours.umap)} | ${f(ours.cpu)} | ${f(ours.rssMB, 0)} | ${ours.ami.toFixed(4)} | ${f(ref.umap)} | ${f(ref.cpu)} | ${f(ref.rssMB, 0)} | ${ref.ami.toFixed(4)} | ${f(ref.umap / ours.umap, 2)}x |`,
    );
  }
}
writeFileSync(path.join(DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
out(`\n(raw results: ${path.join(DIR, 'results.json')})`);
const md = arg('md', path.join(path.dirname(HERE), 'BENCHMARKS.md'));
if (md !== 'none') {
  const cmd =
    `cd packages/cluster && flock /tmp/bioscan-bench.lock nice -n 5 npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const header = [
    '# @bioscan5m/cluster benchmarks',
    '',
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on the shared 2-core dev machine (${results.machine}; load average ${loadBefore} at the start, other engineers' jobs running, both sides under the same conditions). Command:`,
    '',
    '```',
    cmd,
    '```',
    '',
    'Ours: `wardClustering` (nearest-neighbour chain over centroids, WebAssembly SIMD scan split over worker threads) + `clusteringScores` (all six metrics). Reference: scikit-learn 1.2.1 `AgglomerativeClustering(linkage="ward")` + `adjusted_mutual_info_score` (Debian python3-sklearn; scipy 1.10.1 linkage underneath), umap-learn 0.5.3 (Debian). Seconds are wall-clock times of the work itself; peak memory is `/usr/bin/time -v` maximum RSS of the whole process.',
  ];
  writeFileSync(md, `${[...header, ...lines].join('\n')}\n`);
}
