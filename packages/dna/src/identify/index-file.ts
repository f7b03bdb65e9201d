/**
 * The saved identification index: the cleaned, deduplicated reference, its k-mer index and what was learned from
 * it (species threshold, per-species floors, calibrators), in one binary file that loads with one read into
 * shared memory and typed-array views over it (no parse per record; worker threads share it without a copy).
 *
 * Layout (little-endian): 8-byte magic, u32 format version, u32 header length, the header (UTF-8 JSON: build
 * options, fingerprint, scoring version, counts, calibration, lineages, and each section's type, offset and
 * length), then the sections (typed arrays, each 8-byte aligned), then an 8-byte end marker. A file whose magic,
 * format version, scoring version, fingerprint, size or section layout is off is refused with an error naming it.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { Bioscan5mError, InputError, throwIfAborted, type ProgressCallback } from '@bioscan5m/core';
import { AtomicFile } from '@bioscan5m/core/internal';
import type { CleaningCounts } from './clean.js';
import {
  BarcodeIdentifier,
  SCORING_VERSION,
  type IdentifierBuildOptions,
  type IdentifierCalibration,
  type IdentifierOptions,
} from './identifier.js';
import type { KmerIndex } from './kmer-index.js';
import type { Lineage, ReferenceSet, SkippedReference } from './reference.js';

const MAGIC = 'B5MDNAIX';
const END = 'B5MIXEND';
/** Version of this layout; a file of another version is refused (rebuild it with `bioscan5m dna index`). */
export const INDEX_FORMAT_VERSION = 1;

type SectionType = 'u8' | 'u16' | 'u32' | 'i32';
type TypedArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;
const CTOR = { u8: Uint8Array, u16: Uint16Array, u32: Uint32Array, i32: Int32Array } as const;

const SECTIONS = [
  ['offsets', 'u32'],
  ['seqIds', 'u32'],
  ['positions', 'u16'],
  ['seqAll', 'u8'],
  ['seqOffsets', 'u32'],
  ['acgt', 'i32'],
  ['labelStart', 'u32'],
  ['labelLineage', 'u32'],
  ['labelCount', 'u32'],
  ['idBytes', 'u8'],
  ['idOffsets', 'u32'],
] as const satisfies readonly (readonly [string, SectionType])[];
type SectionName = (typeof SECTIONS)[number][0];

interface SectionEntry {
  type: SectionType;
  /** Byte offset in the file. */
  offset: number;
  /** Elements. */
  length: number;
}

interface IndexHeader {
  format: 'bioscan5m-dna-identify-index';
  formatVersion: number;
  scoringVersion: number;
  /** Hash of the format version, scoring version and build options: the file's identity. */
  fingerprint: string;
  build: IdentifierBuildOptions;
  k: number;
  sampling: number;
  reference: {
    groups: number;
    records: number;
    skippedCount: number;
    skipped: SkippedReference[];
    cleaning: CleaningCounts;
  };
  lineages: Lineage[];
  calibration: IdentifierCalibration;
  sections: Record<SectionName, SectionEntry>;
  fileSize: number;
}

