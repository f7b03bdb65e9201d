/**
 * UMAP's layout optimisation (the epochs), the same arithmetic and random draws as umap-js 1.4's
 * optimizeLayoutStep, on one Float64Array instead of arrays of arrays: bit-identical embeddings, ~2-3x faster
 * (the epochs are most of UMAP's time). umap-js still builds the neighbour graph and the initial layout.
 */

/** The optimisation state umap-js keeps after initializeFit() (its `optimizationState`). */
export interface UmapLayoutState {
  head: ArrayLike<number>;
  tail: ArrayLike<number>;
  headEmbedding: number[][];
  tailEmbedding: number[][];
  epochsPerSample: ArrayLike<number>;
  epochOfNextSample: ArrayLike<number>;
  epochOfNextNegativeSample: ArrayLike<number>;
  epochsPerNegativeSample: ArrayLike<number>;
  moveOther: boolean;
  initialAlpha: number;
  alpha: number;
  gamma: number;
  a: number;
  b: number;
  dim: number;
  nEpochs: number;
  nVertices: number;
  currentEpoch: number;
}

function clip(x: number): number {
  return x > 4 ? 4 : x < -4 ? -4 : x;
}

/** Runs every remaining epoch; returns the embedding (rows x dim, row-major). */
export async function optimizeLayout(
  st: UmapLayoutState,
  random: () => number,
  onProgress?: (done: number, total: number) => void,
): Promise<Float64Array> {
  const dim = st.dim;
  const rows = st.headEmbedding.length;
  if (st.tailEmbedding !== st.headEmbedding)
    throw new Error('optimizeLayout: only fit (head = tail embedding) is supported');
  const emb = new Float64Array(rows * dim);
  for (let i = 0; i < rows; i++) for (let q = 0; q < dim; q++) emb[i * dim + q] = st.headEmbedding[i][q];
  const E = st.epochsPerSample.length;
  const head = Int32Array.from(st.head);
  const tail = Int32Array.from(st.tail);
  const eps = Float64Array.from(st.epochsPerSample);
  const eons = Float64Array.from(st.epochOfNextSample);
  const eonns = Float64Array.from(st.epochOfNextNegativeSample);
  const epns = Float64Array.from(st.epochsPerNegativeSample);
  const { a, b, gamma, initialAlpha, nEpochs, nVertices, moveOther } = st;
  let alpha = st.alpha;
  for (let n = st.currentEpoch; n < nEpochs; n++) {
    for (let i = 0; i < E; i++) {
      if (eons[i] > n) continue;
      const oj = head[i] * dim;
      const ok = tail[i] * dim;
      let d2 = 0;
      for (let q = 0; q < dim; q++) {
        const t = emb[oj + q] - emb[ok + q];
        d2 += t * t;
      }
      let g = 0;
      if (d2 > 0) {
        g = -2.0 * a * b * Math.pow(d2, b - 1.0);
        g /= a * Math.pow(d2, b) + 1.0;
      }
      for (let q = 0; q < dim; q++) {
        const gd = clip(g * (emb[oj + q] - emb[ok + q]));
        emb[oj + q] += gd * alpha;
        if (moveOther) emb[ok + q] += -gd * alpha;
      }
      eons[i] += eps[i];
      const nNeg = Math.floor((n - eonns[i]) / epns[i]);
      const j = head[i];
      for (let p = 0; p < nNeg; p++) {
        const k1 = Math.floor(random() * nVertices);
        const o1 = k1 * dim;
        let e2 = 0;
        for (let q = 0; q < dim; q++) {
          const t = emb[oj + q] - emb[o1 + q];
          e2 += t * t;
        }
        let g1 = 0.0;
        if (e2 > 0.0) {
          g1 = 2.0 * gamma * b;
          g1 /= (0.001 + e2) * (a * Math.pow(e2, b) + 1);
        } else if (j === k1) continue;
        for (let q = 0; q < dim; q++) {
          let gd = 4.0;
          if (g1 > 0.0) gd = clip(g1 * (emb[oj + q] - emb[o1 + q]));
          emb[oj + q] += gd * alpha;
        }
      }
      eonns[i] += nNeg * epns[i];
    }
    alpha = initialAlpha * (1.0 - n / nEpochs);
    if (onProgress) {
      onProgress(n + 1, nEpochs);
      if (n % 5 === 4) await new Promise((r) => setImmediate(r));
    }
  }
  return emb;
}
