// Fallback generator of a BIOSCAN-5M-format metadata CSV for the stats benchmark, used only when the
// project's `bioscan5m synth` is not built. Shapes follow Table 2 (labelled share per rank, ~2 records per
// barcode, 324k BINs at full size); it is a load generator, not a realistic dataset.
// Usage: node stats-synthetic.mjs OUT.csv ROWS [SEED]
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

const [out, rowsArg, seedArg] = process.argv.slice(2);
const rows = Number(rowsArg);
let s = Number(seedArg ?? 1) >>> 0 || 1;
const rand = () => {
  // xorshift32: fast and seeded
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  s >>>= 0;
  return s / 4294967296;
};
const pareto = (n) => Math.min(n - 1, Math.floor(n * rand() ** 3));
const scale = rows / 5150850;
const nBarcodes = Math.max(1, Math.round(2486492 * scale));
const nBins = Math.max(1, Math.round(324411 * scale));
const nSpecies = Math.max(1, Math.round(22622 * Math.sqrt(scale)));
const nGenera = Math.max(1, Math.round(7605 * Math.sqrt(scale)));
const header =
  'processid,sampleid,taxon,phylum,class,order,family,subfamily,genus,species,dna_bin,dna_barcode,country,province_state,coord-lat,coord-lon,image_measurement_value,area_fraction,scale_factor,inferred_ranks,split,index_bioscan_1M_insect,chunk\n';
const splits = ['pretrain', 'train', 'val', 'test', 'key_unseen', 'val_unseen', 'test_unseen', 'other_heldout'];
const countries = ['Costa Rica', 'Canada', 'South Africa', 'Thailand', 'Pakistan', 'Kenya'];
const base = Array.from({ length: 658 }, () => 'ACGT'[Math.floor(rand() * 4)]).join('');
function barcode(id) {
  // A base sequence with id-dependent substitutions: distinct ids give distinct strings.
  const chars = base.split('');
  let x = id + 1;
  for (let k = 0; x > 0; k++) {
    chars[(k * 37 + 11) % 658] = 'ACGT'[x & 3];
    x >>>= 2;
  }
  return chars.join('');
}
const tmp = `${out}.tmp-${process.pid}`;
const fd = openSync(tmp, 'w');
writeSync(fd, header);
let buf = [];
let len = 0;
for (let i = 0; i < rows; i++) {
  const order = `Order${pareto(55)}`;
  const family = rand() < 0.958 ? `Family${pareto(934)}` : '';
  const subfamily = rand() < 0.286 ? `Subfamily${pareto(1542)}` : '';
  const g = pareto(nGenera);
  const genus = rand() < 0.238 ? `Genus${g}` : '';
  const species = genus && rand() < 0.38 ? `Genus${g} sp${pareto(nSpecies)}` : '';
  const taxon = species || genus || subfamily || family || order;
  const bin = rand() < 0.997 ? `BOLD:A${pareto(nBins).toString(36).toUpperCase().padStart(5, 'A')}` : '';
  const split = species ? splits[1 + Math.floor(rand() * 7)] : 'pretrain';
  const c = Math.floor(rand() * countries.length);
  const site = pareto(1650); // Table A4: 1,650 distinct collection sites
  const lat = (((site * 7919) % 6000) / 100 - 20).toFixed(3);
  const lon = (((site * 104729) % 18000) / 100 - 90).toFixed(3);
  const line = `BIOUG${i}-A01,BIOUG${i},${taxon},Arthropoda,Insecta,${order},${family},${subfamily},${genus},${species},${bin},${barcode(Math.floor(rand() * nBarcodes))},${countries[c]},Province${c},${lat},${lon},${Math.floor(rand() * 90000)},${rand().toFixed(4)},${(0.5 + rand()).toFixed(4)},${Math.floor(rand() * 7)},${split},${rand() < 0.2 ? i : ''},${
    split === 'pretrain'
      ? Math.floor(rand() * 256)
          .toString(16)
          .padStart(2, '0')
      : ''
  }\n`;
  buf.push(line);
  len += line.length;
  if (len > 1 << 22) {
    writeSync(fd, buf.join(''));
    buf = [];
    len = 0;
  }
}
writeSync(fd, buf.join(''));
closeSync(fd);
renameSync(tmp, out);
