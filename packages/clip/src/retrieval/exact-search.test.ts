import { describe, expect, it } from 'vitest';
import { createRng, embeddings, type Embeddings } from '@bioscan5m/core';
import { ExactSearchIndex, dotRow } from './exact-search.js';
import { createSearchIndex } from './create-index.js';
import { loadFaiss } from './faiss-search.js';
import { l2Normalize } from './normalize.js';

function randomEmbeddings(seed: number, rows: number, dim: number, levels = 0): Embeddings {
  const rng = createRng(seed);
  // levels > 0 quantises values so that many inner products tie exactly.
  const data = Float32Array.from({ length: rows * dim }, () =>
    levels ? rng.int(-levels, levels) / levels : rng.normal(),
  );
  return embeddings(data, rows, dim);
}

/** Brute force: every score, sorted by (score desc, index asc). */
function bruteForce(keys: Embeddings, queries: Embeddings, k: number): { ids: number[][]; scores: number[][] } {
  const ids: number[][] = [];
  const scores: number[][] = [];
  for (let q = 0; q < queries.rows; q++) {
    const all = Array.from({ length: keys.rows }, (_, i) => ({
      i,
      s: dotRow(queries.data, q * queries.dim, keys.data, i * keys.dim, keys.dim),
    }));
    all.sort((a, b) => b.s - a.s || a.i - b.i);
    ids.push(all.slice(0, k).map((x) => x.i));
    scores.push(all.slice(0, k).map((x) => Math.fround(x.s)));
  }
  return { ids, scores };
}

describe('ExactSearchIndex', () => {
  it.each([
    [517, 133, 37, 5, 0],
    [1030, 70, 64, 10, 0],
    [300, 65, 8, 7, 2], // quantised: exact ties everywhere
    [3, 9, 5, 5, 0], // fewer keys than k
  ])('equals brute force (keys %i, queries %i, dim %i, k %i, levels %i)', async (nk, nq, d, k, levels) => {
    const keys = randomEmbeddings(1, nk, d, levels);
    const queries = randomEmbeddings(2, nq, d, levels);
    const index = new ExactSearchIndex(keys);
    const progress: number[] = [];
    const hits = await index.search(queries, k, { onProgress: (done) => progress.push(done) });
    const want = bruteForce(keys, queries, Math.min(k, nk));
    for (let q = 0; q < nq; q++) {
      const got = Array.from(hits.indices.subarray(q * k, q * k + k));
      expect(got.slice(0, want.ids[q].length)).toEqual(want.ids[q]);
      expect(Array.from(hits.scores.subarray(q * k, q * k + want.ids[q].length))).toEqual(want.scores[q]);
      expect(got.slice(want.ids[q].length).every((i) => i === -1)).toBe(true);
    }
    expect(progress[progress.length - 1]).toBe(nq);
  });

  it('breaks ties by the lower key index (duplicated keys)', async () => {
    const base = randomEmbeddings(4, 10, 16);
    // Keys 0..9, then the same ten again: every query's best score is held by i and i+10.
    const data = new Float32Array(20 * 16);
    data.set(base.data, 0);
    data.set(base.data, 160);
    const keys = l2Normalize(embeddings(data, 20, 16));
    const hits = await new ExactSearchIndex(keys).search(embeddings(keys.data.slice(0, 160), 10, 16), 2);
    for (let q = 0; q < 10; q++) expect(Array.from(hits.indices.subarray(q * 2, q * 2 + 2))).toEqual([q, q + 10]);
  });

  it('rejects queries of another dimension and a bad k; stops on an aborted signal', async () => {
    const index = new ExactSearchIndex(randomEmbeddings(1, 10, 8));
    await expect(index.search(randomEmbeddings(2, 3, 7), 1)).rejects.toThrow(/7 dimensions but the keys have 8/);
    await expect(index.search(randomEmbeddings(2, 3, 8), 0)).rejects.toThrow(/k: must be a positive integer/);
    const ac = new AbortController();
    ac.abort();
    await expect(index.search(randomEmbeddings(2, 3, 8), 1, { signal: ac.signal })).rejects.toMatchObject({
      code: 'BIOSCAN5M_INTERRUPTED',
    });
  });
});

// faiss-node is an optional peer: compare both backends when it is installed.
const faissLoads = await loadFaiss().then(
  () => true,
  () => false,
);

describe.skipIf(!faissLoads)('faiss-node backend', () => {
  it('gives the same neighbours and scores as the exact search, ties included', async () => {
    for (const levels of [0, 2]) {
      const keys = randomEmbeddings(5, 800, 24, levels);
      const queries = randomEmbeddings(6, 200, 24, levels);
      const a = await (await createSearchIndex(keys, { backend: 'exact' })).search(queries, 5);
      const fi = await createSearchIndex(keys, { backend: 'faiss' });
      expect(fi.backend).toBe('faiss');
      const b = await fi.search(queries, 5);
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    }
  });
});

describe('onnxruntime backend (Gemm + TopK candidates, exact re-scoring)', () => {
  it('gives the same neighbours and scores as the JavaScript kernel, ties included, across key blocks', async () => {
    for (const [nk, levels] of [
      [900, 0],
      [700, 2],
      [20_000, 3],
    ] as const) {
      const keys = randomEmbeddings(5, nk, 24, levels);
      const queries = randomEmbeddings(6, 300, 24, levels);
      const a = await new ExactSearchIndex(keys).search(queries, 5);
      const oi = await createSearchIndex(keys, { backend: 'onnx' });
      expect(oi.backend).toBe('onnx');
      const b = await oi.search(queries, 5);
      await oi.dispose();
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    }
  });
});

describe('createSearchIndex', () => {
  it("'auto' takes faiss-node when it loads, else onnxruntime", async () => {
    const index = await createSearchIndex(randomEmbeddings(1, 10, 4));
    expect(index.backend).toBe(faissLoads ? 'faiss' : 'onnx');
    if (!faissLoads)
      await expect(createSearchIndex(randomEmbeddings(1, 10, 4), { backend: 'faiss' })).rejects.toMatchObject({
        code: 'BIOSCAN5M_MISSING_DEPENDENCY',
      });
  });
});
