/**
 * UMAP dimensionality reduction via umap-js, with the zero-shot clustering protocol's settings as defaults
 * (50 components, 30 neighbours, min_dist 0) and a seeded random source so runs repeat exactly.
 */
import { UMAP } from 'umap-js';
import { Bioscan5mError, createRng, type ProgressCallback } from '@bioscan5m/core';
import type { Matrix } from './matrix.js';
import { type UmapLayoutState, optimizeLayout } from './umap-layout.js';
import { exactKnn } from './knn.js';

export interface UmapOptions {
  /** Output dimensions (default 50). */
  nComponents?: number;
  /** Neighbourhood size (default 30). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0). */
  minDist?: number;
  /** Optimisation epochs; default as umap-learn: 500 for small inputs down to 200 above 10,000 rows. */
  nEpochs?: number;
  /** Seed of the random source (default 0). */
  seed?: number;
  /**
   * Neighbour search: 'exact' (all pairs), 'approximate' (umap-js's NN-descent) or 'auto' (default: exact while
   * rows^2 x dims <= 1e10, where it is also the faster).
   */
  knn?: 'auto' | 'exact' | 'approximate';
  /** 'fast' (default): umap-js's graph, then its epochs re-run on typed arrays; 'umap-js': umap-js throughout. */
  engine?: 'fast' | 'umap-js';
  /** Called after the neighbour graph (done 0) and after each epoch. */
  onProgress?: ProgressCallback;
}

/** Embeds the rows of `x` in `nComponents` dimensions. */
export async function umapReduce(x: Matrix, opts: UmapOptions = {}): Promise<Matrix> {
  const nComponents = opts.nComponents ?? 50;
  const nNeighbors = opts.nNeighbors ?? 30;
  if (x.rows <= nNeighbors) {
    throw new Bioscan5mError(
      `UMAP with ${nNeighbors} neighbours needs more than ${nNeighbors} rows, got ${x.rows} (skip UMAP or use fewer neighbours)`,
    );
  }
  const rng = createRng(opts.seed ?? 0);
  const random = () => rng.random();
  const umap = new UMAP({
    nComponents,
    nNeighbors,
    minDist: opts.minDist ?? 0,
    nEpochs: opts.nEpochs ?? (x.rows > 10000 ? 200 : 0),
    random,
  });
  const rows: number[][] = new Array(x.rows);
  for (let i = 0; i < x.rows; i++) rows[i] = Array.from(x.data.subarray(i * x.dim, (i + 1) * x.dim));
  const knnMode = opts.knn ?? 'auto';
  if (knnMode === 'exact' || (knnMode === 'auto' && x.rows * x.rows * x.dim <= 1e10)) {
    const g = exactKnn(x, nNeighbors);
    umap.setPrecomputedKNN(g.indices, g.distances);
  }
  const epochs = umap.initializeFit(rows);
  opts.onProgress?.(0, epochs);
  if (opts.engine === 'umap-js') {
    for (let e = 0; e < epochs; e++) {
      umap.step();
      if (opts.onProgress) {
        opts.onProgress(e + 1, epochs);
        // Let timers (progress rendering) run between epochs.
        if (e % 5 === 4) await new Promise((r) => setImmediate(r));
      }
    }
    const emb = umap.getEmbedding();
    const out = new Float64Array(x.rows * nComponents);
    for (let i = 0; i < x.rows; i++) out.set(emb[i], i * nComponents);
    return { data: out, rows: x.rows, dim: nComponents };
  }
  // Same epochs on typed arrays (bit-identical to umap-js's step(), several times faster).
  const state = (umap as unknown as { optimizationState: UmapLayoutState }).optimizationState;
  const data = await optimizeLayout(state, random, opts.onProgress);
  return { data, rows: x.rows, dim: nComponents };
}
