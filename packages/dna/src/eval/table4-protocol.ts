/**
 * The data protocol of the paper's Table 4 on a barcode table of any size: core's splitDataset (the paper's
 * species sets and partitions, identical barcodes in one split) gives pretrain / train / test; the open-world
 * probe fits 1-NN on seen species and queries species absent from the keys whose genus is present.
 *
 * On a small table the paper's unseen partitions (placeholder-named species with >= 8 samples) hold very few
 * barcodes (13 test_unseen samples of 2 species in the 4,834 shared barcodes), so the open world here also holds
 * out real species: openWorldSplit removes ~30% of the species of each genus with >= 2 species from the keys.
 * Queries = those species' samples + every *_unseen sample; keys = the train partition's other samples.
 */
import { splitDataset, type MetadataRecord, type Split } from '@bioscan5m/core';
import { openWorldSplit } from './protocols.js';

/** Which barcodes the masked-language model may see: the paper's (pretrain + other_heldout), or all but the test sets. */
export type PretrainCorpus = 'paper' | 'non-test';

export interface Table4Protocol {
  /** Partition of every row (core's splitDataset). */
  splits: Split[];
  /** Rows the MLM pretrains on (no label used). */
  pretrain: number[];
  /** Closed world: seen-species training rows (fine-tuning, linear probe, CNN) and their test rows. */
  train: number[];
  test: number[];
  /** Open world: 1-NN keys (seen species) and queries (species absent from the keys, genus present). */
  keys: number[];
  queries: number[];
}

export interface Table4ProtocolInput {
  recordIds: readonly string[];
  sequences: readonly string[];
  species: readonly string[];
  genus: readonly string[];
}

export function table4Protocol(
  d: Table4ProtocolInput,
  o: { seed?: number; pretrainOn?: PretrainCorpus; unseenFraction?: number } = {},
): Table4Protocol {
  const seed = o.seed ?? 0;
  const records = d.sequences.map(
    (seq, i) =>
      ({
        processid: d.recordIds[i] || `row${i}`,
        species: d.species[i],
        genus: d.genus[i],
        dna_barcode: seq,
      }) as Partial<MetadataRecord> as MetadataRecord,
  );
  const { splits } = splitDataset(records, { seed });
  const rowsOf = (...names: Split[]) => splits.flatMap((s, i) => (names.includes(s) ? [i] : []));
  const train = rowsOf('train');
  const test = rowsOf('test');
  // Real species held out of the keys (indices into `train`), plus the paper's unseen partitions.
  const held = openWorldSplit(
    train.map((i) => d.species[i]),
    train.map((i) => d.genus[i]),
    { seed, unseenFraction: o.unseenFraction },
  );
  const heldRows = new Set(held.test.map((j) => train[j]));
  const heldSpecies = new Set([...heldRows].map((i) => d.species[i]));
  const keys = train.filter((i) => !heldRows.has(i) && d.genus[i]);
  const keyGenera = new Set(keys.map((i) => d.genus[i]));
  const queries = splits.flatMap((s, i) => {
    const unseen = s === 'test_unseen' || s === 'val_unseen' || s === 'key_unseen';
    const heldOut = (s === 'train' || s === 'val' || s === 'test') && heldSpecies.has(d.species[i]);
    return (unseen || heldOut) && keyGenera.has(d.genus[i]) ? [i] : [];
  });
  const queried = new Set(queries);
  const pretrain =
    (o.pretrainOn ?? 'paper') === 'paper'
      ? rowsOf('pretrain', 'other_heldout')
      : splits.flatMap((s, i) => (s !== 'test' && !queried.has(i) ? [i] : []));
  return { splits, pretrain, train, test, keys, queries };
}
