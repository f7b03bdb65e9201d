/**
 * Frozen features from any encoder of core's contract (createDnaEncoder, createImageEncoder, createTextEncoder, an
 * ONNX export): the inputs embedded in batches, in order, as one Embeddings matrix for alignment training.
 */
import { Bioscan5mError, concatEmbeddings, type Embeddings, type Encoder, type JobControl } from '@bioscan5m/core';

export async function encodeAll<Input>(
  encoder: Encoder<Input>,
  inputs: readonly Input[],
  options: JobControl & { batchSize?: number } = {},
): Promise<Embeddings> {
  const batchSize = options.batchSize ?? 64;
  const parts: Embeddings[] = [];
  for (let s = 0; s < inputs.length; s += batchSize) {
    if (options.signal?.aborted) throw new Bioscan5mError('encoding interrupted', 'BIOSCAN5M_INTERRUPTED');
    const batch = inputs.slice(s, s + batchSize);
    const e = await encoder.embed(batch);
    if (e.rows !== batch.length || e.dim !== encoder.dim)
      throw new Bioscan5mError(
        `${encoder.name}: returned ${e.rows} x ${e.dim} for a batch of ${batch.length} (dim ${encoder.dim})`,
      );
    parts.push(e);
    options.onProgress?.(s + batch.length, inputs.length);
  }
  return parts.length ? concatEmbeddings(parts) : { rows: 0, dim: encoder.dim, data: new Float32Array(0) };
}
