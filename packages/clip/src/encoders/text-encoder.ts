/**
 * createTextEncoder: taxonomy text -> embeddings, behind core's Encoder contract.
 * - 'onnx': a BERT exported to ONNX (e.g. prajjwal1/bert-small, or CLIBD's text tower with its projection; see
 *   scripts/export_onnx.py). Feeds input_ids / attention_mask / token_type_ids (those the graph declares); a
 *   [rows, tokens, hidden] output is mean-pooled over attended tokens, a [rows, dim] output is used as is.
 * - 'tokens': weight-free baseline: the L2-normalised count vector of WordPiece tokens (specials left out).
 */
import { Bioscan5mError, embeddings, type Embeddings, type Encoder } from '@bioscan5m/core';
import { createWordPieceTokenizer, type WordPieceOptions } from '../text/wordpiece.js';
import { createOnnxSession, loadOrt, maskedMean } from './onnx-runtime.js';

export type TextEncoderSpec =
  | (WordPieceOptions & { kind: 'onnx'; model: string | Uint8Array; threads?: number; batchSize?: number })
  | (WordPieceOptions & { kind: 'tokens' });

export async function createTextEncoder(spec: TextEncoderSpec): Promise<Encoder<string>> {
  const tokenizer = createWordPieceTokenizer(spec);
  if (spec.kind === 'tokens') return tokenCountEncoder(tokenizer);
  if (spec.kind !== 'onnx')
    throw new Bioscan5mError(
      `unknown text encoder kind '${(spec as { kind: string }).kind}' (expected onnx or tokens)`,
      'BIOSCAN5M_USAGE',
    );
  const ort = await loadOrt();
  const session = await createOnnxSession(spec.model, spec.threads);
  const what = typeof spec.model === 'string' ? spec.model : 'ONNX buffer';
  for (const need of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(need))
      throw new Bioscan5mError(
        `${what}: a text encoder needs an '${need}' input (inputs: ${session.inputNames.join(', ')})`,
        'BIOSCAN5M_INPUT',
      );
  }
  const outName = session.outputNames.includes('embedding')
    ? 'embedding'
    : session.outputNames.includes('last_hidden_state')
      ? 'last_hidden_state'
      : session.outputNames[0];
  const L = tokenizer.maxLength;
  const big = (a: Int32Array) => BigInt64Array.from(a, (v) => BigInt(v));
  const run = async (texts: readonly string[]): Promise<Embeddings> => {
    const enc = tokenizer.encodeBatch(texts);
    const n = texts.length;
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      input_ids: new ort.Tensor('int64', big(enc.ids), [n, L]),
      attention_mask: new ort.Tensor('int64', big(enc.attentionMask), [n, L]),
    };
    if (session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', big(enc.tokenTypeIds), [n, L]);
    const out = (await session.run(feeds, [outName]))[outName];
    const hidden = out.dims[out.dims.length - 1];
    const data =
      out.dims.length === 3
        ? maskedMean(out.data as Float32Array, enc.attentionMask, n, L, hidden)
        : Float32Array.from(out.data as Float32Array);
    return embeddings(data, n, hidden);
  };
  // The output width is known only from a run: probe once with one text.
  const dim = (await run(['not_classified'])).dim;
  const batchSize = spec.batchSize ?? 64;
  let disposed = false;
  return {
    name: 'bert-onnx',
    modality: 'text',
    dim,
    async embed(batch) {
      if (disposed) throw new Bioscan5mError('text encoder: already disposed');
      const data = new Float32Array(batch.length * dim);
      for (let s = 0; s < batch.length; s += batchSize)
        data.set((await run(batch.slice(s, s + batchSize))).data, s * dim);
      return embeddings(data, batch.length, dim);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
}

function tokenCountEncoder(tokenizer: ReturnType<typeof createWordPieceTokenizer>): Encoder<string> {
  const dim = tokenizer.vocabSize;
  return {
    name: 'wordpiece-counts',
    modality: 'text',
    dim,
    async embed(batch) {
      const enc = tokenizer.encodeBatch(batch);
      const L = enc.length;
      const data = new Float32Array(batch.length * dim);
      for (let r = 0; r < batch.length; r++) {
        // Skip [CLS] (position 0) and [SEP]/[PAD]: count only attended word pieces.
        let last = L - 1;
        while (last > 0 && !enc.attentionMask[r * L + last]) last--;
        let ss = 0;
        for (let t = 1; t < last; t++) data[r * dim + enc.ids[r * L + t]] += 1;
        for (let j = 0; j < dim; j++) ss += data[r * dim + j] ** 2;
        const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
        for (let j = 0; j < dim; j++) data[r * dim + j] *= inv;
      }
      return embeddings(data, batch.length, dim);
    },
    async dispose() {},
  };
}
