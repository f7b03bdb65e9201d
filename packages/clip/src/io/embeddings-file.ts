/** Reading and writing embedding matrices as .npy (what every Python encoder writes). */
import { Bioscan5mError, embeddings, readNpy, writeNpy, type Embeddings } from '@bioscan5m/core';

/**
 * A 2-D float32/float64 C-ordered .npy as float32 Embeddings (faiss searches float32 too). Rejects other dtypes,
 * other shapes and non-finite values with the file, row and dimension named.
 */
export function readEmbeddingsNpy(file: string): Embeddings {
  const npy = readNpy(file);
  if (npy.dtype !== '<f4' && npy.dtype !== '<f8') {
    throw new Bioscan5mError(
      `${file}: embeddings must be float32 or float64, this .npy holds ${npy.dtype}`,
      'BIOSCAN5M_INPUT',
    );
  }
  if (npy.shape.length !== 2) {
    throw new Bioscan5mError(
      `${file}: embeddings must be a 2-D array (rows x dimensions), this .npy has shape (${npy.shape.join(', ')})`,
      'BIOSCAN5M_INPUT',
    );
  }
  const [rows, dim] = npy.shape;
  if (dim === 0) throw new Bioscan5mError(`${file}: embeddings have 0 dimensions`, 'BIOSCAN5M_INPUT');
  const data = npy.data instanceof Float32Array ? npy.data : Float32Array.from(npy.data as Float64Array);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Bioscan5mError(
        `${file}: row ${Math.floor(i / dim) + 1}, dimension ${(i % dim) + 1}: value ${npy.data[i]} is not finite${npy.dtype === '<f8' ? ' in float32' : ''}`,
        'BIOSCAN5M_INPUT',
      );
    }
  }
  return embeddings(data, rows, dim);
}

/** Writes Embeddings as a float32 (rows, dim) .npy, atomically. */
export function writeEmbeddingsNpy(file: string, e: Embeddings): void {
  writeNpy(file, e.data, [e.rows, e.dim]);
}
