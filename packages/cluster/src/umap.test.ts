import { describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { umapReduce } from './umap.js';
import { exactKnn } from './knn.js';
import { wardClustering } from './ward.js';
import { adjustedMutualInfo } from './metrics.js';

/** Four well-separated Gaussian blobs in 10-d. */
function blobs(n: number, seed: number) {
  const rng = createRng(seed);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: 10 }, () => rng.normal() * 8));
  const data = new Float64Array(n * 10);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 4;
    y.push(c);
    for (let j = 0; j < 10; j++) data[i * 10 + j] = centres[c][j] + rng.normal();
  }
  return { x: { data, rows: n, dim: 10 }, y };
}

describe('umapReduce', () => {
  const { x, y } = blobs(160, 1);

  it('keeps separated groups separable (Ward on the embedding recovers them)', async () => {
    const emb = await umapReduce(x, { nComponents: 5, nNeighbors: 15, nEpochs: 60, seed: 3 });
    expect([emb.rows, emb.dim]).toEqual([160, 5]);
    const { labels } = wardClustering(emb, { nClusters: 4 });
    expect(adjustedMutualInfo(y, labels)).toBeGreaterThan(0.95);
  });

  it('exact neighbours match a brute-force search; the approximate search also separates the groups', async () => {
    const g = exactKnn(x, 7);
    for (const i of [0, 17, 159]) {
      const d = Array.from({ length: x.rows }, (_, j) => {
        let s = 0;
        for (let q = 0; q < x.dim; q++) s += (x.data[i * x.dim + q] - x.data[j * x.dim + q]) ** 2;
        return [Math.sqrt(s), j] as const;
      }).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      expect(g.indices[i]).toEqual(d.slice(0, 7).map((p) => p[1]));
      g.distances[i].forEach((v, t) => expect(v).toBeCloseTo(d[t][0], 12));
    }
    const emb = await umapReduce(x, { nComponents: 5, nNeighbors: 15, nEpochs: 60, seed: 3, knn: 'approximate' });
    expect(adjustedMutualInfo(y, wardClustering(emb, { nClusters: 4 }).labels)).toBeGreaterThan(0.95);
  });

  it('repeats exactly with the same seed and differs with another', async () => {
    const opts = { nComponents: 3, nNeighbors: 10, nEpochs: 20 };
    const a = await umapReduce(x, { ...opts, seed: 7 });
    const b = await umapReduce(x, { ...opts, seed: 7 });
    const c = await umapReduce(x, { ...opts, seed: 8 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('the typed-array epochs give exactly the embedding of umap-js step()', async () => {
    const opts = { nComponents: 4, nNeighbors: 10, nEpochs: 30, seed: 11 };
    const fast = await umapReduce(x, opts);
    const ref = await umapReduce(x, { ...opts, engine: 'umap-js' });
    expect(Array.from(fast.data)).toEqual(Array.from(ref.data));
  });

  it('reports progress per epoch and explains too-small inputs', async () => {
    const seen: number[] = [];
    await umapReduce(x, { nComponents: 2, nNeighbors: 10, nEpochs: 12, onProgress: (d) => seen.push(d) });
    expect(seen.at(-1)).toBe(12);
    await expect(umapReduce({ data: new Float64Array(20), rows: 10, dim: 2 })).rejects.toThrow(
      /needs more than 30 rows/,
    );
  });
});
