/**
 * Seeded randomness shared by every package, so that a run with the same seed gives the same
 * partitions, synthetic data and model initialisation. Backed by pure-rand's xoroshiro128+.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

export interface Rng {
  /** Uniform float in [0, 1). */
  random(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** `k` distinct items drawn without replacement, in draw order. */
  sample<T>(items: readonly T[], k: number): T[];
  /** An independent generator derived from this one (for sub-tasks that must not shift the parent stream). */
  fork(): Rng;
}

export function createRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed | 0);
  let spare: number | null = null;
  const rng: Rng = {
    random: () => uniformFloat64(gen),
    int: (min, max) => uniformInt(gen, min, max),
    normal() {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      let u = 0;
      while (u === 0) u = uniformFloat64(gen);
      const v = uniformFloat64(gen);
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = uniformInt(gen, 0, i);
        const t = items[i];
        items[i] = items[j];
        items[j] = t;
      }
      return items;
    },
    sample(items, k) {
      const idx = Array.from(items, (_, i) => i);
      const n = Math.min(k, idx.length);
      for (let i = 0; i < n; i++) {
        const j = uniformInt(gen, i, idx.length - 1);
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
      return idx.slice(0, n).map((i) => items[i]);
    },
    fork: () => createRng(gen.next()),
  };
  return rng;
}
