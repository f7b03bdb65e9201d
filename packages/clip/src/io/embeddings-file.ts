/** Reading and writing embedding matrices as .npy (what every Python encoder writes). */
import { Bioscan5mError, embeddings, readNpyMatrix, writeNpy, type Embeddings } from '@bioscan5m/core';

/**
 * A 2-D float32/float64 C-ordered .npy as float32 Embeddings (faiss searches float32 too). Rejects other dtypes,
 * other shapes and non-finite values with the file, row and dimension named.
 */
export function readEmbeddingsNpy(file: string): Embeddings {
  const m = readNpyMatrix(file, { float32: true });
  if (m.dim === 0) throw new Bioscan5mError(`${file}: embeddings have 0 dimensions`, 'BIOSCAN5M_INPUT');
  return embeddings(m.data as Float32Array, m.rows, m.dim);
}

/** Writes Embeddings as a float32 (rows, dim) .npy, atomically. */
export function writeEmbeddingsNpy(file: string, e: Embeddings): void {
  writeNpy(file, e.data, [e.rows, e.dim]);
}
