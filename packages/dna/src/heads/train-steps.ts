/**
 * The step loop the trained heads share (fine-tuning, the linear probe, the CNN baseline): a seeded batch plan,
 * a turn of the event loop after each step (aborts and SIGINT/SIGTERM take effect between steps), and the freeing
 * of what a failed or aborted training made.
 */
import type * as tf from '@tensorflow/tfjs';
import { createRng, throwIfAborted } from '@bioscan5m/core';
import { nextTurn } from '../abort.js';
import { disposeParams, type ParamMap } from '../model/encoder.js';

/** The rows of each step: `epochs` seeded shuffles of 0..n-1, each cut into batches of `bs`. */
export function batches(n: number, bs: number, epochs: number, seed: number): number[][] {
  const rng = createRng(seed);
  const out: number[][] = [];
  for (let e = 0; e < epochs; e++) {
    const idx = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    for (let s = 0; s < n; s += bs) out.push(idx.slice(s, s + bs));
  }
  return out;
}

export interface StepLoopOptions {
  /** Stops the loop between steps (a Bioscan5mError 'BIOSCAN5M_INTERRUPTED'). */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** The weights being trained: freed when the loop fails or is aborted. */
  made: ParamMap;
  /** Freed when the loop ends, however it ends. */
  optimizers: { dispose(): void }[];
}

/** Runs `step` on each batch of `plan` in order, reporting progress and yielding to the event loop after each. */
export async function runSteps(
  plan: readonly number[][],
  o: StepLoopOptions,
  step: (rows: number[], index: number) => void,
): Promise<void> {
  try {
    for (let i = 0; i < plan.length; i++) {
      throwIfAborted(o.signal);
      step(plan[i], i);
      o.onProgress?.(i + 1, plan.length);
      await nextTurn();
    }
    throwIfAborted(o.signal);
  } catch (err) {
    disposeParams(o.made);
    throw err;
  } finally {
    for (const opt of o.optimizers) opt.dispose();
  }
}

/** Runs `update` on a step's gradients and loss, then frees them (also when `update` throws). */
export function withGrads<T>(
  { value, grads }: { value: tf.Scalar; grads: tf.NamedTensorMap },
  update: (grads: tf.NamedTensorMap, loss: tf.Scalar) => T,
): T {
  try {
    return update(grads, value);
  } finally {
    value.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }
}
