/**
 * The paper's seen/unseen protocol on any labelled records: a seeded share of species is held out as unseen
 * (their records split between key_unseen and test_unseen); the seen species' records split between train and
 * test. Records without a species, and species with a single record, are left out (split '') and counted.
 */
import { createRng } from '@bioscan5m/core';
import { rowsByLabel } from './paired-data.js';

export interface SpeciesSplitOptions {
  seed?: number;
  /** Share of species held out as unseen (default 0.25). */
  unseenShare?: number;
  /** Share of each species' records used as queries (test / test_unseen; default 0.3, at least one). */
  queryShare?: number;
}

export function splitBySpecies(
  species: readonly string[],
  o: SpeciesSplitOptions = {},
): { split: string[]; left: number } {
  const rng = createRng(o.seed ?? 0);
  const bySpecies = rowsByLabel(species);
  const names = [...bySpecies.keys()].filter((s) => bySpecies.get(s)!.length >= 2).sort();
  const unseen = new Set(rng.sample(names, Math.round(names.length * (o.unseenShare ?? 0.25))));
  const split = new Array<string>(species.length).fill('');
  let used = 0;
  for (const s of names) {
    const rows = rng.shuffle([...bySpecies.get(s)!]);
    const nq = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * (o.queryShare ?? 0.3))));
    rows.forEach(
      (r, j) => (split[r] = j < nq ? (unseen.has(s) ? 'test_unseen' : 'test') : unseen.has(s) ? 'key_unseen' : 'train'),
    );
    used += rows.length;
  }
  return { split, left: species.length - used };
}
