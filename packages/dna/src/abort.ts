/** Stopping a long job between steps when its AbortSignal fires (JobControl.signal), with core's throwIfAborted. */
import { throwIfAborted, type ProgressCallback } from '@bioscan5m/core';

/** A progress callback that also stops the job between steps once `signal` is aborted. */
export function withAbort(
  signal: AbortSignal | undefined,
  onProgress: ProgressCallback | undefined,
): ProgressCallback | undefined {
  if (!signal) return onProgress;
  return (done, total) => {
    onProgress?.(done, total);
    throwIfAborted(signal);
  };
}

/**
 * Resolves on the next turn of the event loop (a macrotask: timers, I/O and signal handlers run first). Training
 * loops await it after each step, so that abort() from a timer and SIGINT/SIGTERM (whose handlers remove the temp
 * files and exit) take effect after the step in flight rather than after the whole training. It draws no random
 * number and touches no tensor: results are the same with or without it.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
