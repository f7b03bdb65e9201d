/**
 * The checkpoint file layout without tfjs: encoder weights, head weights and optimizer moments as plain arrays,
 * with the config, step and run metadata. ONNX export and ONNX embedding of a checkpoint read it this way, so
 * they need neither tfjs nor its start-up; checkpoint.ts turns the arrays into tfjs variables for training.
 */
import { Bioscan5mError } from '@bioscan5m/core';
import type { EncoderConfig } from './config.js';
import { readSafetensors, writeSafetensors, type NamedArray } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'bioscan5m-dna-encoder/1';

export type WeightArrays = Map<string, NamedArray>;

export interface CheckpointArrays {
  config: EncoderConfig;
  /** Encoder weights by parameter name ('embeddings.word', 'layer0.qkv.w', ...). */
  encoder: WeightArrays;
  /** Head weights (MLM head 'mlm.*', classifier 'cls.*'). */
  head: WeightArrays;
  optimizer: WeightArrays;
  step: number;
  meta: Record<string, unknown>;
}

export function readCheckpointFile(file: string): CheckpointArrays {
  const { tensors, metadata } = readSafetensors(file);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Bioscan5mError(
      `${file}: not a bioscan5m DNA encoder checkpoint (format ${metadata.format ?? 'missing'})`,
      'BIOSCAN5M_INPUT',
    );
  }
  const out: CheckpointArrays = {
    config: parseJson(file, 'config', metadata.config) as EncoderConfig,
    encoder: new Map(),
    head: new Map(),
    optimizer: new Map(),
    step: Number(metadata.step ?? 0),
    meta: {},
  };
  out.meta = (parseJson(file, 'meta', metadata.meta ?? '{}') ?? {}) as Record<string, unknown>;
  for (const [name, t] of tensors) {
    const slash = name.indexOf('/');
    const group = name.slice(0, slash);
    const key = name.slice(slash + 1);
    if (group === 'encoder') out.encoder.set(key, t);
    else if (group === 'head') out.head.set(key, t);
    else if (group === 'optim') out.optimizer.set(key, t);
    else
      throw new Bioscan5mError(`${file}: unexpected tensor '${name}' in a DNA encoder checkpoint`, 'BIOSCAN5M_INPUT');
  }
  return out;
}

export function writeCheckpointFile(
  file: string,
  ck: {
    config: EncoderConfig;
    encoder: WeightArrays;
    head?: WeightArrays;
    optimizer?: WeightArrays;
    step?: number;
    meta?: Record<string, unknown>;
  },
): void {
  const tensors = new Map<string, NamedArray>();
  const add = (prefix: string, m: WeightArrays | undefined) => {
    for (const [name, t] of m ?? []) tensors.set(prefix + name, t);
  };
  add('encoder/', ck.encoder);
  add('head/', ck.head);
  add('optim/', ck.optimizer);
  writeSafetensors(file, tensors, {
    format: CHECKPOINT_FORMAT,
    config: JSON.stringify(ck.config),
    step: String(ck.step ?? 0),
    meta: JSON.stringify(ck.meta ?? {}),
  });
}

function parseJson(file: string, field: string, text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    throw new Bioscan5mError(`${file}: checkpoint metadata '${field}' is not JSON`, 'BIOSCAN5M_INPUT');
  }
}
