/**
 * `@bioscan5m/dna/model`: the model level of the BarcodeBERT-style encoder, for training loops of your own. Needs
 * @tensorflow/tfjs (and @tensorflow/tfjs-backend-wasm for the fast CPU backend) installed at run time. Its types
 * are our own (ModelTensor, ParamMap, ... in public-types.ts), so type-checking against this entry needs no tfjs
 * typings; tensors are tfjs tensors at run time. The main entry's runPretrainJob / runFinetuneJob /
 * createDnaEncoder cover the file-level jobs without any of this.
 *
 * This file is the boundary: functions that take tensors check them (engine-tensors.ts) and call the tfjs-typed
 * implementation; functions that only return them are the implementation with the public types.
 */
import type { EncoderConfig, EncoderInput } from './encoder.js';
import * as encoder from './encoder.js';
import * as mlm from './mlm.js';
import * as adamw from './adamw.js';
import * as checkpoint from './checkpoint.js';
import * as ops from './ops.js';
import * as embed from '../heads/embed.js';
import * as classifier from '../heads/classifier.js';
import * as cnn from '../heads/cnn.js';
import type { PretrainOptions } from './config.js';
import type { MlmBatch } from './mlm.js';
import type { AdamWOptions } from './adamw.js';
import type { NamedArray } from './safetensors.js';
import type { EmbedOptions } from '../heads/embed.js';
import type { TrainClassifierOptions } from '../heads/classifier.js';
import type { TrainCnnOptions } from '../heads/cnn.js';
import * as tf from '@tensorflow/tfjs';
import { tfParams, tfTensor, tfTensors } from './engine-tensors.js';
import type {
  AdamW,
  Checkpoint,
  CheckpointInput,
  ClassifierHead,
  CnnModel,
  FineTuneOptions,
  ModelTensor,
  ParamMap,
  PretrainResult,
} from './public-types.js';

export type {
  AdamW,
  Checkpoint,
  CheckpointInput,
  ClassifierHead,
  CnnModel,
  FineTuneOptions,
  ModelTensor,
  ModelVariable,
  ParamMap,
  PretrainResult,
} from './public-types.js';
export { initBackend } from '../backend.js';
export type { BackendName, InitBackendOptions } from '../backend.js';
export { encoderConfig, encoderParamShapes } from './encoder.js';
export type { EncoderConfig, EncoderInput } from './encoder.js';
export { makeMlmBatch, mlmHeadShapes } from './mlm.js';
export type { PretrainOptions, MlmBatch } from './mlm.js';
export { oneCycleLr } from './adamw.js';
export type { AdamWOptions, OneCycleOptions } from './adamw.js';
export type { EmbedOptions } from '../heads/embed.js';
export { buildClassLabels, FINETUNE_DEFAULTS } from '../heads/classifier.js';
export type { ClassLabels, TrainClassifierOptions } from '../heads/classifier.js';
export { warmupCosineLr } from '../heads/lr-schedule.js';
export type { WarmupCosineOptions } from '../heads/lr-schedule.js';
export { oneHotDna } from '../heads/cnn.js';
export type { CnnConfig, TrainCnnOptions } from '../heads/cnn.js';
export { readSafetensors, writeSafetensors } from './safetensors.js';
export type { NamedArray } from './safetensors.js';

/**
 * Runs `f` and frees every tensor it made except the one it returns (tf.tidy): wrap forward passes (encoderForward,
 * encoderPooled, mlmLoss, dense) in it, or their intermediate tensors stay allocated.
 */
export function tidy<T extends ModelTensor>(f: () => T): T {
  return tf.tidy(() => tfTensor(f(), 'the result of tidy')) as unknown as T;
}

/** BERT initialisation: weights N(0, 0.02), biases 0, LayerNorm gamma 1; seeded. */
export function initParams(shapes: [string, number[]][], seed: number, prefix?: string): ParamMap {
  return encoder.initParams(shapes, seed, prefix);
}

/** Last hidden state, token-major [batch * maxTokens, hidden]. Call inside tidy (or tf.tidy, tf.variableGrads). */
export function encoderForward(cfg: EncoderConfig, params: ParamMap, input: EncoderInput): ModelTensor {
  return encoder.encoderForward(cfg, tfParams(params), input);
}

/** Attention-masked mean of the last hidden layer, [batch, hidden]. Call inside tidy (or tf.tidy, tf.variableGrads). */
export function encoderPooled(cfg: EncoderConfig, params: ParamMap, input: EncoderInput): ModelTensor {
  return encoder.encoderPooled(cfg, tfParams(params), input);
}

