/** Embedding a barcode set in chunks through any DnaEncoder, with progress and cancellation. */
import { concatEmbeddings, throwIfAborted, type Embeddings, type JobControl } from '@bioscan5m/core';
import type { DnaEncoder } from '../encoder/create.js';

/** Sequences per encoder call: bounds memory and gives progress a useful grain. */
const CHUNK = 256;

export async function embedAll(
  encoder: DnaEncoder,
  sequences: readonly string[],
  control: JobControl = {},
): Promise<Embeddings> {
  const parts: Embeddings[] = [];
  control.onProgress?.(0, sequences.length);
  for (let s = 0; s < sequences.length; s += CHUNK) {
    throwIfAborted(control.signal);
    parts.push(await encoder.embed(sequences.slice(s, s + CHUNK)));
    control.onProgress?.(Math.min(s + CHUNK, sequences.length), sequences.length);
  }
  return parts.length ? concatEmbeddings(parts) : { data: new Float32Array(0), rows: 0, dim: encoder.dim };
}
