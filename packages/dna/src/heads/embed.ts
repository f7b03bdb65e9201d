/** Embedding extraction with the tfjs encoder: attention-masked mean of the last hidden layer. */
import * as tf from '@tensorflow/tfjs';
import { createKmerTokenizer } from '../tokenizer/kmer.js';
import { encoderPooled, type EncoderConfig, type ParamMap } from '../model/encoder.js';

export interface EmbedOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Returns a row-major [n, hidden] Float32Array. */
export function embedSequences(
  config: EncoderConfig,
  params: ParamMap,
  sequences: readonly string[],
  opts: EmbedOptions = {},
): Float32Array {
  const tok = createKmerTokenizer({ k: config.k, maxLen: config.maxLen, prependCls: config.prependCls });
  const bs = opts.batchSize ?? 64;
  const d = config.hidden;
  const out = new Float32Array(sequences.length * d);
  for (let s = 0; s < sequences.length; s += bs) {
    const chunk = sequences.slice(s, s + bs);
    const enc = tok.encodeBatch(chunk);
    const pooled = tf.tidy(() =>
      encoderPooled(config, params, { ids: enc.ids, attentionMask: enc.attentionMask, batch: chunk.length }),
    );
    out.set(pooled.dataSync() as Float32Array, s * d);
    pooled.dispose();
    opts.onProgress?.(Math.min(s + bs, sequences.length), sequences.length);
  }
  return out;
}
