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

/** A batch waiting for, or running on, a worker. */
interface PoolTask {
  batch: SearchBatch;
  resolve: (hits: Float64Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Worker threads that answer search batches. Batches of every run() wait in one FIFO queue and go to whichever
 * worker is idle, so concurrent callers (the identification service's requests) share the workers safely and a
 * one-query request does not wait behind another worker's batch.
 */
export class SearchPool {
  private readonly idle: Worker[];
  private readonly queue: PoolTask[] = [];
  private readonly running = new Map<Worker, PoolTask>();
  private nextId = 0;
  private closed = false;

  private constructor(private readonly workers: Worker[]) {
    this.idle = [...workers];
    for (const w of workers) {
      w.on('message', (m: { id: number; hits: Float64Array }) => this.done(w, null, m.hits));
      w.on('error', (err) => this.done(w, err, null));
      w.on('exit', (code) => this.closed || this.done(w, new Error(`search worker exited (code ${code})`), null));
    }
  }

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
    for (const w of workers) {
      w.removeAllListeners('message');
      w.removeAllListeners('error');
      w.unref();
    }
    return new SearchPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs the jobs in batches across the workers; results in job order. Safe to call concurrently. */
  async run(jobs: readonly SearchJob[], onProgress?: (done: number, total: number) => void): Promise<Hit[][]> {
    const results: Hit[][] = new Array(jobs.length);
    // Enough batches to keep every worker busy and balanced; a batch still amortises its message (~50 us).
    const batch = Math.max(1, Math.min(256, Math.ceil(jobs.length / (this.workers.length * 8))));
    let done = 0;
    const runs: Promise<void>[] = [];
    for (let start = 0; start < jobs.length; start += batch) {
      const n = Math.min(batch, jobs.length - start);
      runs.push(
        this.submit(packBatch(jobs, start, n, this.nextId++)).then((hits) => {
          const lists = unpackHits(hits);
          for (let i = 0; i < n; i++) results[start + i] = lists[i];
          done += n;
          onProgress?.(done, jobs.length);
        }),
      );
    }
    await Promise.all(runs);
    return results;
  }

  private submit(batch: SearchBatch): Promise<Float64Array> {
    if (this.closed) return Promise.reject(new Error('the search pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const task = this.queue.shift()!;
      this.running.set(w, task);
      const b = task.batch;
      w.postMessage(b, [b.seq.buffer as ArrayBuffer, b.off.buffer as ArrayBuffer]);
    }
  }

  /** A worker answered (or failed): settle its task, then give it the next batch. A failed worker is dropped. */
  private done(w: Worker, err: unknown, hits: Float64Array | null): void {
    const task = this.running.get(w);
    this.running.delete(w);
    if (err) {
      task?.reject(err);
      if (!this.workers.includes(w)) return;
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      if (this.workers.length === 0) for (const t of this.queue.splice(0)) t.reject(err);
      return;
    }
    task?.resolve(hits!);
    this.idle.push(w);
    this.dispatch();
  }

  async close(): Promise<void> {
    this.closed = true;
    const closedErr = new Error('the search pool is closed');
    for (const t of [...this.queue.splice(0), ...this.running.values()]) t.reject(closedErr);
    this.running.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Jobs start..start+n as one message: sequences concatenated, with offsets and per-query settings. */
function packBatch(jobs: readonly SearchJob[], start: number, n: number, id: number): SearchBatch {
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
  return { id, seq, off, acgt, exclude, both };
}
