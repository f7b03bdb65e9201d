/**
 * The file-level DNA jobs, one options object each (`run<Task>Job(options)`). Pretraining and fine-tuning load
 * the tfjs side of the package on first call; embedding, probing with 1-NN and ONNX export need only
 * onnxruntime-node / onnx-proto.
 */
import { Bioscan5mError, checkOutputPaths, MissingDependencyError } from '@bioscan5m/core';
import { loadModelCode, loadOnnxProto, loadOrt } from '../engines.js';
import { pretrainWithEngine } from './pretrain-job.js';
import type {
  FinetuneJobOptions,
  FinetuneJobSummary,
  PretrainJobOptions,
  PretrainJobSummary,
  TrainingEngine,
} from './types.js';

/**
 * Masked-language-model pretraining of a BarcodeBERT-style encoder on a barcodes table: on onnxruntime-node
 * (every core) when it and onnx-proto are installed, else on tfjs (see PretrainJobOptions.engine).
 */
export async function runPretrainJob(options: PretrainJobOptions): Promise<PretrainJobSummary> {
  // Before an engine loads and training starts: an unwritable checkpoint folder is found now, not after N steps.
  checkOutputPaths({ inputs: { data: options.data }, outputs: { checkpoint: options.checkpoint } });
  const engine = options.engine ?? (options.backend ? 'tfjs' : await defaultTrainingEngine());
  if (engine === 'tfjs') return (await loadModelCode()).pretrainJob(options);
  const { createOrtMlmEngine } = await import('../train/ort-engine.js');
  return pretrainWithEngine(
    options,
    (start) => createOrtMlmEngine(start, { threads: options.threads }),
    (e) => e.dispose(),
  );
}

const isMissing = (err: unknown) => Bioscan5mError.isInstance(err) && err.code === 'BIOSCAN5M_MISSING_DEPENDENCY';

/** onnxruntime when onnxruntime-node and onnx-proto load; tfjs when they do not but tfjs does; else the error. */
async function defaultTrainingEngine(): Promise<TrainingEngine> {
  try {
    await loadOrt();
    await loadOnnxProto();
    return 'onnx';
  } catch (err) {
    if (!isMissing(err)) throw err;
    try {
      await loadModelCode();
      return 'tfjs';
    } catch (tfErr) {
      if (!isMissing(tfErr)) throw tfErr;
      // Neither engine: name the fast one's package, and the alternative.
      const pkg = (err as MissingDependencyError).packageName;
      throw new MissingDependencyError(
        pkg,
        `DNA pretraining (onnxruntime-node with onnx-proto; or @tensorflow/tfjs for the slower tfjs engine)`,
      );
    }
  }
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
export { runDnaBenchmarkJob } from './benchmark-job.js';
export { formatTable4 } from './benchmark-format.js';
