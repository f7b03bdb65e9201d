/** Worker thread of `vision crop`: builds its own detector and processes the images the main thread sends. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDetector, type DetectorSpec } from './detectors.js';
import { processImage } from './process-image.js';
import { ImageReadError } from './image.js';
import type { ProcessOptions } from './process-image.js';
import type { ScoredBox } from './types.js';

interface Init {
  spec: DetectorSpec;
  outDir: string;
  crop: ProcessOptions;
}

const init = workerData as Init;
const port = parentPort!;
const ready = createDetector(init.spec);
port.on('message', async (msg: { id: number; path: string; rel: string; box?: ScoredBox | null } | null) => {
  if (msg === null) {
    await (await ready).dispose?.();
    port.close();
    return;
  }
  try {
    const row = await processImage(msg.path, msg.rel, init.outDir, await ready, { ...init.crop, box: msg.box });
    port.postMessage({ id: msg.id, row });
  } catch (err) {
    port.postMessage({ id: msg.id, error: (err as Error).message, unreadable: err instanceof ImageReadError });
  }
});
