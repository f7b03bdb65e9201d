/**
 * Embedding extraction with onnxruntime-node for any BERT-style encoder in ONNX: ours (export.ts) or one
 * exported elsewhere (e.g. BarcodeBERT from PyTorch). Feeds int64 `input_ids` and `attention_mask` (and zero
 * `token_type_ids` when the graph asks for them), reads `last_hidden_state` (or the first output) and
 * mean-pools it over attended tokens.
 */
import { readFileSync } from 'node:fs';
// onnx-proto is CommonJS: Node's ESM loader cannot see its named exports, so take the default export.
import onnxProto from 'onnx-proto';
import { Bioscan5mError } from '@bioscan5m/core';
import { createKmerTokenizer, type KmerTokenizerOptions } from '../tokenizer/kmer.js';

const { onnx } = onnxProto;

type Ort = typeof import('onnxruntime-node');
let ortPromise: Promise<Ort> | null = null;
const loadOrt = () => (ortPromise ??= import('onnxruntime-node') as Promise<Ort>);

export interface OnnxEncoderOptions extends KmerTokenizerOptions {
  /** Intra-op threads for onnxruntime (default: its own choice). */
  threads?: number;
}

export interface OnnxEncoder {
  readonly hidden: number;
  readonly tokenizerOptions: KmerTokenizerOptions;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Masked-mean embeddings [n, hidden] (row-major). */
  embed(sequences: readonly string[], opts?: { batchSize?: number; onProgress?: (done: number, total: number) => void }): Promise<{ data: Float32Array; hidden: number }>;
  close(): Promise<void>;
}

/**
 * Loads an ONNX encoder. Tokenizer settings come from `opts`, else from the model's bioscan5m metadata (our
 * exports carry k, max_len, prepend_cls), else BarcodeBERT's defaults are required: pass k.
 */
export async function loadOnnxEncoder(model: string | Uint8Array, opts: OnnxEncoderOptions = {}): Promise<OnnxEncoder> {
  const ort = await loadOrt();
  const sessionOpts: import('onnxruntime-node').InferenceSession.SessionOptions = opts.threads ? { intraOpNumThreads: opts.threads } : {};
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOpts) : await ort.InferenceSession.create(model, sessionOpts);
  } catch (err) {
    throw new Bioscan5mError(`${typeof model === 'string' ? model : 'ONNX buffer'}: cannot load ONNX model (${(err as Error).message.split('\n')[0]})`, 'BIOSCAN5M_INPUT');
  }
  const meta = readMetadata(typeof model === 'string' ? readFileSync(model) : model);
  const k = opts.k ?? (meta['bioscan5m.k'] ? Number(meta['bioscan5m.k']) : undefined);
  if (!k) throw new Bioscan5mError('this ONNX model carries no tokenizer settings: pass its k-mer length (k)', 'BIOSCAN5M_INPUT');
  const tokenizerOptions: KmerTokenizerOptions = {
    ...opts,
    k,
    maxLen: opts.maxLen ?? (meta['bioscan5m.max_len'] ? Number(meta['bioscan5m.max_len']) : 660),
    prependCls: opts.prependCls ?? meta['bioscan5m.prepend_cls'] === 'true',
  };
  const tok = createKmerTokenizer(tokenizerOptions);
  for (const need of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(need)) throw new Bioscan5mError(`ONNX model has no '${need}' input (inputs: ${session.inputNames.join(', ')})`, 'BIOSCAN5M_INPUT');
  }
  const outName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0];
  let hidden = 0;
  return {
    get hidden() {
      return hidden;
    },
    tokenizerOptions,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async embed(sequences, eo = {}) {
      const bs = eo.batchSize ?? 64;
      const L = tok.seqLen;
      let out: Float32Array | null = null;
      for (let s = 0; s < sequences.length; s += bs) {
        const chunk = sequences.slice(s, s + bs);
        const enc = tok.encodeBatch(chunk);
        const n = chunk.length;
        const feeds: Record<string, import('onnxruntime-node').Tensor> = {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(enc.ids, (v) => BigInt(v)), [n, L]),
          attention_mask: new ort.Tensor('int64', BigInt64Array.from(enc.attentionMask, (v) => BigInt(v)), [n, L]),
        };
        if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * L), [n, L]);
        const res = await session.run(feeds, [outName]);
        const h = res[outName];
        const hs = h.data as Float32Array;
        hidden = h.dims[h.dims.length - 1];
        out ??= new Float32Array(sequences.length * hidden);
        if (h.dims.length === 2) out.set(hs, s * hidden);
        else {
          for (let b = 0; b < n; b++) {
            let cnt = 0;
            const row = (s + b) * hidden;
            for (let t = 0; t < L; t++) {
              if (!enc.attentionMask[b * L + t]) continue;
              cnt++;
              const o = (b * L + t) * hidden;
              for (let j = 0; j < hidden; j++) out[row + j] += hs[o + j];
            }
            const inv = 1 / Math.max(cnt, 1);
            for (let j = 0; j < hidden; j++) out[row + j] *= inv;
          }
        }
        eo.onProgress?.(Math.min(s + bs, sequences.length), sequences.length);
      }
      return { data: out ?? new Float32Array(0), hidden };
    },
    async close() {
      await session.release();
    },
  };
}

/** metadata_props of an ONNX model (read with onnx-proto). */
export function readMetadata(bytes: Uint8Array): Record<string, string> {
  // Decoding the whole model is cheap next to loading it into onnxruntime.
  const out: Record<string, string> = {};
  try {
    const m = onnx.ModelProto.decode(bytes);
    for (const p of m.metadataProps ?? []) if (p.key) out[p.key] = p.value ?? '';
  } catch {
    /* not decodable: no metadata */
  }
  return out;
}

