/** onnxruntime-node, an optional peer loaded on first use; model files that do not load are a clear error. */
import { createRequire } from 'node:module';
import { Bioscan5mError, optionalPackage } from '@bioscan5m/core';
import { onnxRuntimeDefaults } from '@bioscan5m/core/internal';
import type * as Ort from 'onnxruntime-node';

const req = createRequire(import.meta.url);

/** Required (not imported) so test transforms and bundlers leave the native addon alone. */
export const loadOrt = optionalPackage('onnxruntime-node', 'ONNX encoders', async () => {
  onnxRuntimeDefaults();
  return req('onnxruntime-node') as typeof Ort;
});

export async function createOnnxSession(model: string | Uint8Array, threads?: number): Promise<Ort.InferenceSession> {
  const ort = await loadOrt();
  const opts: Ort.InferenceSession.SessionOptions = threads ? { intraOpNumThreads: threads } : {};
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, opts)
      : await ort.InferenceSession.create(model, opts);
  } catch (err) {
    const what = typeof model === 'string' ? model : 'ONNX buffer';
    throw new Bioscan5mError(
      `${what}: cannot load ONNX model (${((err as Error).message ?? String(err)).split('\n')[0]})`,
      'BIOSCAN5M_INPUT',
    );
  }
}

/** Mean of the attended tokens of a [rows, length, hidden] output (BERT-style pooling, as CLIBD's text tower). */
export function maskedMean(
  hs: Float32Array,
  mask: Int32Array,
  rows: number,
  length: number,
  hidden: number,
): Float32Array {
  const out = new Float32Array(rows * hidden);
  for (let b = 0; b < rows; b++) {
    let cnt = 0;
    const row = b * hidden;
    for (let t = 0; t < length; t++) {
      if (!mask[b * length + t]) continue;
      cnt++;
      const o = (b * length + t) * hidden;
      for (let j = 0; j < hidden; j++) out[row + j] += hs[o + j];
    }
    const inv = 1 / Math.max(cnt, 1);
    for (let j = 0; j < hidden; j++) out[row + j] *= inv;
  }
  return out;
}
