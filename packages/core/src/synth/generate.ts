/**
 * Synthetic BIOSCAN-5M metadata, streamed row by row with bounded memory: power-law species sizes, ~2 samples
 * per barcode, per-rank labelled fractions as Table 2, placeholder species names, collection sites, image-size
 * fields, splits (by the same per-species rules as `splitDataset`) and md5 chunks, and COI barcodes that evolve
 * down the taxonomy with a barcode gap (0-2% within species, 5-15% between species of a genus, more beyond).
 */
import { createRng, type Rng } from '../rng.js';
import { METADATA_FIELDS, type MetadataRecord } from '../schema.js';
import { createTableWriter, type TableWriter } from '../io/table.js';
import { checkOutputPaths } from '../io/output-path.js';
import { Bioscan5mError, UsageError } from '../errors.js';
import type { JobControl } from '../contracts/progress.js';
import { allocateSpecies, type SpeciesSet } from '../split/allocate.js';
import { imageChunk } from '../paths/image-path.js';
import { COI_LENGTH, mutate, toSequence } from './dna.js';
import { binUri, COUNTRIES, epithet, placeholderSpeciesName, uniqueName } from './names.js';
import { buildTaxonomy, cdfPick, DIVERGENCE, powerLawSizes, type SynthTaxonomy } from './taxonomy.js';

export interface SynthOptions {
  /** Number of rows (the release has 5,150,850). */
  rows: number;
  /** Seed for every random choice (default 0): the same seed gives the same file. */
  seed?: number;
  /** Mean samples per true species (BIN); default 15.88 as in the release (5,150,850 rows / 324,411 BINs). */
  samplesPerSpecies?: number;
  /** Probability that a sample starts a new barcode (Yule process); 0.449 gives ~2.07 samples per barcode. */
  newBarcodeRate?: number;
  /** Rows held for interleaving species in the output (default 16,384). */
  shuffleWindow?: number;
  /**
   * Share of rows given one raw-data annotation error of the kinds A4.4 cleans (default 0: the clean release):
   * case variant, misspelt "Malaise", lost zero padding, missing genus, genus typo, stray white space, and
   * (rarely) an open-nomenclature species such as "Pseudosciara sp." that cleaning must blank. The
   * underlying data is identical to the noise-free file of the same seed, so cleaning can be scored against it.
   */
  noise?: number;
}

export const NOISE_KINDS = [
  'case',
  'malaise',
  'padding',
  'missing-genus',
  'genus-typo',
  'whitespace',
  'open-nomenclature',
] as const;

/** Applies one annotation error to a row's labels (in place); returns false when none applies. */
function addNoise(f: string[], rng: Rng): boolean {
  const genus = f[F.genus];
  const species = f[F.species];
  const kinds: (typeof NOISE_KINDS)[number][] = [];
  if (genus) kinds.push('case', 'genus-typo', 'whitespace');
  if (species) kinds.push('missing-genus');
  if (/ Malaise\d+$/.test(species)) kinds.push('malaise', 'padding');
  if (!kinds.length) return false;
  const kind = species && rng.random() < 0.05 ? 'open-nomenclature' : kinds[rng.int(0, kinds.length - 1)];
  switch (kind) {
    case 'case':
      if (species && rng.random() < 0.5) f[F.species] = species.charAt(0).toLowerCase() + species.slice(1);
      else
        f[F.genus] =
          genus.toUpperCase() === genus ? genus.toLowerCase() : genus.charAt(0).toLowerCase() + genus.slice(1);
      return true;
    case 'genus-typo': {
      if (genus.length < 5) return false;
      const i = rng.int(1, genus.length - 3);
      f[F.genus] = genus.slice(0, i) + genus[i + 1] + genus[i] + genus.slice(i + 2);
      return f[F.genus] !== genus;
    }
    case 'whitespace':
      if (species) f[F.species] = species.replace(' ', '  ');
      else f[F.genus] = genus + ' ';
      return true;
    case 'missing-genus':
      f[F.genus] = '';
      return true;
    case 'malaise':
      f[F.species] = species.replace(/ Malaise(\d+)$/, rng.random() < 0.5 ? ' Malasie$1' : ' malaise$1');
      return true;
    case 'open-nomenclature':
      f[F.species] =
        rng.random() < 0.6
          ? `${genus || species.split(' ')[0]} sp.`
          : `${genus || species.split(' ')[0]} cf. ${epithet(rng)}`;
      return true;
    case 'padding': {
      const padded = species.replace(/ Malaise0+(\d)/, ' Malaise$1');
      f[F.species] = padded;
      return padded !== species;
    }
  }
}

