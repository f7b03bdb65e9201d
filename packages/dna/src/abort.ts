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
