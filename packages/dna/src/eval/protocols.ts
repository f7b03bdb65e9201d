/**
 * Evaluation splits in the spirit of the paper's Table 4: closed world (test species all seen in train) and
 * open world (test species absent from train, their genus present), keeping identical barcodes on one side.
 */
import { barcodeKey, createRng } from '@bioscan5m/core';

export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Closed world: samples are grouped by barcode (core's barcodeKey) across species; each group belongs to the
 * species of its first sample. Per species with >= 2 groups, about `testFraction` of its groups (at least one,
 * never all) go to test; the rest is train. A test group holding a species absent from train moves to train.
 */
export function closedWorldSplit(
  sequences: readonly string[],
  species: readonly string[],
  opts: { testFraction?: number; seed?: number } = {},
): SplitIndices {
  const rng = createRng(opts.seed ?? 0);
  const frac = opts.testFraction ?? 0.2;
  const groups = new Map<string, number[]>();
  species.forEach((sp, i) => {
    if (!sp) return;
    const key = barcodeKey(sequences[i]);
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const bySpecies = new Map<string, number[][]>();
  for (const g of groups.values()) {
    const owner = species[g[0]];
    bySpecies.set(owner, [...(bySpecies.get(owner) ?? []), g]);
  }
  const trainGroups: number[][] = [];
  let testGroups: number[][] = [];
  for (const sp of [...bySpecies.keys()].sort()) {
    const list = bySpecies.get(sp)!;
    rng.shuffle(list);
    const nTest = list.length >= 2 ? Math.max(1, Math.min(list.length - 1, Math.round(list.length * frac))) : 0;
    list.forEach((g, j) => (j < nTest ? testGroups : trainGroups).push(g));
  }
  const seen = new Set(trainGroups.flat().map((i) => species[i]));
  const moved = testGroups.filter((g) => g.some((i) => !seen.has(species[i])));
  testGroups = testGroups.filter((g) => !moved.includes(g));
  trainGroups.push(...moved);
  return { train: trainGroups.flat().sort((a, b) => a - b), test: testGroups.flat().sort((a, b) => a - b) };
}

/**
 * Open world: within genera that have >= 2 species, about `unseenFraction` of the species (at least one,
 * never all) are held out entirely as test; train keeps the others.
 */
export function openWorldSplit(
  species: readonly string[],
  genus: readonly string[],
  opts: { unseenFraction?: number; seed?: number } = {},
): SplitIndices {
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
