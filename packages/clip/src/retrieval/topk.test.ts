import { describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { TopK } from './topk.js';

describe('TopK', () => {
  it('keeps the k best by score, then lower index, in any insertion order', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = rng.int(1, 60);
      const k = rng.int(1, 12);
      // Few distinct scores, so ties are common.
      const items = Array.from({ length: n }, (_, i) => ({ s: rng.int(0, 5), i }));
      const heap = new TopK(k);
      for (const it of rng.shuffle([...items])) heap.push(it.s, it.i);
      const ids = new Int32Array(k);
      const scores = new Float32Array(k);
      heap.drain(ids, scores, 0);
      const want = [...items].sort((a, b) => b.s - a.s || a.i - b.i).slice(0, k);
      expect(Array.from(ids).slice(0, want.length)).toEqual(want.map((w) => w.i));
      for (let j = want.length; j < k; j++) {
        expect(ids[j]).toBe(-1);
        expect(scores[j]).toBe(-Infinity);
      }
    }
  });
});
