/**
 * A synthetic taxonomy shaped like BIOSCAN-5M's: real classes/orders with the paper's sample shares, power-law
 * family and genus sizes, subfamily holes, placeholder genera, and a COI sequence at every internal node so
 * that species sequences diverge with taxonomic distance.
 */
import { createRng, type Rng } from '../rng.js';
import { mutate, randomRoot } from './dna.js';
import {
  CLASSES,
  FAMILIES,
  familyName,
  genusName,
  placeholderGenusName,
  subfamilyFrom,
  subfamilyName,
  uniqueName,
} from './names.js';

export interface SynthTaxonomy {
  classes: string[];
  orders: { name: string; cls: number; weight: number }[];
  families: { name: string; order: number; subfamilies: string[] }[];
  genera: { name: string; family: number; subfamily: string; placeholder: boolean; seq: Uint8Array }[];
  /** Cumulative species-placement weights over genera (species pick a genus by binary search). */
  genusCdf: Float64Array;
}

/** Divergence (p-distance) of each node's sequence from its parent's. */
export const DIVERGENCE = {
  class: 0.12,
  order: 0.1,
  family: 0.08,
  genus: [0.04, 0.08] as const,
  species: [0.025, 0.075] as const,
};

function zipf(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
}

export function cdfPick(cdf: Float64Array, u: number): number {
  const x = u * cdf[cdf.length - 1];
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Builds a taxonomy for `speciesCount` species: ~934 families and ~S/25 genera at full BIOSCAN-5M scale. */
export function buildTaxonomy(speciesCount: number, seed: number): SynthTaxonomy {
  const rng = createRng(seed ^ 0x5eed7a);
  const used = new Set<string>();
  const root = randomRoot(rng);
  const classes: string[] = [];
  const classSeqs: Uint8Array[] = [];
  const orders: SynthTaxonomy['orders'] = [];
  const orderSeqs: Uint8Array[] = [];
  for (const [cls, share, os] of CLASSES) {
    classes.push(cls);
    used.add(cls);
    const cseq = mutate(root, DIVERGENCE.class, rng);
    classSeqs.push(cseq);
    for (const [o, w] of os) {
      used.add(o);
      orders.push({ name: o, cls: classes.length - 1, weight: share * w });
      orderSeqs.push(mutate(cseq, DIVERGENCE.order, rng));
    }
  }
  const scale = Math.min(1, speciesCount / 324_411);
  const familyCount = Math.max(orders.length, Math.round(934 * Math.sqrt(scale)));
  // Families per order grow with the order's weight (sqrt keeps rare orders represented), at least one each.
  const sq = orders.map((o) => Math.sqrt(o.weight));
  const sqSum = sq.reduce((a, b) => a + b, 0);
  const perOrder = sq.map((w) => Math.max(1, Math.floor(((familyCount - orders.length) * w) / sqSum)));
  const families: SynthTaxonomy['families'] = [];
  const familySeqs: Uint8Array[] = [];
  const familyWeights: number[] = [];
  orders.forEach((o, oi) => {
    const real = FAMILIES[o.name] ?? [];
    const zw = zipf(perOrder[oi], 1.1);
    const zsum = zw.reduce((a, b) => a + b, 0);
    for (let k = 0; k < perOrder[oi]; k++) {
      const name =
        k < real.length && !used.has(real[k]) ? (used.add(real[k]), real[k]) : uniqueName(rng, used, familyName);
      const nSub = rng.random() < 0.3 ? 0 : 1 + Math.floor(-Math.log(1 - rng.random()) * 0.8);
      const subfamilies: string[] = [];
      for (let s = 0; s < nSub; s++) {
        const sub = s === 0 ? subfamilyFrom(name) : uniqueName(rng, used, subfamilyName);
        used.add(sub);
        subfamilies.push(sub);
      }
      families.push({ name, order: oi, subfamilies });
      familySeqs.push(mutate(orderSeqs[oi], DIVERGENCE.family, rng));
      familyWeights.push((o.weight * zw[k]) / zsum);
    }
  });
  const genusCount = Math.max(families.length, Math.round(speciesCount / 25));
  const genera: SynthTaxonomy['genera'] = [];
  const genusWeights: number[] = [];
  // Every family gets one genus; the rest go to families in proportion to their weight.
  const famCdf = new Float64Array(families.length);
  let acc = 0;
  familyWeights.forEach((w, i) => (famCdf[i] = acc += w));
  const byFamily: number[][] = families.map(() => []);
  for (let g = 0; g < genusCount; g++) {
    const f = g < families.length ? g : cdfPick(famCdf, rng.random());
    byFamily[f].push(g);
    genera.push({ name: '', family: f, subfamily: '', placeholder: false, seq: new Uint8Array(0) });
  }
  byFamily.forEach((gs, f) => {
    const fam = families[f];
    const zw = zipf(gs.length, 1.2);
    const zsum = zw.reduce((a, b) => a + b, 0);
    gs.forEach((g, k) => {
      const placeholder = rng.random() < 0.1;
      const genus = genera[g];
      genus.placeholder = placeholder;
      genus.name = uniqueName(rng, used, placeholder ? placeholderGenusName : genusName);
      // A genus the community has not grouped into a subfamily is a hole, filled as "unassigned <Family>".
      genus.subfamily =
        fam.subfamilies.length && rng.random() < 0.85
          ? fam.subfamilies[rng.int(0, fam.subfamilies.length - 1)]
          : `unassigned ${fam.name}`;
      genus.seq = mutate(
        familySeqs[f],
        DIVERGENCE.genus[0] + rng.random() * (DIVERGENCE.genus[1] - DIVERGENCE.genus[0]),
        rng,
      );
      genusWeights[g] = (familyWeights[f] * zw[k]) / zsum;
    });
  });
  const genusCdf = new Float64Array(genera.length);
  acc = 0;
  genusWeights.forEach((w, i) => (genusCdf[i] = acc += w));
  return { classes, orders, families, genera, genusCdf };
}

/** Lognormal draw. */
export function lognormal(rng: Rng, mu: number, sigma: number): number {
  return Math.exp(mu + sigma * rng.normal());
}

/**
 * Integer sizes >= 1 summing exactly to `total`, drawn from a lognormal (heavy-tailed, power-law-like) and
 * rounded by largest remainder.
 */
export function powerLawSizes(rng: Rng, count: number, total: number, mu = Math.log(2), sigma = 2.03): Int32Array {
  const raw = new Float64Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) sum += raw[i] = lognormal(rng, mu, sigma);
  const spare = total - count;
  const sizes = new Int32Array(count);
  const frac = new Float64Array(count);
  let assigned = 0;
  for (let i = 0; i < count; i++) {
    const t = (raw[i] * spare) / sum;
    const f = Math.floor(t);
    sizes[i] = 1 + f;
    frac[i] = t - f;
    assigned += 1 + f;
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => frac[b] - frac[a]);
  for (let k = 0; assigned < total; k = (k + 1) % count) {
    sizes[order[k]]++;
    assigned++;
  }
  return sizes;
}
