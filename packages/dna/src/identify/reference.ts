/**
 * Reference set for identification: records are cleaned, identical cleaned barcodes are grouped (one indexed
 * sequence per distinct barcode, with every lineage seen on it and how often), and unusable rows are counted.
 *
 * The set is flat typed arrays (sequences concatenated with offsets, labels in CSR form, record ids as UTF-8
 * bytes), so that it is built in one streaming pass with memory proportional to the distinct barcodes, and a
 * saved index (index-file.ts) holds exactly these arrays and loads them as views, with no parse per record.
 */
import { TAXONOMIC_RANKS } from '@bioscan5m/core';
import { GrowableInt32 } from '@bioscan5m/core/internal';
import { cleanBarcode, type CleaningCounts, emptyCleaningCounts, addCleaningCounts } from './clean.js';

/** The seven ranks predicted, phylum to species. */
export const IDENTIFY_RANKS = TAXONOMIC_RANKS;
export type Lineage = readonly string[];

export interface ReferenceRecord {
  /** Identifier reported as the nearest reference. */
  id: string;
  /** Raw barcode (cleaned here). */
  barcode: string;
  /** Labels phylum..species in IDENTIFY_RANKS order; empty string = unknown. */
  lineage: Lineage;
}

export interface SkippedReference {
  /** Index of the record in the input. */
  index: number;
  id: string;
  reason: string;
}

/** Skipped records listed one by one (the rest are counted). */
export const LISTED_SKIPPED = 1000;

export interface ReferenceSet {
  /** Distinct barcodes (groups). */
  groups: number;
  /** Cleaned codes of every group, concatenated: group g is seqAll[seqOffsets[g], seqOffsets[g + 1]). */
  seqAll: Uint8Array;
  seqOffsets: Uint32Array;
  /** A/C/G/T count of each group's sequence. */
  acgt: Int32Array;
  /** Labels of group g: entries labelStart[g]..labelStart[g + 1] of labelLineage / labelCount. */
  labelStart: Uint32Array;
  /** Interned lineage id of each label entry. */
  labelLineage: Uint32Array;
  /** Records carrying that lineage on that barcode. */
  labelCount: Uint32Array;
  /** Interned lineages. */
  lineages: Lineage[];
  /** First record id of each group: UTF-8 bytes idBytes[idOffsets[g], idOffsets[g + 1]). */
  idBytes: Uint8Array;
  idOffsets: Uint32Array;
  /** Records used. */
  records: number;
  /** Records not used (the first LISTED_SKIPPED are in `skipped`). */
  skippedCount: number;
  skipped: SkippedReference[];
  cleaning: CleaningCounts;
}

export interface ReferenceOptions {
  /** Minimum A/C/G/T bases for a usable barcode (default 50). */
  minBases?: number;
}

/** The cleaned codes of group g (a view, no copy). */
export function groupSequence(ref: ReferenceSet, g: number): Uint8Array {
  return ref.seqAll.subarray(ref.seqOffsets[g], ref.seqOffsets[g + 1]);
}

/** The distinct lineages of group g with their record counts, in first-seen order. */
export function groupLabels(ref: ReferenceSet, g: number): { lineage: number; count: number }[] {
  const out: { lineage: number; count: number }[] = [];
  for (let e = ref.labelStart[g]; e < ref.labelStart[g + 1]; e++)
    out.push({ lineage: ref.labelLineage[e], count: ref.labelCount[e] });
  return out;
}

const utf8 = new TextDecoder();

/** The first record id of group g. */
export function groupId(ref: ReferenceSet, g: number): string {
  return utf8.decode(ref.idBytes.subarray(ref.idOffsets[g], ref.idOffsets[g + 1]));
}

/** A growable byte array (doubling), for the concatenated sequences and ids. */
class ByteArena {
  data = new Uint8Array(1 << 20);
  length = 0;
  append(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    if (this.length + n > this.data.length) {
      // typed arrays are limited to 2^32 elements on Node 20; the offsets are Uint32 too
      const cap = Math.min(2 ** 32 - 1, Math.max(this.length + n, this.data.length * 2));
      if (this.length + n > cap) throw new RangeError('the reference exceeds 4 GiB of distinct barcode bases');
      const next = new Uint8Array(cap);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(src.subarray(start, end), this.length);
    this.length += n;
  }
}

const encoder = new TextEncoder();

/**
 * Builds a ReferenceSet one record at a time (streaming: records are not kept, only distinct barcodes, interned
 * lineages and counts). Identical barcodes (core's barcode rule) are found by core's 53-bit barcode hash; the
 * cleaned codes are compared too, so a hash collision never merges two sequences.
 */
export class ReferenceSetBuilder {
  private readonly minBases: number;
  private readonly bySeq = new Map<number, number>();
  /** Next group with the same hash (collision chain), -1 at the end. */
  private readonly sameHash = new GrowableInt32();
  private readonly seqs = new ByteArena();
  private readonly seqOffsets = new GrowableInt32();
  private readonly acgt = new GrowableInt32();
  private readonly ids = new ByteArena();
  private readonly idOffsets = new GrowableInt32();
  /** Label entries as linked lists per group (appended in first-seen order). */
  private readonly head = new GrowableInt32();
  private readonly tail = new GrowableInt32();
  private readonly entLineage = new GrowableInt32();
  private readonly entCount = new GrowableInt32();
  private readonly entNext = new GrowableInt32();
  private readonly lineageIds = new Map<string, number>();
  private readonly lineages: Lineage[] = [];
  private readonly skipped: SkippedReference[] = [];
  private skippedCount = 0;
  private readonly cleaning = emptyCleaningCounts();
  private index = 0;
  private used = 0;

