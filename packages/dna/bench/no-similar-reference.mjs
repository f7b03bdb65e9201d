/**
 * The no-similar-reference rule on the real reference (4 of 5 barcodes of coi_barcodes.csv): best-hit identity of
 * held-out real barcodes and of random / shuffled queries, and how many get no lineage (status no-hit).
 *
 *   node bench/no-similar-reference.mjs   (after npm run build; needs ../shared/data)
 */
import { fileURLToPath } from 'node:url';
import { readReferenceFile, BarcodeIdentifier } from '../dist/identify.js';
const refs = await readReferenceFile(
  fileURLToPath(new URL('../../../../shared/data/dna/coi_barcodes.csv', import.meta.url)),
);
const id = BarcodeIdentifier.build(
  refs.filter((_, i) => i % 5 !== 0),
  { seed: 1 },
);
const held = refs.filter((_, i) => i % 5 === 0).map((r) => r.barcode);
let x = 12345;
const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 22;
const rnd = (n) => Array.from({ length: n }, () => 'ACGT'[next() % 4]).join('');
const shuffle = (s) => {
  const a = s.split('');
  for (let i = a.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.join('');
};
const stats = (name, qs) => {
  const all = id.identifyMany(qs);
  console.log('  no-hit', all.filter((p) => p.status === 'no-hit').length);
  const ids = all
    .filter((p) => p.status === 'ok')
    .map((p) => p.identity)
    .sort((a, b) => a - b);
  const q = (f) => ids[Math.min(ids.length - 1, Math.floor(f * ids.length))]?.toFixed(3);
  console.log(
    `${name}: n=${qs.length} ok=${ids.length} min ${q(0)} p1 ${q(0.01)} p5 ${q(0.05)} median ${q(0.5)} max ${q(1)}`,
  );
};
stats('held-out real barcodes', held);
stats(
  'random 658',
  Array.from({ length: 1000 }, () => rnd(658)),
);
stats(
  'random 5000',
  Array.from({ length: 50 }, () => rnd(5000)),
);
stats(
  'random 300',
  Array.from({ length: 600 }, () => rnd(300)),
);
stats('shuffled real', [...held, ...held].slice(0, 1200).map(shuffle));
