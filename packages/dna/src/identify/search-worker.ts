/**
 * Worker-thread entry of SearchPool (built by tsup as dist/search-worker.js): builds a Searcher over the shared
 * reference once, then answers batches of queries with packed hit lists. It imports only the search code, so a
 * worker starts in milliseconds (it used to import the whole package, tfjs included: ~2 s each).
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  packHits,
  searchBothStrands,
  searcherFromShared,
  type SearchBatch,
  type SharedSearchData,
} from './search-pool.js';
import type { Hit } from './search.js';

const port = parentPort;
if (!port) throw new Error('search-worker.js runs only as a worker thread of SearchPool');
try {
  const searcher = searcherFromShared((workerData as { data: SharedSearchData }).data);
  port.on('message', (msg: SearchBatch) => {
    const lists: Hit[][] = [];
    for (let i = 0; i < msg.acgt.length; i++) {
      const codes = msg.seq.subarray(msg.off[i], msg.off[i + 1]);
      lists.push(searchBothStrands(searcher, codes, msg.acgt[i], msg.exclude[i], msg.both[i] === 1));
    }
    const hits = packHits(lists);
    port.postMessage({ id: msg.id, hits }, [hits.buffer as ArrayBuffer]);
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ error: String((err as Error)?.message ?? err) });
}
