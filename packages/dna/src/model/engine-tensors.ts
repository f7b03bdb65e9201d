/**
 * Where the public, engine-neutral types of `@bioscan5m/dna/model` (public-types.ts) meet tfjs: what a caller
 * passes in is checked to be a tfjs tensor (tf.Tensor's instanceof is structural, so tensors of another copy of
 * tfjs pass) and then handed on as the tfjs type the implementation works with.
 */
import * as tf from '@tensorflow/tfjs';
import { Bioscan5mError } from '@bioscan5m/core';
import type { ModelTensor, ModelVariable } from './public-types.js';

function refuse(what: string, value: unknown): never {
  const got =
    value === null ? 'null' : typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
  throw new Bioscan5mError(`${what} is not a tensor of the model engine (tfjs); got ${got}`);
}

/** One tensor passed in, as tfjs' tensor type `T` (its rank is the caller's promise, as in tfjs' own typings). */
export function tfTensor<T extends tf.Tensor = tf.Tensor>(t: ModelTensor, what: string): T {
  if (!(t instanceof tf.Tensor)) refuse(what, t);
  return t as unknown as T;
}

/** A map of tensors passed in (parameters, optimizer moments), the same Map typed for tfjs. */
export function tfTensors<T extends tf.Tensor = tf.Tensor>(
  m: ReadonlyMap<string, ModelTensor>,
  what: string,
): Map<string, T> {
  for (const [name, t] of m) if (!(t instanceof tf.Tensor)) refuse(`${what} '${name}'`, t);
  return m as unknown as Map<string, T>;
}

/**
 * Parameters passed in. They may be plain tensors (e.g. base + adapter inside a gradient tape) where only a
 * forward pass reads them; `variables` insists on tf.Variable where they are updated in place.
 */
export function tfParams(
  m: ReadonlyMap<string, ModelVariable>,
  what = 'params',
  variables = false,
): Map<string, tf.Variable> {
  if (!variables) return tfTensors<tf.Variable>(m, what);
  for (const [name, t] of m) if (!(t instanceof tf.Variable)) refuse(`${what} '${name}' (a trainable variable)`, t);
  return m as unknown as Map<string, tf.Variable>;
}
