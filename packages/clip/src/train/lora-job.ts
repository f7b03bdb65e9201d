/**
 * runClipLoraJob: from an alignment checkpoint trained through the DNA encoder, write the LoRA adapters on their
 * own (a small safetensors file) and/or the merged encoder (base + update) as a plain @bioscan5m/dna checkpoint,
 * which `bioscan5m dna embed` and `bioscan5m dna export-onnx` take as is.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError, checkOutputPaths, type JobControl } from '@bioscan5m/core';
import { saveCheckpoint, writeSafetensors, type NamedArray } from '@bioscan5m/dna/model';
import { loadCheckpoint } from './dna-model-tf.js';
import { loadClipCheckpoint } from './checkpoint.js';
import { mergeLora } from './lora.js';

export interface ClipLoraJobOptions extends JobControl {
  /** Alignment checkpoint (bioscan5m clip train with a DNA encoder and LoRA). */
  checkpoint: string;
  /** The DNA encoder checkpoint it was trained on (the base weights). */
  dnaCheckpoint: string;
  /** Write the adapters alone here. */
  adaptersOut?: string;
  /** Write the merged DNA encoder checkpoint here. */
  mergedOut?: string;
}

export interface ClipLoraJobSummary {
  rank: number;
  alpha: number;
  adapterTensors: number;
  adaptersOut?: string;
  mergedOut?: string;
}

export const LORA_FORMAT = 'bioscan5m-clip-lora/1';

export async function runClipLoraJob(o: ClipLoraJobOptions): Promise<ClipLoraJobSummary> {
  checkOutputPaths({
    inputs: { checkpoint: o.checkpoint, dnaCheckpoint: o.dnaCheckpoint },
    outputs: { adaptersOut: o.adaptersOut, mergedOut: o.mergedOut },
  });
  if (!o.adaptersOut && !o.mergedOut) throw new Bioscan5mError('give adaptersOut and/or mergedOut', 'BIOSCAN5M_USAGE');
  const ck = await loadClipCheckpoint(o.checkpoint);
  if (!ck.lora)
    throw new Bioscan5mError(
      `${o.checkpoint}: this alignment was not trained with LoRA adapters on the DNA encoder`,
      'BIOSCAN5M_INPUT',
    );
  if (o.adaptersOut) {
    writeSafetensors(o.adaptersOut, ck.lora.tensors as Map<string, NamedArray>, {
      format: LORA_FORMAT,
      rank: String(ck.lora.rank),
      alpha: String(ck.lora.alpha),
      targets: 'attention q,v (fused qkv.w columns 0..h and 2h..3h)',
      base: path.basename(o.dnaCheckpoint),
    });
  }
  if (o.mergedOut) {
    const base = loadCheckpoint(o.dnaCheckpoint);
    const lora = new Map([...ck.lora.tensors].map(([n, t]) => [n, tf.tensor(t.data, t.shape)]));
    for (let l = 0; l < base.config.layers; l++) {
      const a = ck.lora.tensors.get(`layer${l}.q.A`);
      if (!a || a.shape[0] !== base.config.hidden)
        throw new Bioscan5mError(
          `${o.dnaCheckpoint}: not the base encoder of ${o.checkpoint} (layer ${l} adapters do not fit)`,
          'BIOSCAN5M_INPUT',
        );
    }
    const merged = mergeLora(base.config, ck.lora, base.params, lora);
    saveCheckpoint(o.mergedOut, {
      config: base.config,
      params: merged,
      meta: {
        ...base.meta,
        mergedLora: { from: path.basename(o.checkpoint), rank: ck.lora.rank, alpha: ck.lora.alpha },
      },
    });
    for (const m of [base.params, base.head, merged, lora]) for (const t of m.values()) t.dispose();
    for (const t of base.optimizer.values()) t.dispose();
  }
  o.onProgress?.(1, 1);
  return {
    rank: ck.lora.rank,
    alpha: ck.lora.alpha,
    adapterTensors: ck.lora.tensors.size,
    adaptersOut: o.adaptersOut,
    mergedOut: o.mergedOut,
  };
}
