/**
 * Inverted k-mer index over reference barcodes, for candidate search.
 *
 * Contiguous k-mers are packed 2 bits per base into an integer (no string per k-mer); k-mers holding N are
 * skipped. Large references keep a deterministic hash-selected fraction 1/s of k-mers (FracMinHash), applied
 * identically to queries, so memory stays bounded while every shared sampled k-mer still counts. Postings are
 * in CSR form: offsets per k-mer, then (sequence, position) pairs in typed arrays.
 */
import { BASE_N } from './clean.js';

export interface KmerIndexOptions {
  /** k-mer length, 6..15 (default 12; 11 for references under ~8 million k-mers, where the 4^12 table costs more than it saves). */
  k?: number;
  /** Keep 1 in `sampling` k-mers (hash-selected); default chosen so postings stay under `maxPostings`. */
  sampling?: number;
  /** Posting budget used to choose the default sampling (default 24 million). */
  maxPostings?: number;
}

/** Sequences concatenated: sequence i is seqAll[seqOffsets[i], seqOffsets[i + 1]) (a ReferenceSet is one). */
export interface SequenceStore {
  readonly seqAll: Uint8Array;
  readonly seqOffsets: Uint32Array;
}

/** A SequenceStore holding copies of `seqs` (tests and small callers). */
export function sequenceStore(seqs: readonly Uint8Array[]): SequenceStore {
  const seqOffsets = new Uint32Array(seqs.length + 1);
  for (let i = 0; i < seqs.length; i++) seqOffsets[i + 1] = seqOffsets[i] + seqs[i].length;
  const seqAll = new Uint8Array(seqOffsets[seqs.length]);
  seqs.forEach((s, i) => seqAll.set(s, seqOffsets[i]));
  return { seqAll, seqOffsets };
}

export interface KmerIndex {
  readonly k: number;
  readonly sampling: number;
  /** offsets[kmer]..offsets[kmer+1] index into seqIds/positions. */
  readonly offsets: Uint32Array;
  readonly seqIds: Uint32Array;
  readonly positions: Uint16Array;
  readonly size: number;
}

const GOLDEN = 0x9e3779b1;

/** Whether a packed k-mer is kept under 1/s sampling: its hash falls in the lowest 1/s of the 32-bit range. */
export function keepKmer(kmer: number, sampling: number): boolean {
  return sampling === 1 || Math.imul(kmer ^ (kmer >>> 15), GOLDEN) >>> 0 < 0x100000000 / sampling;
}

/**
 * Calls `fn(kmer, pos)` for every k-mer without N kept under sampling. Positions are clipped to 65535 in the
 * index (COI barcodes are ~650 nt; longer inputs still work, their diagonal estimate just saturates).
 */
export function forEachKmer(
  codes: Uint8Array,
  k: number,
  sampling: number,
  fn: (kmer: number, pos: number) => void,
): void {
  const mask = k === 16 ? 0xffffffff : (1 << (2 * k)) - 1;
  let kmer = 0;
  let valid = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === BASE_N) {
      valid = 0;
      kmer = 0;
      continue;
    }
    kmer = ((kmer << 2) | c) & mask;
    if (++valid >= k) {
      if (sampling === 1 || keepKmer(kmer, sampling)) fn(kmer, i - k + 1);
    }
  }
}

export function buildKmerIndex(store: SequenceStore, opts: KmerIndexOptions = {}): KmerIndex {
  const { seqAll, seqOffsets } = store;
  const nSeqs = seqOffsets.length - 1;
  let k = opts.k ?? 12;
  if (!Number.isInteger(k) || k < 6 || k > 15) throw new RangeError(`k must be an integer in 6..15, got ${k}`);
  // Upper bound of the k-mer count (k-mers holding N are fewer): enough to choose k and the sampling.
  let total = 0;
  for (let i = 0; i < nSeqs; i++) total += Math.max(0, seqOffsets[i + 1] - seqOffsets[i] - k + 1);
  if (opts.k === undefined && total < 8_000_000) k = 11;
  const sampling = opts.sampling ?? Math.max(1, Math.ceil(total / (opts.maxPostings ?? 24_000_000)));
  const nk = 1 << (2 * k);
  const mask = nk - 1;
  // One hashing pass extracts the kept (k-mer, position) pairs of every sequence into flat typed arrays; the
  // counting sort below then reads those instead of re-scanning and re-hashing the sequences.
  let kmers = new Uint32Array(Math.ceil((total / sampling) * 1.25) + 1024);
  let kpos = new Uint16Array(kmers.length);
  const seqStart = new Uint32Array(nSeqs + 1);
  let m = 0;
  for (let id = 0; id < nSeqs; id++) {
    const s = seqAll.subarray(seqOffsets[id], seqOffsets[id + 1]);
    if (m + s.length > kmers.length) {
      const grown = new Uint32Array(Math.max(Math.ceil(1.5 * kmers.length), m + s.length));
      grown.set(kmers.subarray(0, m));
      kmers = grown;
      const grownPos = new Uint16Array(grown.length);
      grownPos.set(kpos.subarray(0, m));
      kpos = grownPos;
    }
    let kmer = 0;
    let valid = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === BASE_N) {
        valid = 0;
        kmer = 0;
        continue;
      }
      kmer = ((kmer << 2) | c) & mask;
      if (++valid >= k && (sampling === 1 || keepKmer(kmer, sampling))) {
        kmers[m] = kmer;
        const pos = i - k + 1;
        kpos[m++] = pos > 65535 ? 65535 : pos;
      }
    }
    seqStart[id + 1] = m;
  }
  // Counting sort: count into offsets[kmer], prefix-sum to end positions, then fill backwards so that each
  // offsets[kmer] ends at its list's start (ids ascending within a list). The fill runs per k-mer partition
  // (top 2 bits) so its scattered writes stay in a quarter of the tables: half the cache and TLB misses.
  const offsets = new Uint32Array(nk + 1);
  for (let e = 0; e < m; e++) offsets[kmers[e]]++;
  for (let i = 1; i < nk; i++) offsets[i] += offsets[i - 1];
  const size = m;
  offsets[nk] = size;
  const seqIds = new Uint32Array(size);
  const positions = new Uint16Array(size);
  const partBits = k >= 10 ? 2 : 0;
  const shift = 2 * k - partBits;
  for (let part = 0; part < 1 << partBits; part++) {
    for (let id = nSeqs - 1; id >= 0; id--) {
      for (let e = seqStart[id]; e < seqStart[id + 1]; e++) {
        const kmer = kmers[e];
        if (kmer >>> shift !== part) continue;
        const at = --offsets[kmer];
        seqIds[at] = id;
        positions[at] = kpos[e];
      }
    }
  }
  return { k, sampling, offsets, seqIds, positions, size };
}
