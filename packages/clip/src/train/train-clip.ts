/** trainClip: loads the tfjs training loop on first use (tfjs and its wasm backend are optional peers). */
import { loadOptional } from '@bioscan5m/core';
import type { ClipTrainOptions, ClipTrainResult } from './types.js';

export async function trainClip(options: ClipTrainOptions): Promise<ClipTrainResult> {
  await loadOptional('@tensorflow/tfjs-backend-wasm', 'clip training', () => import('@tensorflow/tfjs-backend-wasm'));
  const { trainClipNow } = await loadOptional('@tensorflow/tfjs', 'clip training', () => import('./trainer.js'));
  return trainClipNow(options);
}

/** runClipLoraJob (lora-job.ts), loaded with tfjs on first use. */
export async function runClipLoraJob(
  options: import('./lora-job.js').ClipLoraJobOptions,
): Promise<import('./lora-job.js').ClipLoraJobSummary> {
  const { runClipLoraJob: run } = await loadOptional(
    '@tensorflow/tfjs',
    'LoRA adapters',
    () => import('./lora-job.js'),
  );
  return run(options);
}
