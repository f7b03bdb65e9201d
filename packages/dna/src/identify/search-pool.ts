/**
 * Parallel search on worker_threads. The index, the reference sequences and their base counts are copied once
 * into SharedArrayBuffers; each worker builds its own Searcher (scratch arrays) over those shared views and
 * answers batches of queries with packed hit lists. Deciding labels stays on the main thread (it is cheap).
 *
 * The worker imports this package's own built module (import.meta.url of the bundle), so the pool exists only
 * where that module is loadable by plain Node (the published ESM build); elsewhere (TypeScript sources under
 * a test runner, the CJS build) callers fall back to searching on the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { reverseComplement } from './clean.js';
import type { KmerIndex } from './kmer-index.js';
import { Searcher, type Hit, type SearchOptions } from './search.js';

export interface SharedSearchData {
  k: number;
  sampling: number;
  offsets: Uint32Array;
  seqIds: Uint32Array;
  positions: Uint16Array;
  seqAll: Uint8Array;
  seqOffsets: Int32Array;
  acgt: Int32Array;
  options: SearchOptions;
}

function shared<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, Ctor: new (b: SharedArrayBuffer) => T): T {
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a as never);
  return out;
}

/** Copies what a search needs into shared memory. */
export function shareSearchData(index: KmerIndex, sequences: readonly Uint8Array[], acgt: Int32Array, options: SearchOptions): SharedSearchData {
  const seqOffsets = new Int32Array(new SharedArrayBuffer(4 * (sequences.length + 1)));
  for (let i = 0; i < sequences.length; i++) seqOffsets[i + 1] = seqOffsets[i] + sequences[i].length;
  const seqAll = new Uint8Array(new SharedArrayBuffer(seqOffsets[sequences.length]));
  sequences.forEach((s, i) => seqAll.set(s, seqOffsets[i]));
  return {
    k: index.k,
    sampling: index.sampling,
    offsets: shared(index.offsets, Uint32Array),
    seqIds: shared(index.seqIds, Uint32Array),
    positions: shared(index.positions, Uint16Array),
    seqAll,
    seqOffsets,
    acgt: shared(acgt, Int32Array),
    options,
  };
}

/** A Searcher over shared data (used inside workers). */
export function searcherFromShared(d: SharedSearchData): Searcher {
  const sequences = Array.from({ length: d.seqOffsets.length - 1 }, (_, i) => d.seqAll.subarray(d.seqOffsets[i], d.seqOffsets[i + 1]));
  const index: KmerIndex = { k: d.k, sampling: d.sampling, offsets: d.offsets, seqIds: d.seqIds, positions: d.positions, size: d.seqIds.length };
  return new Searcher(index, sequences, d.acgt, d.options);
}

/**
 * Forward search, and the reverse strand when the forward one finds little (barcodes submitted reverse-
 * complemented: unrelated COI barcodes are still ~75% identical, a reverse-strand one against forward ones ~50%).
 */
export function searchBothStrands(searcher: Searcher, codes: Uint8Array, acgt: number, exclude = -1, bothStrands = true): Hit[] {
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
    for (let i = 0; i < n; i++, p += 4) l.push({ group: buf[p], identity: buf[p + 1], matches: buf[p + 2], columns: buf[p + 3] });
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

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.moduleUrl).then((m) => {
  const searcher = m.searcherFromShared(workerData.data);
  parentPort.on('message', (msg) => {
    const lists = [];
    for (let i = 0; i < msg.acgt.length; i++) {
      const codes = msg.seq.subarray(msg.off[i], msg.off[i + 1]);
      lists.push(m.searchBothStrands(searcher, codes, msg.acgt[i], msg.exclude[i], msg.both[i] === 1));
    }
    const hits = m.packHits(lists);
    parentPort.postMessage({ id: msg.id, hits }, [hits.buffer]);
  });
  parentPort.postMessage({ ready: true });
}).catch((err) => parentPort.postMessage({ error: String((err && err.message) || err) }));
`;

/** Default worker count: the machine's parallelism, at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export class SearchPool {
  private constructor(private readonly workers: Worker[]) {}

  /**
   * Starts `threads` workers over `data`; resolves to null when workers cannot load `moduleUrl` (then the caller
   * searches on its own thread).
   */
  static async create(data: SharedSearchData, threads: number, moduleUrl: string | undefined): Promise<SearchPool | null> {
    if (threads < 2 || !moduleUrl || !/\.(m?js)$/.test(new URL(moduleUrl).pathname)) return null;
    if (moduleUrl.startsWith('file:') && !existsSync(fileURLToPath(moduleUrl))) return null;
    const workers: Worker[] = [];
    try {
      await Promise.all(
        Array.from({ length: threads }, () => {
          const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { moduleUrl, data } });
          workers.push(w);
          return new Promise<void>((resolve, reject) => {
            w.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : reject(new Error(m.error))));
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
          w.postMessage({ id: myId, seq, off, acgt, exclude, both }, [seq.buffer, off.buffer]);
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
