/**
 * Parallel search on worker_threads. The index, the reference sequences and their base counts are copied once
 * into SharedArrayBuffers; each worker builds its own Searcher (scratch arrays) over those shared views and
 * answers batches of queries with packed hit lists. Deciding labels stays on the main thread (it is cheap).
 *
 * Workers run dist/search-worker.js (a tsup entry that imports only the search code), so the pool exists where
 * the package is built; under a test runner (TypeScript sources) callers search on the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { reverseComplement } from './clean.js';
import type { KmerIndex, SequenceStore } from './kmer-index.js';
import { Searcher, type Hit, type SearchOptions } from './search.js';

export interface SharedSearchData {
  k: number;
  sampling: number;
  offsets: Uint32Array;
  seqIds: Uint32Array;
  positions: Uint16Array;
  seqAll: Uint8Array;
  seqOffsets: Uint32Array;
  acgt: Int32Array;
  options: SearchOptions;
}

function shared<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(
  a: T,
  Ctor: new (b: SharedArrayBuffer) => T,
): T {
  // Arrays already in shared memory (a loaded index file) are passed as they are.
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** Copies what a search needs into shared memory. */
export function shareSearchData(
  index: KmerIndex,
  store: SequenceStore,
  acgt: Int32Array,
  options: SearchOptions,
): SharedSearchData {
  return {
    k: index.k,
    sampling: index.sampling,
    offsets: shared(index.offsets, Uint32Array),
    seqIds: shared(index.seqIds, Uint32Array),
    positions: shared(index.positions, Uint16Array),
    seqAll: shared(store.seqAll, Uint8Array),
    seqOffsets: shared(store.seqOffsets, Uint32Array),
    acgt: shared(acgt, Int32Array),
    options,
  };
}

/** A Searcher over shared data (used inside workers). */
export function searcherFromShared(d: SharedSearchData): Searcher {
  const index: KmerIndex = {
    k: d.k,
    sampling: d.sampling,
    offsets: d.offsets,
    seqIds: d.seqIds,
    positions: d.positions,
    size: d.seqIds.length,
  };
  return new Searcher(index, d, d.acgt, d.options);
}

/**
 * Forward search, and the reverse strand when the forward one finds little (barcodes submitted reverse-
 * complemented: unrelated COI barcodes are still ~75% identical, a reverse-strand one against forward ones ~50%).
 */
export function searchBothStrands(
  searcher: Searcher,
  codes: Uint8Array,
  acgt: number,
  exclude = -1,
  bothStrands = true,
): Hit[] {
  const hits = searcher.search(codes, acgt, exclude);
  if (!bothStrands || (hits.length && hits[0].identity >= 0.7)) return hits;
  const rc = searcher.search(reverseComplement(codes), acgt, exclude);
  return rc.length && (hits.length === 0 || rc[0].identity > hits[0].identity) ? rc : hits;
}

/** Hit lists as one Float64Array: per list its length, then (group, identity, matches, columns) per hit. */
export function packHits(lists: readonly Hit[][]): Float64Array {
  let n = 0;
  for (const l of lists) n += 1 + 4 * l.length;
  const out = new Float64Array(n);
  let p = 0;
  for (const l of lists) {
    out[p++] = l.length;
    for (const h of l) {
      out[p++] = h.group;
      out[p++] = h.identity;
      out[p++] = h.matches;
      out[p++] = h.columns;
    }
  }
  return out;
}

export function unpackHits(buf: Float64Array): Hit[][] {
  const out: Hit[][] = [];
  let p = 0;
  while (p < buf.length) {
    const n = buf[p++];
    const l: Hit[] = [];
    for (let i = 0; i < n; i++, p += 4)
      l.push({ group: buf[p], identity: buf[p + 1], matches: buf[p + 2], columns: buf[p + 3] });
    out.push(l);
  }
  return out;
}

export interface SearchJob {
  codes: Uint8Array;
  acgt: number;
  /** Group to leave out (leave-one-out), or -1. */
  exclude: number;
  bothStrands: boolean;
}

/** One batch of queries sent to a worker: sequences concatenated, with offsets and per-query settings. */
export interface SearchBatch {
  id: number;
  seq: Uint8Array;
  off: Int32Array;
  acgt: Int32Array;
  exclude: Int32Array;
  both: Uint8Array;
}

/**
 * The worker entry built next to this module (dist/search-worker.js). Under a test runner this module is the
 * TypeScript source, which plain Node workers cannot load: then there is no pool and the caller searches on its
 * own thread.
 */
function workerEntry(): URL | null {
  try {
    const url = new URL('./search-worker.js', import.meta.url);
    return url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

/** Default worker count: the machine's parallelism, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export class SearchPool {
  private constructor(private readonly workers: Worker[]) {}

  /**
   * Starts `threads` workers over `data`; resolves to null when the worker entry is not there (TypeScript sources
   * under a test runner) or a worker fails to start: then the caller searches on its own thread.
   */
  static async create(
    data: SharedSearchData,
    threads: number,
    entry: URL | null = workerEntry(),
  ): Promise<SearchPool | null> {
    if (threads < 2 || !entry) return null;
    const workers: Worker[] = [];
    try {
      await Promise.all(
        Array.from({ length: threads }, () => {
          const w = new Worker(entry, { workerData: { data } });
          workers.push(w);
          return new Promise<void>((resolve, reject) => {
            w.once('message', (m: { ready?: boolean; error?: string }) =>
              m.ready ? resolve() : reject(new Error(m.error)),
            );
            w.once('error', reject);
          });
        }),
      );
    } catch {
      await Promise.all(workers.map((w) => w.terminate()));
      return null;
    }
    for (const w of workers) w.unref();
    return new SearchPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs the jobs in batches across the workers; results in job order. */
  async run(jobs: readonly SearchJob[], onProgress?: (done: number, total: number) => void): Promise<Hit[][]> {
    const results: Hit[][] = new Array(jobs.length);
    const batch = Math.max(16, Math.min(256, Math.ceil(jobs.length / (this.workers.length * 8))));
    let next = 0;
    let done = 0;
    let id = 0;
    const runOn = async (w: Worker) => {
      while (next < jobs.length) {
        const start = next;
        const end = Math.min(jobs.length, start + batch);
        next = end;
        const n = end - start;
        const off = new Int32Array(n + 1);
        for (let i = 0; i < n; i++) off[i + 1] = off[i] + jobs[start + i].codes.length;
        const seq = new Uint8Array(off[n]);
        const acgt = new Int32Array(n);
        const exclude = new Int32Array(n);
        const both = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const j = jobs[start + i];
          seq.set(j.codes, off[i]);
          acgt[i] = j.acgt;
          exclude[i] = j.exclude;
          both[i] = j.bothStrands ? 1 : 0;
        }
        const myId = id++;
        const hits = await new Promise<Float64Array>((resolve, reject) => {
          const onMessage = (m: { id: number; hits: Float64Array }) => {
            if (m.id !== myId) return;
            w.off('message', onMessage);
            w.off('error', reject);
            resolve(m.hits);
          };
          w.on('message', onMessage);
          w.once('error', reject);
          w.postMessage({ id: myId, seq, off, acgt, exclude, both } satisfies SearchBatch, [seq.buffer, off.buffer]);
        });
        const lists = unpackHits(hits);
        for (let i = 0; i < n; i++) results[start + i] = lists[i];
        done += n;
        onProgress?.(done, jobs.length);
      }
    };
    await Promise.all(this.workers.map((w) => runOn(w)));
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