/** The fingerprint of an index built with `build` by this package's format and scoring versions. */
export function indexFingerprint(
  build: IdentifierBuildOptions,
  formatVersion = INDEX_FORMAT_VERSION,
  scoringVersion = SCORING_VERSION,
): string {
  const keys = Object.keys(build).sort() as (keyof IdentifierBuildOptions)[];
  const canonical = JSON.stringify({ formatVersion, scoringVersion, build: keys.map((k) => [k, build[k]]) });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

function sectionArrays(ref: ReferenceSet, index: KmerIndex): Record<SectionName, TypedArray> {
  return {
    offsets: index.offsets,
    seqIds: index.seqIds,
    positions: index.positions,
    seqAll: ref.seqAll,
    seqOffsets: ref.seqOffsets,
    acgt: ref.acgt,
    labelStart: ref.labelStart,
    labelLineage: ref.labelLineage,
    labelCount: ref.labelCount,
    idBytes: ref.idBytes,
    idOffsets: ref.idOffsets,
  };
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

/** Header bytes with the section offsets filled in (the offsets depend on the header's own length). */
function layout(header: Omit<IndexHeader, 'sections' | 'fileSize'>, arrays: Record<SectionName, TypedArray>) {
  const sections = {} as Record<SectionName, SectionEntry>;
  for (const [name, type] of SECTIONS) sections[name] = { type, offset: 0, length: arrays[name].length };
  // Offsets are written as fixed-width numbers: the header length does not change when they are filled in.
  let headerLength = 0;
  for (;;) {
    let at = align8(16 + headerLength);
    for (const [name] of SECTIONS) {
      sections[name].offset = at;
      at = align8(at + arrays[name].byteLength);
    }
    const full: IndexHeader = { ...header, sections, fileSize: at + END.length };
    const bytes = Buffer.from(JSON.stringify(full), 'utf8');
    if (bytes.length <= headerLength) {
      const padded = Buffer.alloc(headerLength, 0x20);
      bytes.copy(padded);
      return { header: padded, fileSize: full.fileSize };
    }
    headerLength = align8(bytes.length + 64);
  }
}

export interface WriteIndexOptions {
  /** Bytes written of the total. */
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

/**
 * Writes `identifier`'s reference, index and calibration to `file`, atomically (a temp file renamed over it when
 * complete; removed on failure, abort, SIGINT or SIGTERM). Returns the file size in bytes.
 */
export async function writeIdentifyIndex(
  file: string,
  identifier: BarcodeIdentifier,
  opts: WriteIndexOptions = {},
): Promise<number> {
  const ref = identifier.reference;
  const index = identifier.index;
  const build = { ...identifier.buildOptions, k: index.k, sampling: index.sampling };
  const arrays = sectionArrays(ref, index);
  const { header, fileSize } = layout(
    {
      format: 'bioscan5m-dna-identify-index',
      formatVersion: INDEX_FORMAT_VERSION,
      scoringVersion: SCORING_VERSION,
      fingerprint: indexFingerprint(build),
      build,
      k: index.k,
      sampling: index.sampling,
      reference: {
        groups: ref.groups,
        records: ref.records,
        skippedCount: ref.skippedCount,
        skipped: ref.skipped,
        cleaning: ref.cleaning,
      },
      lineages: ref.lineages,
      calibration: identifier.calibration(),
    },
    arrays,
  );
  const out = new AtomicFile(file, { bufferSize: 1 << 22 });
  try {
    const pre = Buffer.alloc(16);
    pre.write(MAGIC, 0, 'latin1');
    pre.writeUInt32LE(INDEX_FORMAT_VERSION, 8);
    pre.writeUInt32LE(header.length, 12);
    out.bytes(pre);
    out.bytes(header);
    const pad = new Uint8Array(8);
    const padTo = (at: number) => {
      if (out.bytesWritten < at) out.bytes(pad, 0, at - out.bytesWritten);
    };
    // Small chunks: a signal handler (temp removal) runs between them; the file is deterministic (no time stamp).
    const CHUNK = 1 << 22;
    for (const [name] of SECTIONS) {
      const a = arrays[name];
      padTo(align8(out.bytesWritten));
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (let at = 0; at < bytes.length; at += CHUNK) {
        throwIfAborted(opts.signal);
        out.bytes(bytes, at, Math.min(bytes.length, at + CHUNK));
        opts.onProgress?.(out.bytesWritten, fileSize);
        // Lets SIGINT/SIGTERM handlers run between chunks (they remove the temp file).
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    padTo(align8(out.bytesWritten));
    out.bytes(Buffer.from(END, 'latin1'));
    if (out.bytesWritten !== fileSize) throw new Error(`index layout: wrote ${out.bytesWritten} of ${fileSize} bytes`);
    out.close();
    opts.onProgress?.(fileSize, fileSize);
  } finally {
    out.abort();
  }
  return fileSize;
}

export interface LoadIndexOptions extends Pick<IdentifierOptions, 'minConfidence' | 'novelSpecies' | 'threads'> {
  /** Bytes read of the file size. */
  onProgress?: ProgressCallback;
}

const REBUILD = 'rebuild it with `bioscan5m dna index`';

function bad(file: string, reason: string): InputError {
  return new InputError({ file }, reason);
}

/** Reads and checks the header of an index file held in `bytes`. */
function parseHeader(file: string, bytes: Uint8Array): IndexHeader {
  const fileSize = bytes.length;
  const latin1 = (a: number, b: number) => Buffer.from(bytes.buffer, bytes.byteOffset + a, b - a).toString('latin1');
  if (fileSize < 16 || latin1(0, 8) !== MAGIC)
    throw bad(file, 'not a bioscan5m identification index (build one with `bioscan5m dna index`)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const version = view.getUint32(8, true);
  if (version !== INDEX_FORMAT_VERSION)
    throw bad(
      file,
      `index format version ${version}, this version of @bioscan5m/dna reads ${INDEX_FORMAT_VERSION}: ${REBUILD}`,
    );
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > fileSize)
    throw bad(file, `truncated index (${fileSize} bytes, header alone needs ${16 + headerLength}): ${REBUILD}`);
  let h: IndexHeader;
  try {
    h = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 16, headerLength).toString('utf8')) as IndexHeader;
  } catch {
    throw bad(file, `corrupt index header: ${REBUILD}`);
  }
  if (h?.format !== 'bioscan5m-dna-identify-index' || typeof h.sections !== 'object' || !h.calibration)
    throw bad(file, `corrupt index header: ${REBUILD}`);
  if (h.scoringVersion !== SCORING_VERSION)
    throw bad(
      file,
      `stale index: built for scoring version ${h.scoringVersion}, this version of @bioscan5m/dna scores with version ${SCORING_VERSION}: ${REBUILD}`,
    );
  if (h.fingerprint !== indexFingerprint(h.build ?? {}, h.formatVersion, h.scoringVersion))
    throw bad(file, `corrupt index header (fingerprint does not match its build options): ${REBUILD}`);
  if (h.fileSize !== fileSize)
    throw bad(
      file,
      h.fileSize > fileSize
        ? `truncated index (${fileSize} of ${h.fileSize} bytes): ${REBUILD}`
        : `corrupt index (${fileSize} bytes, ${h.fileSize} expected): ${REBUILD}`,
    );
  if (latin1(fileSize - END.length, fileSize) !== END) throw bad(file, `corrupt index (no end marker): ${REBUILD}`);
  return h;
}

function sectionViews(file: string, h: IndexHeader, buffer: ArrayBufferLike): Record<SectionName, TypedArray> {
  const out = {} as Record<SectionName, TypedArray>;
  for (const [name, type] of SECTIONS) {
    const s = h.sections[name];
    const Ctor = CTOR[type];
    if (
      !s ||
      s.type !== type ||
      !Number.isSafeInteger(s.offset) ||
      !Number.isSafeInteger(s.length) ||
      s.offset % 8 !== 0 ||
      s.length < 0 ||
      s.offset + s.length * Ctor.BYTES_PER_ELEMENT > h.fileSize - END.length
    )
      throw bad(file, `corrupt index (section ${name} out of bounds): ${REBUILD}`);
    out[name] = new Ctor(buffer as ArrayBuffer, s.offset, s.length);
  }
  return out;
}

/**
 * Entries checked per table: the k-mer tables (tens of millions of entries) are checked at a stride, as a full
 * scan took over a second of the load at 5M records; the per-barcode tables are checked whole.
 */
const CHECKED = 1 << 20;

/** Offsets arrays must start at 0, never decrease and end at the length of what they index. */
function checkOffsets(file: string, name: string, a: Uint32Array, length: number, end: number, stride = 1): void {
  let ok = a.length === length && a[0] === 0 && a[length - 1] === end;
  for (let i = stride; ok && i < a.length; i += stride) if (a[i] < a[i - stride]) ok = false;
  if (!ok) throw bad(file, `corrupt index (section ${name} is not a valid offset table): ${REBUILD}`);
}

function checkBelow(file: string, name: string, a: Uint32Array, limit: number, stride = 1): void {
  let max = 0;
  for (let i = 0; i < a.length; i += stride) if (a[i] > max) max = a[i];
  if (a.length && max >= limit) throw bad(file, `corrupt index (section ${name} refers past its table): ${REBUILD}`);
}

/**
 * Loads an index file written by writeIdentifyIndex: one read into shared memory, typed-array views over it, the
 * structural tables checked. The result identifies exactly as the identifier that was saved
 * (its info.buildSeconds is 0: the file holds no timing, so that the same reference gives the same bytes). With `threads` > 1
 * its searches run on worker threads that share the loaded file; call close() when done.
 */
export async function loadIdentifyIndex(file: string, opts: LoadIndexOptions = {}): Promise<BarcodeIdentifier> {
  const t0 = performance.now();
  if (!existsSync(file)) throw new Bioscan5mError(`index file not found: ${file}`, 'BIOSCAN5M_IO');
  if (!statSync(file).isFile())
    throw new Bioscan5mError(`${file}: not a file (an index file is needed)`, 'BIOSCAN5M_IO');
  if (endianness() !== 'LE') throw bad(file, 'index files are little-endian; this machine is big-endian');
  const fh = await open(file, 'r');
  let bytes: Uint8Array;
  try {
    const size = (await fh.stat()).size;
    // Shared memory: SearchPool workers get views of the same bytes, no copy.
    bytes = new Uint8Array(new SharedArrayBuffer(size));
    const CHUNK = 1 << 28;
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(bytes, at, Math.min(CHUNK, size - at), at);
      if (bytesRead === 0) break;
      at += bytesRead;
      opts.onProgress?.(at, size);
    }
    if (at < size) throw bad(file, `could not read the whole index (${at} of ${size} bytes)`);
  } finally {
    await fh.close();
  }
  const h = parseHeader(file, bytes);
  const v = sectionViews(file, h, bytes.buffer);
  const groups = h.reference.groups;
  const nk = 2 ** (2 * h.k);
  const stride = (n: number) => Math.max(1, Math.floor(n / CHECKED));
  checkOffsets(file, 'offsets', v.offsets as Uint32Array, nk + 1, v.seqIds.length, stride(nk));
  if (v.positions.length !== v.seqIds.length) throw bad(file, `corrupt index (postings of unequal length): ${REBUILD}`);
  checkBelow(file, 'seqIds', v.seqIds as Uint32Array, groups, stride(v.seqIds.length));
  checkOffsets(file, 'seqOffsets', v.seqOffsets as Uint32Array, groups + 1, v.seqAll.length);
  checkOffsets(file, 'idOffsets', v.idOffsets as Uint32Array, groups + 1, v.idBytes.length);
  checkOffsets(file, 'labelStart', v.labelStart as Uint32Array, groups + 1, v.labelLineage.length);
  checkBelow(file, 'labelLineage', v.labelLineage as Uint32Array, h.lineages.length);
  if (v.acgt.length !== groups || v.labelCount.length !== v.labelLineage.length)
    throw bad(file, `corrupt index (tables of unequal length): ${REBUILD}`);
  const ref: ReferenceSet = {
    groups,
    seqAll: v.seqAll as Uint8Array,
    seqOffsets: v.seqOffsets as Uint32Array,
    acgt: v.acgt as Int32Array,
    labelStart: v.labelStart as Uint32Array,
    labelLineage: v.labelLineage as Uint32Array,
    labelCount: v.labelCount as Uint32Array,
    lineages: h.lineages,
    idBytes: v.idBytes as Uint8Array,
    idOffsets: v.idOffsets as Uint32Array,
    records: h.reference.records,
    skippedCount: h.reference.skippedCount,
    skipped: h.reference.skipped,
    cleaning: h.reference.cleaning,
  };
  const index: KmerIndex = {
    k: h.k,
    sampling: h.sampling,
    offsets: v.offsets as Uint32Array,
    seqIds: v.seqIds as Uint32Array,
    positions: v.positions as Uint16Array,
    size: v.seqIds.length,
  };
  return BarcodeIdentifier.restore(
    ref,
    index,
    h.calibration,
    { ...h.build, minConfidence: opts.minConfidence, novelSpecies: opts.novelSpecies, threads: opts.threads },
    { indexFile: file, loadSeconds: (performance.now() - t0) / 1000 },
  );
}
