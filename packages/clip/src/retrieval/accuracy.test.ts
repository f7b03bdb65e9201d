import { describe, expect, it } from 'vitest';
import { harmonic, retrievalAccuracy } from './accuracy.js';

describe('retrievalAccuracy', () => {
  it('computes micro and macro top-k per rank and set, and the harmonic mean', () => {
    // keys: 0=A, 1=B, 2=C ; queries (seen): A->[0,1], A->[1,0], B->[2,1]; (unseen): C->[2,0], '' -> [0,1]
    const keyLabels = { species: ['A', 'B', 'C'] };
    const queryLabels = { species: ['A', 'A', 'B', 'C', ''] };
    const neighbours = Int32Array.from([0, 1, 1, 0, 2, 1, 2, 0, 0, 1]);
    const res = retrievalAccuracy({
      neighbours,
      maxK: 2,
      keyLabels,
      queryLabels,
      querySets: ['seen', 'seen', 'seen', 'unseen', 'unseen'],
      ranks: ['species'],
      ks: [1, 2],
    });
    const row = (k: number, set: string) => res.rows.find((r) => r.k === k && r.set === set)!;
    expect(row(1, 'seen')).toMatchObject({ micro: (100 * 1) / 3, macro: 25, queries: 3, classes: 2 }); // A: 1/2, B: 0
    expect(row(2, 'seen')).toMatchObject({ micro: 100, macro: 100 });
    expect(row(1, 'unseen')).toMatchObject({ micro: 100, macro: 100, queries: 1, unlabelled: 1 });
    expect(res.harmonicMean.find((h) => h.k === 1)!.macro).toBeCloseTo(40, 10); // 2*25*100/125
  });

  it('harmonic mean edge cases', () => {
    expect(harmonic(0, 0)).toBe(0);
    expect(harmonic(null, 50)).toBeNull();
    expect(harmonic(50, 50)).toBe(50);
  });
});
