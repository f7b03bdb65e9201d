/**
 * The paper's Table 4 on the shared real barcodes (../shared/data/dna/coi_barcodes.csv): runDnaBenchmarkJob
 * (pretraining on the pretrain partition, fine-tuning, linear and 1-NN probes, CNN, 4-mer and identify baselines),
 * then BLAST (Debian ncbi-blast+, installed when missing) on the job's own split files, added to the table.
 * Resumable: run it again after a kill and it continues (same --out and settings).
 *
 *   npm run bench:table4 -w @bioscan5m/dna -- [--out DIR] [--steps N] [--fresh] [--no-blast] [CLI-style options]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTable, writeFileAtomic } from '@bioscan5m/core';
import { formatTable4, runDnaBenchmarkJob, type DnaBenchmarkRow } from '../src/index.js';
import { blastTopHits, ensureBlast } from './blast.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.resolve(here, '../../..', '../shared/data/dna/coi_barcodes.csv');
if (!existsSync(data)) throw new Error(`needs ${data}`);
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const value = (n: string) => (flag(n) ? args[args.indexOf(`--${n}`) + 1] : undefined);
const num = (n: string, d?: number) => (value(n) === undefined ? d : Number(value(n)));
const outDir = value('out') ?? '/tmp/bioscan-bench/table4';

const t0 = performance.now();
const stamp = () => `[${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s]`;
let lastPct = -1;
const s = await runDnaBenchmarkJob({
  data,
  outDir,
  config: {
    k: num('k', 4),
    layers: num('layers', 2),
    heads: num('heads', 2),
    hidden: num('hidden', 64),
    intermediate: num('intermediate', 256),
  },
  pretrainSteps: num('steps', 1200),
  batchSize: num('batch', 32),
  maxLr: num('lr', 1e-3),
  curvePoints: num('curve-points', 4),
  pretrainOn: (value('pretrain-on') as 'paper' | 'non-test' | undefined) ?? 'paper',
  finetuneEpochs: num('finetune-epochs', 6),
  encoderLr: num('encoder-lr'),
  headLr: num('head-lr'),
  linearEpochs: num('linear-epochs', 100),
  cnnEpochs: num('cnn-epochs', 5),
  seed: num('seed', 0),
  fresh: flag('fresh'),
  onLog: (l) => console.log(`${stamp()} ${l}`),
  onProgress: (d, t) => {
    const p = Math.floor((100 * d) / t);
    if (p !== lastPct && p % 2 === 0) console.log(`${stamp()} progress ${d}/${t} (${p}%)`);
    lastPct = p;
  },
});

// BLAST on the same splits: species of the seen test set against train, genus of unseen queries against the keys.
const rows: DnaBenchmarkRow[] = [];
if (!flag('no-blast') && ensureBlast()) {
  const read = async (file: string) => (await readTable(file)).rows;
  const [train, test, keys, queries] = await Promise.all(
    [s.splitFiles.train, s.splitFiles.test, s.splitFiles.keys, s.splitFiles.queries].map(read),
  );
  const score = (ref: string[][], q: string[][], col: number, dir: string) => {
    const { top, seconds } = blastTopHits(
      path.join(outDir, dir),
      ref.map((r) => r.at(-1)!),
      q.map((r) => r.at(-1)!),
    );
    let right = 0;
    top.forEach((h, i) => {
      if (h >= 0 && ref[h][col] === q[i][col]) right++;
    });
    return { acc: right / q.length, seconds };
  };
  const sp = score(train, test, 2, 'blast-closed');
  const ge = score(keys, queries, 1, 'blast-open');
  rows.push({
    method: 'BLAST megablast top hit (2 threads)',
    kind: 'reference',
    finetuned: sp.acc,
    linearProbe: null,
    knnGenus: ge.acc,
    seconds: { search: sp.seconds + ge.seconds },
    note: 'no hit = wrong',
  });
  console.log(`${stamp()} BLAST: species ${(100 * sp.acc).toFixed(2)}%, genus of unseen ${(100 * ge.acc).toFixed(2)}%`);
}
const all = { ...s, rows: [...s.rows, ...rows] };
writeFileAtomic(s.json, JSON.stringify(all, null, 2) + '\n');
writeFileAtomic(s.markdown, formatTable4(all));
console.log('\n' + formatTable4(all));
console.log(`${s.markdown}, ${s.json}; ${(all.seconds / 60).toFixed(1)} min in the job`);
