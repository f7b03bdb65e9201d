/**
 * Synthetic paired features for tests, benchmarks and the demo: a taxonomy (orders > families > genera > species)
 * whose species have a latent position (hierarchical Gaussian), seen by each modality through its own fixed random
 * linear map, plus per-record nuisance of large variance in directions unrelated to taxonomy (pose, lighting,
 * sequencing noise). Frozen features therefore retrieve same-modality neighbours imperfectly and cross-modal ones at
 * chance, and alignment has something to learn. Splits follow the paper: seen species give train and test records,
 * unseen species give key_unseen and test_unseen.
 */
import { createRng, type Modality } from '@bioscan5m/core';
import type { PairedFeatures } from './paired-data.js';

export interface SyntheticPairsOptions {
  seed?: number;
  orders?: number;
  familiesPerOrder?: number;
  generaPerFamily?: number;
  speciesPerGenus?: number;
  /** Records per species in the key set (train / key_unseen) and the query set (test / test_unseen). */
  keysPerSpecies?: number;
  queriesPerSpecies?: number;
  /** Share of species held out as unseen (default 0.25). */
  unseenShare?: number;
  dims?: Partial<Record<Modality, number>>;
  /** Nuisance amplitude relative to the taxonomic signal (default 1.5). */
  nuisance?: number;
}

const LATENT = 24;

export function syntheticPairs(o: SyntheticPairsOptions = {}): PairedFeatures {
  const rng = createRng(o.seed ?? 0);
  const dims = { image: 96, dna: 64, text: 32, ...o.dims };
  const nuisance = o.nuisance ?? 1.5;
  const vec = (n: number, s: number) => Float64Array.from({ length: n }, () => s * rng.normal());
  const species: { labels: string[]; centre: Float64Array; unseen: boolean }[] = [];
  for (let a = 0; a < (o.orders ?? 4); a++) {
    const oc = vec(LATENT, 1);
    for (let f = 0; f < (o.familiesPerOrder ?? 3); f++) {
      const fc = oc.map((v) => v + 0.7 * rng.normal());
      for (let g = 0; g < (o.generaPerFamily ?? 3); g++) {
        const gc = fc.map((v) => v + 0.5 * rng.normal());
        for (let s = 0; s < (o.speciesPerGenus ?? 3); s++) {
          const sc = gc.map((v) => v + 0.4 * rng.normal());
          species.push({
            labels: [`O${a}`, `F${a}.${f}`, `G${a}.${f}.${g}`, `G${a}.${f}.${g} s${s}`],
            centre: sc,
            unseen: false,
          });
        }
      }
    }
  }
  const nUnseen = Math.round(species.length * (o.unseenShare ?? 0.25));
  for (const i of rng.sample(
    species.map((_, i) => i),
    nUnseen,
  ))
    species[i].unseen = true;
  const mods = (Object.keys(dims) as Modality[]).filter((m) => dims[m]! > 0);
  // Per modality: a signal map (latent -> features) and a nuisance map (its own latent -> features).
  const maps = Object.fromEntries(
    mods.map((m) => [
      m,
      { signal: vec(LATENT * dims[m]!, 1 / Math.sqrt(LATENT)), noise: vec(LATENT * dims[m]!, 1 / Math.sqrt(LATENT)) },
    ]),
  );
  const rows: { sp: number; split: string }[] = [];
  species.forEach((s, i) => {
    for (let k = 0; k < (o.keysPerSpecies ?? 6); k++) rows.push({ sp: i, split: s.unseen ? 'key_unseen' : 'train' });
    for (let k = 0; k < (o.queriesPerSpecies ?? 3); k++) rows.push({ sp: i, split: s.unseen ? 'test_unseen' : 'test' });
  });
  const features: PairedFeatures['features'] = {};
  for (const m of mods) {
    const d = dims[m]!;
    const data = new Float32Array(rows.length * d);
    const { signal, noise } = maps[m];
    rows.forEach((r, i) => {
      const c = species[r.sp].centre;
      const z = vec(LATENT, nuisance);
      // Each record also jitters around its species (intra-species variation shared across modalities is not modelled).
      for (let j = 0; j < d; j++) {
        let v = 0.15 * rng.normal();
        for (let t = 0; t < LATENT; t++) v += c[t] * signal[t * d + j] + z[t] * noise[t * d + j];
        data[i * d + j] = v;
      }
    });
    features[m] = { rows: rows.length, dim: d, data };
  }
  const ranks = ['order', 'family', 'genus', 'species'];
  return {
    rows: rows.length,
    features,
    labels: Object.fromEntries(ranks.map((r, k) => [r, rows.map((x) => species[x.sp].labels[k])])),
    split: rows.map((r) => r.split),
  };
}