/** Deepest rank a species can be labelled at; per-barcode depth is drawn from it (calibrated to Table 2). */
const enum Depth {
  Phylum = 0,
  Class = 1,
  Order = 2,
  Family = 3,
  Subfamily = 4,
  Genus = 5,
  Species = 6,
}

/**
 * Sample quotas of each species-level depth, solved so that the per-sample labelled fractions match Table 2
 * (phylum 100%, class 99.9, order 99.7, family 95.8, subfamily 28.6, genus 23.8, species 9.2): ~12% of the
 * samples of species-level species sit on extra barcodes labelled to genus only, and ~40% of genera are subfamily
 * holes (a subfamily-level label on a hole is no label).
 */
const Q_SPECIES = 0.1045;
const Q_GENUS = 0.238 - Q_SPECIES;
const Q_SUBFAMILY = 0.048 / 0.6;
const QUOTAS = [Q_SPECIES, Q_GENUS, Q_SUBFAMILY, 1 - Q_SPECIES - Q_GENUS - Q_SUBFAMILY];
const DEPTHS = [6, 5, 4, 3] as const;
/** Per-barcode depth of the remaining (family-or-coarser) species: family / order / class / phylum. */
const COARSE = [0.9413, 0.0546, 0.0027, 0.0014];

export const TABLE2_LABELLED_PERCENT = {
  phylum: 100,
  class: 99.9,
  order: 99.7,
  family: 95.8,
  subfamily: 28.6,
  genus: 23.8,
  species: 9.2,
} as const;

const COUNTRY_CDF = (() => {
  const c = new Float64Array(COUNTRIES.length);
  let a = 0;
  COUNTRIES.forEach(([, w], i) => (c[i] = a += w));
  return c;
})();

const WELLS = Array.from(
  { length: 96 },
  (_, i) => `${String.fromCharCode(65 + Math.floor(i / 12))}${String((i % 12) + 1).padStart(2, '0')}`,
);
const ISO: Record<string, string> = {
  'Costa Rica': 'CR',
  Canada: 'CA',
  'South Africa': 'ZA',
  Pakistan: 'PK',
  Thailand: 'TH',
  Australia: 'AU',
  Kenya: 'KE',
  Madagascar: 'MG',
  Germany: 'DE',
  Argentina: 'AR',
  'Papua New Guinea': 'PG',
  'Saudi Arabia': 'SA',
  Finland: 'FI',
  Norway: 'NO',
  Brazil: 'BR',
  Ecuador: 'EC',
  Egypt: 'EG',
  Bulgaria: 'BG',
  Tanzania: 'TZ',
  Greenland: 'GL',
};

function speciesSeed(seed: number, i: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) | 0;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

interface Plan {
  tax: SynthTaxonomy;
  sizes: Int32Array;
  genusOf: Int32Array;
  depth: Uint8Array;
  names: Map<number, string>;
  setOf: Map<number, SpeciesSet>;
}

