/**
 * Worker-thread entry of the stats scanner (built by tsup as dist/stats-worker.{js,cjs}): scans the byte range in
 * workerData and posts progress, then the result (barcode arrays transferred) or the malformed record.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { scanRange, ScanInvalidError, type ScanRequest } from './scanner.js';

const port = parentPort!;
try {
  const res = scanRange(workerData as ScanRequest, (done) => port.postMessage({ progress: done }));
  port.postMessage({ result: res }, [
    res.barcodeH1.buffer,
    res.barcodeH2.buffer,
    res.barcodeCounts.buffer,
  ] as ArrayBuffer[]);
} catch (err) {
  if (err instanceof ScanInvalidError) port.postMessage({ invalid: err.invalid });
  else port.postMessage({ error: (err as Error).message ?? String(err) });
}
