/** Shared shapes of long jobs: progress reporting, cancellation and disposal. */
import { Bioscan5mError } from '../errors.js';

/** Called as work advances: `done` of `total` units (rows, images, steps); `total` may be 0 when unknown. */
export type ProgressCallback = (done: number, total: number) => void;

/** Options every long job accepts. */
export interface JobControl {
  onProgress?: ProgressCallback;
  /** Stops the job; it removes its temp files and throws a BIOSCAN5M_INTERRUPTED error. */
  signal?: AbortSignal;
}

/** Anything holding native resources (ONNX sessions, tensors, worker threads). */
export interface Disposable {
  dispose(): Promise<void> | void;
}

/** Stops a long job between steps once its JobControl.signal has fired (a BIOSCAN5M_INTERRUPTED error). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Bioscan5mError('interrupted', 'BIOSCAN5M_INTERRUPTED', { cause: signal.reason });
}