/** Decides every species' genus, size, labelling depth and (for species-level ones) name and species set. */
function plan(opts: Required<Pick<SynthOptions, 'rows' | 'seed' | 'samplesPerSpecies'>>): Plan {
  const { rows, seed } = opts;
  const S = Math.max(1, Math.min(rows, Math.round(rows / opts.samplesPerSpecies)));
  const tax = buildTaxonomy(S, seed);
  const rng = createRng(seed ^ 0x51ce5);
  const sizes = powerLawSizes(rng, S, rows);
  const genusOf = new Int32Array(S);
  const depth = new Uint8Array(S);
  for (let s = 0; s < S; s++) genusOf[s] = cdfPick(tax.genusCdf, rng.random());
  // Depths are drawn in proportion to the quotas (species in random order), and a draw that would overfill its
  // quota goes to the least-filled depth instead: heavy-tailed sizes then cannot skew the labelled fractions.
  const bySize = rng.shuffle(Array.from({ length: S }, (_, i) => i));
  const filled = [0, 0, 0, 0];
  const mean = rows / S;
  for (const s of bySize) {
    // Identified species are larger than average (paper: 20.9 samples per labelled species vs 15.9 per BIN).
    const bias = Math.min(4, (sizes[s] / mean) ** 0.5);
    const u = rng.random();
    const q0 = QUOTAS[0] * bias;
    const q1 = q0 + QUOTAS[1] * bias;
    let k = u < q0 ? 0 : u < q1 ? 1 : u < q1 + QUOTAS[2] ? 2 : 3;
    if (filled[k] + sizes[s] > QUOTAS[k] * rows) {
      let best = 3;
      for (let j = 0; j < 4; j++) if (QUOTAS[j] * rows - filled[j] > QUOTAS[best] * rows - filled[best]) best = j;
      k = best;
    }
    filled[k] += sizes[s];
    depth[s] = DEPTHS[k];
  }
  // Names of species-level species; a genus is "seen" when one of them carries a scientific name.
  const names = new Map<number, string>();
  const scientific = new Set<number>();
  const seenGenus = new Set<number>();
  const used = new Set<string>();
  for (let s = 0; s < S; s++) {
    if (depth[s] !== Depth.Species) continue;
    const g = tax.genera[genusOf[s]];
    const sci = !g.placeholder && rng.random() < 0.58;
    const name = uniqueName(rng, used, (r) =>
      sci ? `${g.name} ${epithet(r)}` : placeholderSpeciesName(r, g.name, binUri(s)),
    );
    names.set(s, name);
    if (sci) {
      scientific.add(s);
      seenGenus.add(genusOf[s]);
    }
  }
  const setOf = new Map<number, SpeciesSet>();
  for (const s of names.keys()) {
    // The unseen test needs >= 8 species-labelled samples; decided on the planned size (labels follow below).
    setOf.set(s, scientific.has(s) ? 'seen' : seenGenus.has(genusOf[s]) && sizes[s] >= 8 ? 'unseen' : 'heldout');
  }
  return { tax, sizes, genusOf, depth, names, setOf };
}

/** A row before its identifiers are given (they follow output order). */
interface PendingRow {
  fields: string[];
  country: number;
}

const F = Object.fromEntries(METADATA_FIELDS.map((f, i) => [f, i])) as Record<(typeof METADATA_FIELDS)[number], number>;

function drawCountry(rng: Rng): number {
  return cdfPick(COUNTRY_CDF, rng.random());
}

