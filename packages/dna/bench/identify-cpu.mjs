/**
 * CPU time of identification (not wall time: robust on a shared, loaded machine): build on 4 of 5 real barcodes
 * (index + leave-one-out calibration) and identify the fifth, one thread, with the identify entry given.
 *
 *   node bench/identify-cpu.mjs [dist/identify.js] [coi_barcodes.csv]
 */
import { fileURLToPath } from 'node:url';
const entry = process.argv[2] ?? fileURLToPath(new URL('../dist/identify.js', import.meta.url));
const data = process.argv[3] ?? fileURLToPath(new URL('../../../../shared/data/dna/coi_barcodes.csv', import.meta.url));
const { BarcodeIdentifier, readReferenceFile } = await import(entry);
const refs = await readReferenceFile(data);
const ref = refs.filter((_, i) => i % 5 !== 0);
const queries = refs.filter((_, i) => i % 5 === 0).map((r) => r.barcode);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const c0 = cpu();
const id = BarcodeIdentifier.build(ref, { seed: 1 });
const c1 = cpu();
const preds = id.identifyMany(queries);
const c2 = cpu();
console.log(
  JSON.stringify({
    buildCpuS: +(c1 - c0).toFixed(3),
    queryCpuS: +(c2 - c1).toFixed(3),
    queries: queries.length,
    identified: preds.filter((p) => p.status === 'ok').length,
  }),
);
