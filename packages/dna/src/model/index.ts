/**
 * `@bioscan5m/dna/model`: the tfjs level of the BarcodeBERT-style model, for training loops of your own. Needs
 * @tensorflow/tfjs (and @tensorflow/tfjs-backend-wasm for the fast CPU backend) installed; its types are tfjs
 * types, so type-checking against this entry needs tfjs' typings (or skipLibCheck). The main entry's
 * runPretrainJob / runFinetuneJob / createDnaEncoder cover the file-level jobs without any of this.
 */
export { initBackend } from '../backend.js';
export type { BackendName, InitBackendOptions } from '../backend.js';
export {
  encoderConfig,
  encoderParamShapes,
  initParams,
  encoderForward,
  encoderPooled,
  disposeParams,
} from './encoder.js';
export type { EncoderConfig, ParamMap, EncoderInput } from './encoder.js';
export { pretrainMlm, makeMlmBatch, mlmLoss, mlmHeadShapes } from './mlm.js';
export type { PretrainOptions, PretrainResult, MlmBatch } from './mlm.js';
export { createAdamW, oneCycleLr } from './adamw.js';
export type { AdamW, AdamWOptions, OneCycleOptions } from './adamw.js';
export { saveCheckpoint, loadCheckpoint, tensorArrays } from './checkpoint.js';
export type { Checkpoint } from './checkpoint.js';
export { embedSequences } from '../heads/embed.js';
export type { EmbedOptions } from '../heads/embed.js';
export {
  fineTune,
  trainLinearProbe,
  predictWithHead,
  buildClassLabels,
  FINETUNE_DEFAULTS,
} from '../heads/classifier.js';
export type { ClassifierHead, ClassLabels, TrainClassifierOptions, FineTuneOptions } from '../heads/classifier.js';
export { warmupCosineLr } from '../heads/lr-schedule.js';
export type { WarmupCosineOptions } from '../heads/lr-schedule.js';
export { trainCnn, predictCnn, oneHotDna } from '../heads/cnn.js';
export type { CnnConfig, CnnModel, TrainCnnOptions } from '../heads/cnn.js';
export { dense, sparseCrossEntropy } from './ops.js';
export { readSafetensors, writeSafetensors } from './safetensors.js';
export type { NamedArray } from './safetensors.js';