/** All rows of one species, with its splits allocated barcode by barcode. */
function speciesRows(p: Plan, s: number, seed: number, newRate: number): PendingRow[] {
  const rng = createRng(speciesSeed(seed, s));
  const n = p.sizes[s];
  const g = p.tax.genera[p.genusOf[s]];
  const fam = p.tax.families[g.family];
  const ord = p.tax.orders[fam.order];
  const cls = p.tax.classes[ord.cls];
  const consensus = mutate(
    g.seq,
    DIVERGENCE.species[0] + rng.random() * (DIVERGENCE.species[1] - DIVERGENCE.species[0]),
    rng,
  );
  const bin = binUri(s);
  // Yule process: each sample starts a new barcode with probability newRate, else repeats one in proportion to use.
  const hapOfSample = new Int32Array(n);
  const counts: number[] = [1];
  for (let i = 1; i < n; i++) {
    if (rng.random() < newRate) {
      hapOfSample[i] = counts.length;
      counts.push(1);
    } else {
      const h = hapOfSample[rng.int(0, i - 1)]; // picking a random earlier sample = proportional to counts
      hapOfSample[i] = h;
      counts[h]++;
    }
  }
  const H = counts.length;
  const seqs: string[] = new Array(H);
  const hapDepth = new Uint8Array(H);
  const hasBin = new Uint8Array(H);
  const distinct = new Set<string>();
  for (let h = 0; h < H; h++) {
    // Haplotypes of a species are distinct barcodes (labels are per barcode, as in the cleaned release).
    let seq = '';
    let k = h > 0 ? Math.min(6, 1 + Math.floor(-Math.log(1 - rng.random()) * 1.5)) : 0;
    for (let attempt = 0; attempt === 0 || distinct.has(seq); attempt++) {
      seq = toSequence(k ? mutate(consensus, k / COI_LENGTH, rng) : consensus);
      const u = rng.random();
      if (u < 0.05) seq = seq.slice(0, rng.int(450, COI_LENGTH - 1));
      else if (u < 0.06)
        seq = seq.slice(0, rng.int(100, 600)) + 'N'.repeat(rng.int(1, 3)) + seq.slice(rng.int(601, 620));
      if (attempt > 3) k = Math.min(13, k + 1);
    }
    distinct.add(seq);
    seqs[h] = seq;
    hasBin[h] = rng.random() < 0.997 ? 1 : 0;
    const d = p.depth[s];
    if (d === Depth.Species) hapDepth[h] = h === 0 || rng.random() < 0.85 ? Depth.Species : Depth.Genus;
    else if (d !== Depth.Family) hapDepth[h] = d;
    else {
      const v = rng.random();
      hapDepth[h] =
        v < COARSE[0]
          ? Depth.Family
          : v < COARSE[0] + COARSE[1]
            ? Depth.Order
            : v < COARSE[0] + COARSE[1] + COARSE[2]
              ? Depth.Class
              : Depth.Phylum;
    }
  }
  // Splits: species-labelled barcodes follow the species-set rules; the rest are unknown -> pretrain.
  const hapSplit: string[] = new Array(H).fill('pretrain');
  const set = p.setOf.get(s);
  if (set) {
    const labelled: number[] = [];
    for (let h = 0; h < H; h++) if (hapDepth[h] === Depth.Species) labelled.push(h);
    let nLabelled = 0;
    for (const h of labelled) nLabelled += counts[h];
    const effective: SpeciesSet = set === 'unseen' && nLabelled < 8 ? 'heldout' : set;
    const splits = allocateSpecies(
      effective,
      labelled.map((h) => counts[h]),
      rng,
    );
    labelled.forEach((h, j) => (hapSplit[h] = splits[j]));
  }
  const home = drawCountry(rng);
  const name = p.names.get(s) ?? '';
  const rows: PendingRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const h = hapOfSample[i];
    const d = hapDepth[h];
    const f = new Array<string>(METADATA_FIELDS.length).fill('');
    f[F.phylum] = 'Arthropoda';
    if (d >= Depth.Class) f[F.class] = cls;
    if (d >= Depth.Order) f[F.order] = ord.name;
    if (d >= Depth.Family) f[F.family] = fam.name;
    if (d >= Depth.Subfamily && (d >= Depth.Genus || !g.subfamily.startsWith('unassigned ')))
      f[F.subfamily] = g.subfamily;
    if (d >= Depth.Genus) f[F.genus] = g.name;
    if (d >= Depth.Species) f[F.species] = name;
    f[F.taxon] = f[F.species] || f[F.genus] || f[F.subfamily] || f[F.family] || f[F.order] || f[F.class] || f[F.phylum];
    if (hasBin[h]) f[F.dna_bin] = bin;
    let seq = seqs[h];
    if (rng.random() < 0.004) seq += 'N'.repeat(rng.int(1, 20)); // trailing-N variant of a barcode
    f[F.dna_barcode] = seq;
    const c = rng.random() < 0.8 ? home : drawCountry(rng);
    const [, , provinces] = COUNTRIES[c];
    const pi = rng.int(0, provinces.length - 1);
    const [prov, lat, lon] = provinces[pi];
    f[F.country] = COUNTRIES[c][0];
    if (rng.random() >= 0.018) f[F.province_state] = prov;
    if (rng.random() >= 0.0004) {
      const site = rng.int(0, 29);
      f[F['coord-lat']] = (lat + (((site * 7) % 11) - 5) * 0.03).toFixed(3);
      f[F['coord-lon']] = (lon + (((site * 5) % 13) - 6) * 0.03).toFixed(3);
    }
    // Size: organism pixel count, and the crop geometry of the crop tool (box enlarged by 0.2*max(w,h) per side).
    const pixels = Math.round(Math.exp(9.2 + 1.0 * rng.normal()));
    if (rng.random() >= 0.008) f[F.image_measurement_value] = String(pixels);
    const aspect = 0.6 + 0.8 * rng.random();
    const w = Math.min(1024, Math.sqrt(pixels * 1.8 * aspect));
    const hh = Math.min(768, Math.sqrt((pixels * 1.8) / aspect));
    const m = 0.4 * Math.max(w, hh);
    const wc = Math.min(1024, Math.max(64, w + m));
    const hc = Math.min(768, Math.max(64, hh + m));
    f[F.area_fraction] = String(round4((wc * hc) / (1024 * 768)));
    f[F.scale_factor] = String(round4(Math.min(wc, hc) / 256));
    // inferred_ranks: ~3.4% of samples (172,895 of 5.15M) had a label copied from same-barcode samples.
    // Code c means the rank (7 - c) and everything beneath it were copied, so it needs a label down to that rank
    // (c >= 7 - depth); the finest copy is the most common.
    let inferred = 0;
    const labelledTo = d === Depth.Subfamily && !f[F.subfamily] ? Depth.Family : d;
    if (counts[h] > 1 && labelledTo >= Depth.Class && rng.random() < 0.068) {
      inferred = Math.min(6, 7 - labelledTo + Math.floor(-Math.log(1 - rng.random()) * 0.9));
    }
    f[F.inferred_ranks] = String(inferred);
    f[F.split] = hapSplit[h];
    rows[i] = { fields: f, country: c };
  }
  return rows;
}

