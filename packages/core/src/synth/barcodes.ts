/**
 * DNA-only synthetic reference sets: every record labelled to species, with the taxonomy and a COI barcode that
 * evolved along it (same model as synthesizeMetadata), for identification benchmarks (e.g. 300k sequences).
 */
import { createRng } from '../rng.js';
import type { MetadataRecord } from '../schema.js';
import { COI_LENGTH, mutate, toSequence } from './dna.js';
import { binUri, epithet, uniqueName } from './names.js';
import { buildTaxonomy, cdfPick, DIVERGENCE } from './taxonomy.js';

/** The metadata fields a synthetic reference record fills. */
export type SyntheticBarcode = Pick<
  MetadataRecord,
  'processid' | 'phylum' | 'class' | 'order' | 'family' | 'subfamily' | 'genus' | 'species' | 'dna_bin' | 'dna_barcode'
>;

export interface SynthBarcodesOptions {
  /** Number of species. */
  species: number;
  /** Samples per species: a number, or [min, max] drawn uniformly per species. */
  perSpecies: number | [number, number];
  seed?: number;
  /** Probability that a sample starts a new haplotype (default 0.5). */
  newBarcodeRate?: number;
}

/** Streams synthetic species-labelled barcodes, species by species. */
export function* iterateSyntheticBarcodes(opts: SynthBarcodesOptions): Generator<SyntheticBarcode> {
  const seed = opts.seed ?? 0;
  const S = Math.max(0, Math.floor(opts.species));
  if (S === 0) return;
  const tax = buildTaxonomy(S, seed);
  // Only scientific genera: every record here is identified to a named species.
  const rng = createRng(seed ^ 0xba5c0de);
  const used = new Set<string>();
  const newRate = opts.newBarcodeRate ?? 0.5;
  let k = 0;
  for (let s = 0; s < S; s++) {
    let gi = cdfPick(tax.genusCdf, rng.random());
    for (let tries = 0; tax.genera[gi].placeholder && tries < 20; tries++) gi = cdfPick(tax.genusCdf, rng.random());
    const g = tax.genera[gi];
    const fam = tax.families[g.family];
    const ord = tax.orders[fam.order];
    const name = uniqueName(rng, used, (r) => `${g.name} ${epithet(r)}`);
    const n = Array.isArray(opts.perSpecies) ? rng.int(opts.perSpecies[0], opts.perSpecies[1]) : opts.perSpecies;
    const consensus = mutate(
      g.seq,
      DIVERGENCE.species[0] + rng.random() * (DIVERGENCE.species[1] - DIVERGENCE.species[0]),
      rng,
    );
    const haps: string[] = [];
    for (let i = 0; i < n; i++) {
      let seq: string;
      if (i === 0 || rng.random() < newRate) {
        const m = i === 0 ? 0 : Math.min(6, 1 + Math.floor(-Math.log(1 - rng.random()) * 1.5));
        seq = toSequence(m ? mutate(consensus, m / COI_LENGTH, rng) : consensus);
        haps.push(seq);
      } else seq = haps[rng.int(0, haps.length - 1)];
      yield {
        processid: `SYN${String(k++).padStart(7, '0')}`,
        phylum: 'Arthropoda',
        class: tax.classes[ord.cls],
        order: ord.name,
        family: fam.name,
        subfamily: g.subfamily,
        genus: g.name,
        species: name,
        dna_bin: binUri(s),
        dna_barcode: seq,
      };
    }
  }
}

/** Synthetic species-labelled barcodes as an array (see iterateSyntheticBarcodes for streaming). */
export function synthesizeBarcodes(opts: SynthBarcodesOptions): SyntheticBarcode[] {
  return Array.from(iterateSyntheticBarcodes(opts));
}