/** Frees the memory of every parameter. */
export function disposeParams(params: ParamMap): void {
  encoder.disposeParams(tfParams(params));
}

/** MLM loss of one batch, a scalar (call inside variableGrads). */
export function mlmLoss(cfg: EncoderConfig, params: ParamMap, head: ParamMap, b: MlmBatch): ModelTensor {
  return mlm.mlmLoss(cfg, tfParams(params), tfParams(head, 'head'), b);
}

/** MLM pretraining with AdamW + OneCycle, checkpointed and resumable (see PretrainOptions). */
export function pretrainMlm(o: PretrainOptions): Promise<PretrainResult> {
  return mlm.pretrainMlm(o);
}

/** AdamW over `params` (variables, updated in place); gradients are matched to them by variable name. */
export function createAdamW(params: ParamMap, opts?: AdamWOptions): AdamW {
  return adamw.createAdamW(tfParams(params, 'params', true), opts);
}

/** Tensors as plain arrays (for checkpoints and the ONNX exporter). */
export function tensorArrays(m: ReadonlyMap<string, ModelTensor>): Map<string, NamedArray> {
  return checkpoint.tensorArrays(tfTensors(m, 'tensors'));
}

/** Writes a checkpoint (safetensors) atomically: a kill mid-write leaves the previous one intact. */
export function saveCheckpoint(file: string, ck: CheckpointInput): void {
  checkpoint.saveCheckpoint(file, {
    ...ck,
    params: tfParams(ck.params),
    head: ck.head && tfParams(ck.head, 'head'),
    optimizer: ck.optimizer && tfTensors(ck.optimizer, 'optimizer'),
  });
}

/** Reads a checkpoint as trainable variables (the caller disposes them). */
export function loadCheckpoint(file: string): Checkpoint {
  return checkpoint.loadCheckpoint(file);
}

/** Returns a row-major [n, hidden] Float32Array. */
export function embedSequences(
  config: EncoderConfig,
  params: ParamMap,
  sequences: readonly string[],
  opts?: EmbedOptions,
): Float32Array {
  return embed.embedSequences(config, tfParams(params), sequences, opts);
}

/**
 * Fine-tunes encoder + linear head on (sequence, label) pairs. The encoder params are updated in place. Yields
 * between steps; `signal` stops it after the step in flight.
 */
export function fineTune(
  config: EncoderConfig,
  params: ParamMap,
  sequences: readonly string[],
  labels: readonly string[],
  opts?: FineTuneOptions,
): Promise<ClassifierHead> {
  const initHead = opts?.initHead && { ...opts.initHead, params: tfParams(opts.initHead.params, 'initHead.params') };
  return classifier.fineTune(config, tfParams(params, 'params', true), sequences, labels, { ...opts, initHead });
}

/** Softmax regression on fixed features X [n, d] (the linear probe); yields between steps, stops on `signal`. */
export function trainLinearProbe(
  x: Float32Array,
  d: number,
  labels: readonly string[],
  opts?: TrainClassifierOptions,
): Promise<ClassifierHead> {
  return classifier.trainLinearProbe(x, d, labels, opts);
}

/** Class predictions of a head over features X [n, d]. */
export function predictWithHead(head: ClassifierHead, x: Float32Array, d: number): string[] {
  return classifier.predictWithHead({ ...head, params: tfParams(head.params, 'head.params') }, x, d);
}

/** Trains the CNN baseline of the paper's Table 4 on (sequence, label) pairs. */
export function trainCnn(
  sequences: readonly string[],
  labels: readonly string[],
  opts?: TrainCnnOptions,
): Promise<CnnModel> {
  return cnn.trainCnn(sequences, labels, opts);
}

/** Species predictions of a trained CNN. */
export function predictCnn(model: CnnModel, sequences: readonly string[], batchSize?: number): string[] {
  return cnn.predictCnn({ ...model, params: tfParams(model.params, 'model.params') }, sequences, batchSize);
}

/** x [N, in] · W [in, out] + b [out], with a backward pass fast on the wasm backend. */
export function dense(x: ModelTensor, w: ModelTensor, b?: ModelTensor): ModelTensor {
  return ops.dense(tfTensor(x, 'x'), tfTensor(w, 'w'), b && tfTensor(b, 'b'));
}

/** Mean softmax cross-entropy of logits [M, C] against integer labels (optionally weighted), a scalar. */
export function sparseCrossEntropy(logits: ModelTensor, labels: Int32Array, weights?: Float32Array): ModelTensor {
  return ops.sparseCrossEntropy(tfTensor(logits, 'logits'), labels, weights);
}