/**
 * Streams synthetic rows as string fields in the release's column order (METADATA_FIELDS). Memory stays bounded
 * by the taxonomy (~10 MB at full scale), the largest species and the shuffle window.
 */
export function* synthesizeMetadataRows(options: SynthOptions): Generator<string[]> {
  const rows = Math.floor(options.rows);
  if (!(rows >= 0) || !Number.isFinite(rows))
    throw new UsageError(`expected a non-negative integer, got ${options.rows}`, 'rows');
  const noiseShare = options.noise ?? 0;
  if (!(noiseShare >= 0 && noiseShare <= 1))
    throw new UsageError(`expected a share in [0, 1], got ${options.noise}`, 'noise');
  if (options.samplesPerSpecies !== undefined && !(options.samplesPerSpecies >= 1)) {
    throw new UsageError(`expected a number >= 1, got ${options.samplesPerSpecies}`, 'samplesPerSpecies');
  }
  if (options.newBarcodeRate !== undefined && !(options.newBarcodeRate > 0 && options.newBarcodeRate <= 1)) {
    throw new UsageError(`expected a rate in (0, 1], got ${options.newBarcodeRate}`, 'newBarcodeRate');
  }
  if (rows === 0) return;
  const seed = options.seed ?? 0;
  const p = plan({ rows, seed, samplesPerSpecies: options.samplesPerSpecies ?? 5_150_850 / 324_411 });
  const newRate = options.newBarcodeRate ?? 0.449;
  const windowSize = Math.max(1, options.shuffleWindow ?? 16_384);
  const rng = createRng(seed ^ 0x0dde7);
  // A separate stream, so that noise never shifts the data itself.
  const noise = options.noise ?? 0;
  const noiseRng = createRng(seed ^ 0x4015e);
  const speciesOrder = rng.shuffle(Array.from({ length: p.sizes.length }, (_, i) => i));
  const pool: PendingRow[] = [];
  let counter = 0;
  let index1m = 0;
  const emit = (r: PendingRow): string[] => {
    const f = r.fields;
    const k = counter++;
    const iso = ISO[COUNTRIES[r.country][0]] ?? 'XX';
    f[F.processid] =
      `GM${iso}${String.fromCharCode(65 + (k % 7))}${1000 + Math.floor(k / 7)}-${String(17 + (k % 6)).padStart(2, '0')}`;
    f[F.sampleid] = `BIOUG${String(1000 + Math.floor(k / 96)).padStart(5, '0')}-${WELLS[k % 96]}`;
    f[F.chunk] = imageChunk(f[F.processid], f[F.split]);
    if (rng.random() < 0.219) f[F.index_bioscan_1M_insect] = String(index1m++);
    if (noise > 0 && noiseRng.random() < noise) addNoise(f, noiseRng);
    return f;
  };
  for (const s of speciesOrder) {
    for (const r of speciesRows(p, s, seed, newRate)) {
      if (pool.length < windowSize) {
        pool.push(r);
        continue;
      }
      const j = rng.int(0, pool.length - 1);
      const out = pool[j];
      pool[j] = r;
      yield emit(out);
    }
  }
  rng.shuffle(pool);
  for (const r of pool) yield emit(r);
}

