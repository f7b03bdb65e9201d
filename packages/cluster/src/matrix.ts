/** Dense row-major matrices of embeddings, and the per-modality standardisation of the clustering protocol. */
import { Bioscan5mError, type Embeddings } from '@bioscan5m/core';

/**
 * A dense row-major matrix: core's Embeddings (what every encoder returns) or the same shape in float64 (what
 * z-scoring, UMAP and the CSV reader produce, so clustering keeps sklearn's precision). Every Embeddings is a Matrix.
 */
export interface Matrix extends Omit<Embeddings, 'data'> {
  readonly data: Float32Array | Float64Array;
}

/**
 * Element-wise z-score: every column minus its mean, divided by its population standard deviation (ddof 0, as
 * sklearn's StandardScaler). Constant columns are only centred.
 */
export function zscoreColumns(x: Matrix): Matrix {
  const { rows, dim: cols, data } = x;
  const mean = new Float64Array(cols);
  const sq = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows || 1;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j] - mean[j];
      sq[j] += v * v;
    }
  }
  const scale = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const sd = Math.sqrt(sq[j] / (rows || 1));
    scale[j] = sd > 0 ? 1 / sd : 1;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = (data[o + j] - mean[j]) * scale[j];
  }
  return { data: out, rows, dim: cols };
}

/** Side-by-side concatenation of matrices with the same rows (one per modality). */
export function concatColumns(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) throw new Bioscan5mError('no embeddings to concatenate');
  const rows = parts[0].rows;
  parts.forEach((p, i) => {
    if (p.rows !== rows) throw new Bioscan5mError(`embeddings ${i + 1} has ${p.rows} rows, embeddings 1 has ${rows}`);
  });
  if (parts.length === 1) return parts[0];
  const cols = parts.reduce((s, p) => s + p.dim, 0);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let o = i * cols;
    for (const p of parts) {
      out.set(p.data.subarray(i * p.dim, (i + 1) * p.dim), o);
      o += p.dim;
    }
  }
  return { data: out, rows, dim: cols };
}

/** The rows listed in `index`, in that order. */
export function selectRows(x: Matrix, index: ArrayLike<number>): Matrix {
  const out = new Float64Array(index.length * x.dim);
  for (let i = 0; i < index.length; i++) out.set(x.data.subarray(index[i] * x.dim, (index[i] + 1) * x.dim), i * x.dim);
  return { data: out, rows: index.length, dim: x.dim };
}
