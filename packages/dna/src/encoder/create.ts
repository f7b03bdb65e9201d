/**
 * `createDnaEncoder(spec)`: the DNA side of core's one embedding contract (Encoder<string>), beside vision's
 * createImageEncoder and clip's createTextEncoder. One factory for our tfjs checkpoints (run through
 * onnxruntime by default: the same graph, exported in memory, several times faster than tfjs on wasm) and for
 * ONNX encoders, ours or a BarcodeBERT export from PyTorch. Engines load on first use.
 */
import { basename } from 'node:path';
import { UsageError, type Encoder } from '@bioscan5m/core';
import { loadModelCode } from '../engines.js';
import { readCheckpointFile } from '../model/checkpoint-file.js';
import { encoderToOnnx } from '../onnx/export.js';
import { createOnnxDnaEncoder, type OnnxDnaEncoderOptions } from '../onnx/onnx-encoder.js';
import type { KmerTokenizerOptions } from '../tokenizer/kmer.js';
import type { BackendName } from '../jobs/types.js';

export type DnaEncoderSpec =
  /** An ONNX encoder file (or its bytes): ours from runExportOnnxJob, or a BERT-style export (give k). */
  | ({ kind: 'onnx'; model: string | Uint8Array } & OnnxDnaEncoderOptions)
  /** Our checkpoint (.safetensors): run by onnxruntime ('onnx', default) or by tfjs ('tfjs'). */
  | {
      kind: 'checkpoint';
      checkpoint: string;
      engine?: 'onnx' | 'tfjs';
      backend?: BackendName;
      batchSize?: number;
      threads?: number;
    };

/** A DNA encoder: core's Encoder<string> plus the tokenizer it reads barcodes with. */
export interface DnaEncoder extends Encoder<string> {
  readonly tokenizer: Required<Pick<KmerTokenizerOptions, 'k' | 'maxLen'>> & KmerTokenizerOptions;
  /** 'onnxruntime' or the tfjs backend ('wasm', 'cpu', 'tensorflow'). */
  readonly engine: string;
}

export async function createDnaEncoder(spec: DnaEncoderSpec): Promise<DnaEncoder> {
  if (spec.kind === 'onnx') {
    const { kind: _kind, model, ...opts } = spec;
    return withTokenizer(await createOnnxDnaEncoder(model, opts));
  }
  if (spec.kind === 'checkpoint') {
    const engine = spec.engine ?? 'onnx';
    if (engine === 'tfjs')
      return (await loadModelCode()).createTfjsDnaEncoder(spec.checkpoint, {
        backend: spec.backend,
        batchSize: spec.batchSize,
      });
    if (engine !== 'onnx') throw new UsageError(`expected 'onnx' or 'tfjs', got '${String(engine)}'`, 'engine');
    const ck = readCheckpointFile(spec.checkpoint);
    const bytes = await encoderToOnnx(ck.config, ck.encoder);
    return withTokenizer(
      await createOnnxDnaEncoder(bytes, {
        name: basename(spec.checkpoint),
        batchSize: spec.batchSize,
        threads: spec.threads,
      }),
    );
  }
  throw new UsageError(
    `unknown DNA encoder kind '${String((spec as { kind: unknown }).kind)}' (expected 'onnx' or 'checkpoint')`,
    'kind',
  );
}

function withTokenizer(enc: Awaited<ReturnType<typeof createOnnxDnaEncoder>>): DnaEncoder {
  const t = enc.tokenizerOptions;
  const tokenizer = { ...t, k: t.k ?? 6, maxLen: t.maxLen ?? 660 };
  return {
    name: enc.name,
    modality: enc.modality,
    dim: enc.dim,
    tokenizer,
    engine: 'onnxruntime',
    embed: (batch) => enc.embed(batch),
    dispose: () => enc.dispose(),
  };
}
