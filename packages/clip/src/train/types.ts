/** Types of alignment training (no tfjs here: importing @bioscan5m/clip must not load it). */
import type { JobControl, Modality } from '@bioscan5m/core';
import type { ClipHeads } from './heads.js';
import type { PairedFeatures } from './paired-data.js';

export type ModalityPair = readonly [Modality, Modality];

export interface ClipTrainOptions extends JobControl {
  data: PairedFeatures;
  /** Pairs whose InfoNCE terms are averaged (default: every pair of the modalities with features). */
  pairs?: readonly ModalityPair[];
  /** Width of the aligned space (default 768, the reference's). */
  dim?: number;
  steps: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  /** 'learnable' (default, the newer code) or 'fixed' at 1/0.07 (the paper's run). */
  temperature?: 'learnable' | 'fixed';
  seed?: number;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: boolean;
  /** Stop after this step of the schedule (as if killed), leaving the checkpoint behind. */
  stopAfter?: number;
  /** Recorded in the checkpoint as is (e.g. how text features were made). */
  meta?: Record<string, unknown>;
  /**
   * Run DNA through our tfjs BarcodeBERT-style encoder (a @bioscan5m/dna checkpoint) on `data.sequences` at every
   * step instead of frozen DNA features, with LoRA adapters on attention Q and V (rank 4, alpha 4 by default;
   * `lora: false` keeps the encoder frozen). The base weights never change.
   */
  dnaEncoder?: { checkpoint: string; lora?: { rank?: number; alpha?: number } | false };
}

export interface ClipTrainResult {
  heads: ClipHeads;
  /** The DNA encoder's LoRA adapters when trained with them. */
  lora?: { rank: number; alpha: number; tensors: Map<string, { data: Float32Array; shape: number[] }> };
  /** Loss of every step run from step 0 (a resumed run carries the history of its checkpoint). */
  losses: number[];
  startStep: number;
  step: number;
  pairsPerSecond: number;
  backend: string;
}

export function defaultPairs(modalities: readonly Modality[]): ModalityPair[] {
  const order: Modality[] = ['image', 'dna', 'text'];
  const have = order.filter((m) => modalities.includes(m));
  const out: ModalityPair[] = [];
  for (let i = 0; i < have.length; i++) for (let j = i + 1; j < have.length; j++) out.push([have[i], have[j]]);
  return out;
}
