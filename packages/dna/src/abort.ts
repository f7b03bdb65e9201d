/** Stopping a long job between steps when its AbortSignal fires (JobControl.signal). */
import { Bioscan5mError, type ProgressCallback } from '@bioscan5m/core';

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Bioscan5mError('interrupted', 'BIOSCAN5M_INTERRUPTED', { cause: signal.reason });
}

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