const NUMERIC = new Set([
  'coord-lat',
  'coord-lon',
  'image_measurement_value',
  'area_fraction',
  'scale_factor',
  'inferred_ranks',
  'index_bioscan_1M_insect',
]);

/** Converts one row of string fields (METADATA_FIELDS order) into a typed MetadataRecord. */
export function rowToRecord(fields: readonly string[]): MetadataRecord {
  const rec: Record<string, string | number | null> = {};
  METADATA_FIELDS.forEach((name, i) => {
    const v = fields[i] ?? '';
    rec[name] = NUMERIC.has(name) ? (v === '' ? null : Number(v)) : v;
  });
  return rec as unknown as MetadataRecord;
}

/** Streams synthetic BIOSCAN-5M records (see synthesizeMetadataRows). */
export function* synthesizeMetadata(options: SynthOptions): Generator<MetadataRecord> {
  for (const fields of synthesizeMetadataRows(options)) yield rowToRecord(fields);
}

/** Writes the rows to `writer`, yielding the row count every `every` rows (progress and interrupt points). */
function* writeRows(writer: TableWriter, options: SynthOptions, every: number): Generator<number> {
  let n = 0;
  for (const fields of synthesizeMetadataRows(options)) {
    writer.write(fields);
    if (++n % every === 0) yield n;
  }
  yield n;
}

export interface SynthJobOptions extends SynthOptions, JobControl {
  /** Output CSV (written atomically). */
  out: string;
}

export interface SynthJobSummary {
  out: string;
  rows: number;
}

/**
 * `bioscan5m synth`: writes the synthetic CSV atomically, returning to the event loop every 20,000 rows so that
 * a signal handler (temp-file removal) or an abort can run; aborted, it removes its temp file and throws a
 * BIOSCAN5M_INTERRUPTED error.
 */
export async function runSynthJob(options: SynthJobOptions): Promise<SynthJobSummary> {
  checkOutputPaths({ outputs: { out: options.out } });
  const writer = createTableWriter(options.out, METADATA_FIELDS);
  let n = 0;
  try {
    for (n of writeRows(writer, options, 20_000)) {
      options.onProgress?.(n, options.rows);
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted)
        throw new Bioscan5mError(
          `synth interrupted after ${n} rows; nothing was written to ${options.out}`,
          'BIOSCAN5M_INTERRUPTED',
          { cause: options.signal.reason },
        );
    }
    writer.close();
  } finally {
    writer.abort();
  }
  return { out: options.out, rows: n };
}
