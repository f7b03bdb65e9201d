/**
 * Evaluation splits in the spirit of the paper's Table 4: closed world (test species all seen in train) and
 * open world (test species absent from train, their genus present), keeping identical barcodes on one side.
 */
import { createRng } from '@bioscan5m/core';

export interface SplitIndices {
  train: number[];
  test: number[];
}

const barcodeKey = (s: string) => s.toUpperCase().replace(/[^ACGT]/g, '');

/**
 * Closed world: per species with >= 2 distinct barcodes, about `testFraction` of its barcodes (at least one,
 * never all) go to test with every sample carrying them; the rest is train.
 */
export function closedWorldSplit(sequences: readonly string[], species: readonly string[], opts: { testFraction?: number; seed?: number } = {}): SplitIndices {
  const rng = createRng(opts.seed ?? 0);
  const frac = opts.testFraction ?? 0.2;
  const bySpecies = new Map<string, Map<string, number[]>>();
  species.forEach((sp, i) => {
    if (!sp) return;
    const m = bySpecies.get(sp) ?? new Map<string, number[]>();
    const key = barcodeKey(sequences[i]);
    m.set(key, [...(m.get(key) ?? []), i]);
    bySpecies.set(sp, m);
  });
  const out: SplitIndices = { train: [], test: [] };
  for (const sp of [...bySpecies.keys()].sort()) {
    const groups = [...bySpecies.get(sp)!.values()];
    rng.shuffle(groups);
    const nTest = groups.length >= 2 ? Math.max(1, Math.min(groups.length - 1, Math.round(groups.length * frac))) : 0;
    groups.forEach((g, j) => (j < nTest ? out.test : out.train).push(...g));
  }
  out.train.sort((a, b) => a - b);
  out.test.sort((a, b) => a - b);
  return out;
}

/**
 * Open world: within genera that have >= 2 species, about `unseenFraction` of the species (at least one,
 * never all) are held out entirely as test; train keeps the others.
 */
export function openWorldSplit(species: readonly string[], genus: readonly string[], opts: { unseenFraction?: number; seed?: number } = {}): SplitIndices {
  const rng = createRng(opts.seed ?? 0);
  const frac = opts.unseenFraction ?? 0.3;
  const speciesOfGenus = new Map<string, Set<string>>();
  species.forEach((sp, i) => {
    if (!sp || !genus[i]) return;
    const s = speciesOfGenus.get(genus[i]) ?? new Set<string>();
    s.add(sp);
    speciesOfGenus.set(genus[i], s);
  });
  const unseen = new Set<string>();
  for (const g of [...speciesOfGenus.keys()].sort()) {
    const list = [...speciesOfGenus.get(g)!].sort();
    if (list.length < 2) continue;
    rng.shuffle(list);
    const n = Math.max(1, Math.min(list.length - 1, Math.round(list.length * frac)));
    list.slice(0, n).forEach((s) => unseen.add(s));
  }
  const out: SplitIndices = { train: [], test: [] };
  species.forEach((sp, i) => {
    if (!sp || !genus[i]) return;
    (unseen.has(sp) ? out.test : out.train).push(i);
  });
  return out;
}
