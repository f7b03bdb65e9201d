/**
 * @bioscan5m/dna/model as this package's tfjs training code uses it. That entry's public types are engine-neutral
 * (ModelTensor, a ParamMap of ModelVariable) so that no tfjs type reaches a published .d.ts; at run time they are
 * tensors of the one tfjs both packages load. The tfjs types are put back here, once, for the functions whose
 * results feed tfjs ops; nothing of this file reaches clip's public types.
 */
import type * as tf from '@tensorflow/tfjs';
import * as dnaModel from '@bioscan5m/dna/model';
import type { EncoderConfig, EncoderInput } from '@bioscan5m/dna/model';

/** Encoder (or adapter) parameters as tfjs variables. */
export type TfParamMap = Map<string, tf.Variable>;

export interface TfCheckpoint extends Omit<dnaModel.Checkpoint, 'params' | 'head' | 'optimizer'> {
  params: TfParamMap;
  head: TfParamMap;
  optimizer: Map<string, tf.Tensor>;
}

export const encoderPooled = dnaModel.encoderPooled as unknown as (
  cfg: EncoderConfig,
  params: TfParamMap,
  input: EncoderInput,
) => tf.Tensor2D;
export const dense = dnaModel.dense as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D) => tf.Tensor2D;
export const sparseCrossEntropy = dnaModel.sparseCrossEntropy as unknown as (
  logits: tf.Tensor2D,
  labels: Int32Array,
  weights?: Float32Array,
) => tf.Scalar;
export const loadCheckpoint = dnaModel.loadCheckpoint as (file: string) => TfCheckpoint;
