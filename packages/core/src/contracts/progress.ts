/** Shared shapes of long jobs: progress reporting, cancellation and disposal. */

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
