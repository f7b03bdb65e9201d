/**
 * The file-level DNA jobs, one options object each (`run<Task>Job(options)`). Pretraining and fine-tuning load
 * the tfjs side of the package on first call; embedding, probing with 1-NN and ONNX export need only
 * onnxruntime-node / onnx-proto.
 */
import { checkOutputPaths } from '@bioscan5m/core';
import { loadModelCode } from '../engines.js';
import type { FinetuneJobOptions, FinetuneJobSummary, PretrainJobOptions, PretrainJobSummary } from './types.js';

/** Masked-language-model pretraining of a BarcodeBERT-style encoder on a barcodes table (needs @tensorflow/tfjs). */
export async function runPretrainJob(options: PretrainJobOptions): Promise<PretrainJobSummary> {
  // Before tfjs loads and training starts: an unwritable checkpoint folder is found now, not after N steps.
  checkOutputPaths({ inputs: { data: options.data }, outputs: { checkpoint: options.checkpoint } });
  return (await loadModelCode()).pretrainJob(options);
}

/** Fine-tunes a pretrained checkpoint with a species (or other rank) head (needs @tensorflow/tfjs). */
export async function runFinetuneJob(options: FinetuneJobOptions): Promise<FinetuneJobSummary> {
  checkOutputPaths({
    inputs: { checkpoint: options.checkpoint, train: options.train, test: options.test },
    outputs: { out: options.out },
  });
  return (await loadModelCode()).finetuneJob(options);
}

export { runProbeJob } from './probe-job.js';
export { runDnaEmbedJob } from './embed-job.js';
export { runExportOnnxJob } from './export-onnx-job.js';
