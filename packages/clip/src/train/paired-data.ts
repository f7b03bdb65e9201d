/**
 * Paired training records: one row per specimen (or per pair made by species), with frozen features per modality
 * and taxonomy labels. Batches are a seeded permutation per epoch, derived from (seed, epoch) alone, so a resumed
 * run draws the same batches as an uninterrupted one.
 */
import { Bioscan5mError, createRng, type Embeddings, type Modality } from '@bioscan5m/core';

export interface PairedFeatures {
  /** Records in this set. */
  rows: number;
  /** Frozen encoder output per modality, `rows` rows each (any Encoder's output, or a .npy from any tool). */
  features: Partial<Record<Modality, Embeddings>>;
  /** Labels per rank (order, family, genus, species), '' = not labelled. */
  labels: Record<string, string[]>;
  /** Split of each record (train, key_unseen, test, test_unseen...). */
  split: string[];
  /** DNA barcodes of the records, for training through a DNA encoder (ClipTrainOptions.dnaEncoder). */
  sequences?: string[];
}

export function checkPaired(p: PairedFeatures): void {
  for (const [m, e] of Object.entries(p.features)) {
    if (e && e.rows !== p.rows)
      throw new Bioscan5mError(`${m} features have ${e.rows} rows, the paired set has ${p.rows}`, 'BIOSCAN5M_INPUT');
  }
  for (const [r, v] of Object.entries(p.labels))
    if (v.length !== p.rows)
      throw new Bioscan5mError(`${r} labels have ${v.length} rows, the paired set has ${p.rows}`, 'BIOSCAN5M_INPUT');
  if (p.split.length !== p.rows)
    throw new Bioscan5mError(`split has ${p.split.length} rows, the paired set has ${p.rows}`, 'BIOSCAN5M_INPUT');
}

/** The records of `p` at `index`, in that order. */
export function selectRows(p: PairedFeatures, index: readonly number[]): PairedFeatures {
  const features: PairedFeatures['features'] = {};
  for (const [m, e] of Object.entries(p.features) as [Modality, Embeddings][]) {
    const data = new Float32Array(index.length * e.dim);
    index.forEach((r, i) => data.set(e.data.subarray(r * e.dim, (r + 1) * e.dim), i * e.dim));
    features[m] = { rows: index.length, dim: e.dim, data };
  }
  return {
    rows: index.length,
    features,
    labels: Object.fromEntries(Object.entries(p.labels).map(([r, v]) => [r, index.map((i) => v[i])])),
    split: index.map((i) => p.split[i]),
    sequences: p.sequences && index.map((i) => p.sequences![i]),
  };
}

/** Record indices of batch `step` (0-based): epoch e's batches are slices of a permutation seeded by (seed, e). */
export function batchAt(rows: number, batchSize: number, seed: number, step: number): Int32Array {
  if (rows < 2)
    throw new Bioscan5mError(`contrastive training needs at least 2 paired records, got ${rows}`, 'BIOSCAN5M_INPUT');
  const b = Math.min(batchSize, rows);
  const perEpoch = Math.floor(rows / b); // the last partial batch is dropped, as drop_last=True
  const epoch = Math.floor(step / perEpoch);
  const order = createRng(seed * 1_000_003 + epoch).shuffle(Array.from({ length: rows }, (_, i) => i));
  const start = (step % perEpoch) * b;
  return Int32Array.from(order.slice(start, start + b));
}

/**
 * Pairs records of two modalities that come from different specimens by species (a documented choice: the shared
 * data has photos with labels and barcodes with labels, rarely of one specimen). Every record of `a` with a
 * species present in `b` is paired with the b-records of that species in a seeded rotation, so each b-record is
 * used about equally often. Returns index pairs; records without a species or without a partner are left out
 * and counted.
 */
export function pairBySpecies(
  aSpecies: readonly string[],
  bSpecies: readonly string[],
  seed: number,
): { a: number[]; b: number[]; unpaired: number } {
  const byS = rowsByLabel(bSpecies);
  const rng = createRng(seed);
  for (const list of byS.values()) rng.shuffle(list);
  const next = new Map<string, number>();
  const a: number[] = [];
  const b: number[] = [];
  let unpaired = 0;
  aSpecies.forEach((s, i) => {
    const list = s ? byS.get(s) : undefined;
    if (!list) {
      unpaired++;
      return;
    }
    const k = next.get(s) ?? 0;
    next.set(s, k + 1);
    a.push(i);
    b.push(list[k % list.length]);
  });
  return { a, b, unpaired };
}

/** Row indices of each non-empty label, in row order. */
export function rowsByLabel(labels: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  labels.forEach((s, i) => {
    if (!s) return;
    const list = out.get(s);
    if (list) list.push(i);
    else out.set(s, [i]);
  });
  return out;
}