  constructor(opts: ReferenceOptions = {}) {
    this.minBases = opts.minBases ?? 50;
    this.seqOffsets.push(0);
    this.idOffsets.push(0);
  }

  /** Distinct barcodes so far. */
  get groups(): number {
    return this.acgt.length;
  }

  /** Records seen so far (used and skipped). */
  get seen(): number {
    return this.index;
  }

  private skip(index: number, id: string, reason: string): void {
    this.skippedCount++;
    if (this.skipped.length < LISTED_SKIPPED) this.skipped.push({ index, id, reason });
  }

  add(rec: ReferenceRecord): void {
    const i = this.index++;
    const cleaned = cleanBarcode(rec.barcode ?? '');
    addCleaningCounts(this.cleaning, cleaned.counts);
    if (cleaned.acgt < this.minBases) {
      const reason =
        cleaned.acgt === 0 ? 'no usable sequence' : `only ${cleaned.acgt} A/C/G/T bases (minimum ${this.minBases})`;
      this.skip(i, rec.id, reason);
      return;
    }
    if (!rec.lineage.some((v) => v)) {
      this.skip(i, rec.id, 'no taxonomic label at any rank');
      return;
    }
    this.used++;
    const codes = cleaned.codes;
    const first = this.bySeq.get(cleaned.key);
    let g = first ?? -1;
    let last = -1;
    while (g >= 0 && !this.sameCodes(g, codes)) {
      last = g;
      g = this.sameHash.data[g];
    }
    if (g < 0) {
      g = this.groups;
      if (first === undefined) this.bySeq.set(cleaned.key, g);
      else this.sameHash.data[last] = g;
      this.sameHash.push(-1);
      this.seqs.append(codes);
      this.seqOffsets.push(this.seqs.length);
      this.acgt.push(cleaned.acgt);
      this.ids.append(encoder.encode(rec.id));
      this.idOffsets.push(this.ids.length);
      this.head.push(-1);
      this.tail.push(-1);
    }
    const lkey = rec.lineage.join('\u0001');
    let l = this.lineageIds.get(lkey);
    if (l === undefined) {
      l = this.lineages.length;
      this.lineageIds.set(lkey, l);
      this.lineages.push([...rec.lineage]);
    }
    let e = this.head.data[g];
    while (e >= 0 && this.entLineage.data[e] !== l) e = this.entNext.data[e];
    if (e >= 0) {
      this.entCount.data[e]++;
      return;
    }
    e = this.entLineage.length;
    this.entLineage.push(l);
    this.entCount.push(1);
    this.entNext.push(-1);
    if (this.tail.data[g] >= 0) this.entNext.data[this.tail.data[g]] = e;
    else this.head.data[g] = e;
    this.tail.data[g] = e;
  }

  private sameCodes(g: number, codes: Uint8Array): boolean {
    const start = this.seqOffsets.data[g] >>> 0;
    const end = this.seqOffsets.data[g + 1] >>> 0;
    if (end - start !== codes.length) return false;
    const all = this.seqs.data;
    for (let i = 0; i < codes.length; i++) if (all[start + i] !== codes[i]) return false;
    return true;
  }

  finish(): ReferenceSet {
    const n = this.groups;
    const labelStart = new Uint32Array(n + 1);
    const labelLineage = new Uint32Array(this.entLineage.length);
    const labelCount = new Uint32Array(this.entLineage.length);
    let m = 0;
    for (let g = 0; g < n; g++) {
      for (let e = this.head.data[g]; e >= 0; e = this.entNext.data[e]) {
        labelLineage[m] = this.entLineage.data[e];
        labelCount[m++] = this.entCount.data[e];
      }
      labelStart[g + 1] = m;
    }
    return {
      groups: n,
      seqAll: this.seqs.data.subarray(0, this.seqs.length),
      seqOffsets: new Uint32Array(this.seqOffsets.data.buffer, 0, n + 1),
      acgt: this.acgt.toArray(),
      labelStart,
      labelLineage,
      labelCount,
      lineages: this.lineages,
      idBytes: this.ids.data.subarray(0, this.ids.length),
      idOffsets: new Uint32Array(this.idOffsets.data.buffer, 0, n + 1),
      records: this.used,
      skippedCount: this.skippedCount,
      skipped: this.skipped,
      cleaning: this.cleaning,
    };
  }
}

export function buildReferenceSet(records: Iterable<ReferenceRecord>, opts: ReferenceOptions = {}): ReferenceSet {
  const b = new ReferenceSetBuilder(opts);
  for (const rec of records) b.add(rec);
  return b.finish();
}
