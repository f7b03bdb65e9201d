/**
 * Worker start cost of identification: BarcodeIdentifier.buildAsync on a tiny reference (40 barcodes) with 1
 * thread (no pool) and with N threads (the pool start dominates the difference), twice each.
 *
 *   node bench/worker-start.mjs [dist/identify.js] [N]
 */
import { fileURLToPath } from 'node:url';
const entry = process.argv[2] ?? fileURLToPath(new URL('../dist/identify.js', import.meta.url));
const N = Number(process.argv[3] ?? 2);
const { BarcodeIdentifier } = await import(entry);
const rnd = (n, s) => {
  let x = s;
  return Array.from({ length: n }, () => 'ACGT'[(x = (x * 1103515245 + 12345) >>> 0) % 4]).join('');
};
const recs = Array.from({ length: 40 }, (_, i) => ({
  id: String(i),
  barcode: rnd(658, i + 1),
  lineage: ['p', 'c', 'o', 'f', 'sf', `g${i % 5}`, `s${i}`],
}));
for (const threads of [1, N, 1, N]) {
  const t0 = performance.now();
  const id = await BarcodeIdentifier.buildAsync(recs, { threads });
  const t = performance.now() - t0;
  console.log(`threads=${threads} (pool ${id.threads}): ${t.toFixed(0)} ms`);
  await id.close();
}
