/**
 * A DNA Encoder (core's Encoder<string>) over any BERT-style encoder in ONNX, run by onnxruntime-node: ours
 * (export.ts) or one exported elsewhere (e.g. BarcodeBERT from PyTorch). Feeds int64 `input_ids` and
 * `attention_mask` (and zero `token_type_ids` when the graph asks for them), reads `last_hidden_state` (or the
 * first output) and mean-pools it over attended tokens.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Bioscan5mError, embeddings, type Embeddings, type Encoder } from '@bioscan5m/core';
import { loadOnnxProto, loadOrt } from '../engines.js';
import { createKmerTokenizer, type KmerTokenizerOptions } from '../tokenizer/kmer.js';

export interface OnnxDnaEncoderOptions extends KmerTokenizerOptions {
  /** Intra-op threads for onnxruntime (default: its own choice). */
  threads?: number;
  /** Sequences per onnxruntime run inside one embed call (default 64). */
  batchSize?: number;
  /** Encoder name (default: the file name). */
  name?: string;
}

/** An ONNX DNA encoder: the Encoder contract plus what the model revealed about itself. */
export interface OnnxDnaEncoder extends Encoder<string> {
  readonly tokenizerOptions: KmerTokenizerOptions;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/** What an ONNX file says about itself: metadata_props and the static last dimension of each graph output. */
export interface OnnxModelInfo {
  metadata: Record<string, string>;
  outputDims: Record<string, number | undefined>;
}

/** Reads an ONNX model's metadata and output widths (with onnx-proto; an undecodable file gives empty info). */
export async function readOnnxModelInfo(bytes: Uint8Array): Promise<OnnxModelInfo> {
  const onnx = await loadOnnxProto();
  const info: OnnxModelInfo = { metadata: {}, outputDims: {} };
  try {
    // Decoding the whole model is cheap next to loading it into onnxruntime.
    const m = onnx.ModelProto.decode(bytes);
    for (const p of m.metadataProps ?? []) if (p.key) info.metadata[p.key] = p.value ?? '';
    for (const o of m.graph?.output ?? []) {
      const last = o.type?.tensorType?.shape?.dim?.at(-1);
      if (o.name) info.outputDims[o.name] = last?.dimValue ? Number(last.dimValue) : undefined;
    }
  } catch {
    /* not decodable: onnxruntime reports the real problem */
  }
  return info;
}

/**
 * Loads an ONNX DNA encoder. Tokenizer settings come from `opts`, else from the model's bioscan5m metadata (our
 * exports carry k, max_len, prepend_cls), else k must be given (BarcodeBERT exports carry none).
 */
export async function createOnnxDnaEncoder(
  model: string | Uint8Array,
  opts: OnnxDnaEncoderOptions = {},
): Promise<OnnxDnaEncoder> {
  const ort = await loadOrt();
  const where = typeof model === 'string' ? model : 'ONNX buffer';
  let bytes: Uint8Array;
  try {
    bytes = typeof model === 'string' ? readFileSync(model) : model;
  } catch (err) {
    throw new Bioscan5mError(
      `${where}: cannot read ONNX model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      'BIOSCAN5M_IO',
    );
  }
  let session: import('onnxruntime-node').InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, opts.threads ? { intraOpNumThreads: opts.threads } : {});
  } catch (err) {
    throw new Bioscan5mError(
      `${where}: cannot load ONNX model (${(err as Error).message.split('\n')[0]})`,
      'BIOSCAN5M_INPUT',
    );
  }
  const { metadata: meta, outputDims } = await readOnnxModelInfo(bytes);
  const k = opts.k ?? (meta['bioscan5m.k'] ? Number(meta['bioscan5m.k']) : undefined);
  if (!k) {
    await session.release();
    throw new Bioscan5mError(
      `${where}: this ONNX model carries no tokenizer settings: pass its k-mer length (k)`,
      'BIOSCAN5M_INPUT',
    );
  }
  const tokenizerOptions: KmerTokenizerOptions = {
    k,
    uppercase: opts.uppercase,
    stripTrailingN: opts.stripTrailingN,
    maxLen: opts.maxLen ?? (meta['bioscan5m.max_len'] ? Number(meta['bioscan5m.max_len']) : 660),
    prependCls: opts.prependCls ?? meta['bioscan5m.prepend_cls'] === 'true',
  };
  const tok = createKmerTokenizer(tokenizerOptions);
  for (const need of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(need)) {
      await session.release();
      throw new Bioscan5mError(
        `${where}: ONNX model has no '${need}' input (inputs: ${session.inputNames.join(', ')})`,
        'BIOSCAN5M_INPUT',
      );
    }
  }
  const outName = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0];
  const bs = opts.batchSize ?? 64;
  const L = tok.seqLen;

  /** Runs one onnxruntime batch and writes its pooled rows into `out` from row `row0`; returns the width. */
  async function runBatch(
    chunk: readonly string[],
    out: (hidden: number) => Float32Array,
    row0: number,
  ): Promise<number> {
    const enc = tok.encodeBatch(chunk);
    const n = chunk.length;
    const feeds: Record<string, import('onnxruntime-node').Tensor> = {
      input_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(enc.ids, (v) => BigInt(v)),
        [n, L],
      ),
      attention_mask: new ort.Tensor(
        'int64',
        BigInt64Array.from(enc.attentionMask, (v) => BigInt(v)),
        [n, L],
      ),
    };
    if (session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * L), [n, L]);
    const h = (await session.run(feeds, [outName]))[outName];
    const hs = h.data as Float32Array;
    const hidden = h.dims[h.dims.length - 1];
    const dst = out(hidden);
    if (h.dims.length === 2) dst.set(hs, row0 * hidden);
    else {
      for (let b = 0; b < n; b++) {
        let cnt = 0;
        const row = (row0 + b) * hidden;
        for (let t = 0; t < L; t++) {
          if (!enc.attentionMask[b * L + t]) continue;
          cnt++;
          const o = (b * L + t) * hidden;
          for (let j = 0; j < hidden; j++) dst[row + j] += hs[o + j];
        }
        const inv = 1 / Math.max(cnt, 1);
        for (let j = 0; j < hidden; j++) dst[row + j] *= inv;
      }
    }
    h.dispose?.();
    return hidden;
  }

  // The width: from the graph when static, else from one probe run.
  let dim = outputDims[outName];
  dim ||= await runBatch(['ACGT'], (hidden) => new Float32Array(hidden), 0);
  const width = dim;
  let released = false;
  return {
    name: opts.name ?? (typeof model === 'string' ? basename(model) : 'onnx-dna-encoder'),
    modality: 'dna',
    dim: width,
    tokenizerOptions,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async embed(batch: readonly string[]): Promise<Embeddings> {
      if (released) throw new Bioscan5mError(`${where}: encoder used after dispose()`);
      const data = new Float32Array(batch.length * width);
      for (let s = 0; s < batch.length; s += bs) {
        const hidden = await runBatch(batch.slice(s, s + bs), () => data, s);
        if (hidden !== width)
          throw new Bioscan5mError(
            `${where}: output '${outName}' is ${hidden} wide, expected ${width}`,
            'BIOSCAN5M_INPUT',
          );
      }
      return embeddings(data, batch.length, width);
    },
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}
