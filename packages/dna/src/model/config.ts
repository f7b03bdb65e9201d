/** Encoder settings (plain data, no tfjs): stored in checkpoints and ONNX metadata, read without loading tfjs. */
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
  if (cfg.hidden % cfg.heads !== 0) throw new UsageError(`hidden size ${cfg.hidden} must be divisible by the number of heads (${cfg.heads})`, '--hidden');
  return cfg;
}
