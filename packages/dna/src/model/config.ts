/**
 * Encoder and pretraining settings (plain data, no tfjs): stored in checkpoints and ONNX metadata, and named by
 * the job options, without loading tfjs.
 */
import { UsageError } from '@bioscan5m/core';

export interface EncoderConfig {
  /** k-mer length of the tokenizer the model was trained with. */
  k: number;
  vocabSize: number;
  /** Nucleotides per sequence after truncation/padding (660 in BarcodeBERT). */
  maxLen: number;
  /** Tokens per sequence (the tokenizer's seqLen): floor(maxLen / k), plus one with prependCls. */
  maxTokens: number;
  layers: number;
  heads: number;
  hidden: number;
  intermediate: number;
  layerNormEps: number;
  /** Whether the tokenizer prepends a CLS-like token (CLIBD variant). */
  prependCls?: boolean;
}

export function encoderConfig(c: Partial<Omit<EncoderConfig, 'maxTokens'>> & { k: number }): EncoderConfig {
  const hidden = c.hidden ?? 256;
  const maxLen = c.maxLen ?? 660;
  const cfg: EncoderConfig = {
    k: c.k,
    vocabSize: c.vocabSize ?? 2 + 4 ** c.k,
    maxLen,
    maxTokens: Math.floor(maxLen / c.k) + (c.prependCls ? 1 : 0),
    layers: c.layers ?? 2,
    heads: c.heads ?? 4,
    hidden,
    intermediate: c.intermediate ?? hidden * 4,
    layerNormEps: c.layerNormEps ?? 1e-12,
    prependCls: c.prependCls ?? false,
  };
  if (cfg.hidden % cfg.heads !== 0)
    throw new UsageError(
      `hidden size ${cfg.hidden} must be divisible by the number of heads (${cfg.heads})`,
      '--hidden',
    );
  return cfg;
}

export interface PretrainOptions {
  sequences: readonly string[];
  config: Partial<Omit<EncoderConfig, 'maxTokens'>> & { k: number };
  steps: number;
  batchSize?: number;
  /** Peak learning rate; default 1e-4 per 64 sequences of batch, as the reference. */
  maxLr?: number;
  weightDecay?: number;
  maskRatio?: number;
  /** 'masked' (default): loss on masked tokens only; 'all': every position, as the reference code does. */
  loss?: 'masked' | 'all';
  /** Training-time random offset 0..k-1 (default true). */
  randomOffset?: boolean;
  seed?: number;
  /** Checkpoint file (safetensors); written atomically every `checkpointEvery` steps and at the end. */
  checkpoint?: string;
  checkpointEvery?: number;
  /** Continue from `checkpoint` when it exists. */
  resume?: boolean;
  /** Stop after this many steps of the schedule (as if killed), leaving the checkpoint behind. */
  stopAfter?: number;
  onProgress?: (done: number, total: number) => void;
  onStep?: (info: { step: number; loss: number; lr: number; ms: number }) => void;
}
