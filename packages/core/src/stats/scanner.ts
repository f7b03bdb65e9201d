/**
 * Counts the label values of a byte range of a BIOSCAN metadata CSV/TSV for the statistics tables. Records come
 * from the one CSV engine (io/csv.ts) as byte spans; only the needed fields are located, each is hashed on its
 * bytes and decoded to a string only the first time its value is seen. Category values are compared byte for
 * byte (exact); dna_barcode values are kept only as 64-bit hashes because storing ~2.5 M distinct 660-nt strings
 * would need ~2 GB (the chance that two of 2.5 M distinct barcodes share a 64-bit hash is about 2e-7).
 * Worker threads run scanRange through stats/scan-worker.ts.
 */
import { CsvFileScanner } from '../io/csv-file.js';
import { fieldSpec, numberProblem } from '../schema.js';
import { barcodeValueHash, ByteCounter, Hash64Counter, hashBarcodeValue, naMatcher, PairCounter } from './counters.js';

/** Columns the scanner counts, in this order; `barcode` is counted separately by hash. */
export const SCAN_ROLES = [
  'phylum',
  'class',
  'order',
  'family',
  'subfamily',
  'genus',
  'species',
  'taxon',
  'dna_bin',
  'country',
  'province_state',
  'coord-lat',
  'coord-lon',
  'split',
] as const;
export type ScanRole = (typeof SCAN_ROLES)[number];

const R_GENUS = SCAN_ROLES.indexOf('genus');
const R_SPECIES = SCAN_ROLES.indexOf('species');
const R_LAT = SCAN_ROLES.indexOf('coord-lat');
const R_LON = SCAN_ROLES.indexOf('coord-lon');
const R_SPLIT = SCAN_ROLES.indexOf('split');
const LAT_SPEC = fieldSpec('coord-lat');
const LON_SPEC = fieldSpec('coord-lon');

export interface ScanRequest {
  file: string;
  /** Byte range of records to count: records that start in [start, end). */
  start: number;
  end: number;
  /** Delimiter byte (44 comma, 9 tab). */
  delimiter: number;
  /** Number of columns in the header. */
  nColumns: number;
  /** File column index for each SCAN_ROLES entry, -1 when the file lacks it. */
  roleColumns: number[];
  /** File column index of dna_barcode, -1 when absent. */
  barcodeColumn: number;
  /** Cells that count as missing besides the empty one (schema's PANDAS_NA_VALUES). */
  naValues: readonly string[];
  /** Count malformed rows instead of stopping at the first. */
  skipInvalid: boolean;
  /** How many invalid rows to describe in full. */
  maxExamples: number;
  /** Read size in bytes. */
  chunkSize?: number;
}

export interface CounterDump {
  values: string[];
  counts: number[];
}

export interface InvalidRow {
  /** Byte offset where the record starts. */
  offset: number;
  /** Line of the record counted from the range start (0 = first record line of the range). */
  localLine: number;
  column?: string;
  value?: string;
  reason: string;
  /** The reader cannot go on after it (an unterminated quote): the scan stops even with skipInvalid. */
  fatal?: boolean;
}

export interface ScanResult {
  rows: number;
  /** Per SCAN_ROLES entry. */
  categories: CounterDump[];
  barcodeLabelled: number;
  /** Distinct barcode hashes (h1, h2) and their counts, compacted. */
  barcodeH1: Uint32Array;
  barcodeH2: Uint32Array;
  barcodeCounts: Uint32Array;
  /** (split id, species id, count) triples over the ids of `categories`. */
  splitSpecies: number[];
  splitGenus: number[];
  /** (lat id, lon id, count) triples. */
  latLon: number[];
  /** Whether some quoted field held a line break (then byte ranges split at line ends are unsafe). */
  quotedNewline: boolean;
  invalidCount: number;
  invalid: InvalidRow[];
}

/** A malformed record that stops the scan; crosses worker boundaries as plain data. */
export class ScanInvalidError extends Error {
  constructor(readonly invalid: InvalidRow) {
    super(invalid.reason);
  }
}

export function scanRange(req: ScanRequest, onProgress?: (bytesDone: number) => void): ScanResult {
  const N_ROLES = req.roleColumns.length;
  const isNA = naMatcher(req.naValues);
  let lastWanted = req.barcodeColumn;
  for (const c of req.roleColumns) lastWanted = Math.max(lastWanted, c);

  const counters: ByteCounter[] = [];
  for (let r = 0; r < N_ROLES; r++) counters.push(new ByteCounter());
  const barcodes = new Hash64Counter();
  // Pairs are stored as (split, other) so the dump's triples read (split id, species/genus id, count).
  const splitSpecies = new PairCounter();
  const splitGenus = new PairCounter();
  const latLon = new PairCounter();
  const decoder = new TextDecoder();
  const ids = new Int32Array(N_ROLES);

  const sc = new CsvFileScanner(req.file, {
    delimiter: req.delimiter,
    width: req.nColumns,
    wanted: lastWanted + 1,
    start: req.start,
    end: req.end,
    line: 0,
    bufferSize: req.chunkSize,
    hashColumns: req.roleColumns,
  });
  const p = sc.parser;
  // The parser's arrays have the fixed width: they never move.
  const starts = p.starts;
  const ends = p.ends;
  const inScratch = p.inScratch;
  const hashes = p.hashes;
  // Category roles present in the file (coordinates are handled apart), and their columns.
  const catRoles = Int32Array.from(
    req.roleColumns.map((c, r) => (c >= 0 && r !== R_LAT && r !== R_LON ? r : -1)).filter((r) => r >= 0),
  );
  const catCols = Int32Array.from(catRoles, (r) => req.roleColumns[r]);
  let view: DataView | null = null;
  let viewOf: Uint8Array | null = null;

  let rows = 0;
  let invalidCount = 0;
  const invalid: InvalidRow[] = [];
  let barcodeLabelled = 0;

  const fail = (inv: InvalidRow): void => {
    if (inv.fatal || !req.skipInvalid) throw new ScanInvalidError(inv);
    invalidCount++;
    if (invalid.length < req.maxExamples) invalid.push(inv);
  };

  /** Id of a coordinate value (inserted when valid), -1 when missing, -2 when invalid (problem in `coordProblem`). */
  let coordProblem = '';
  const coordId = (r: number, col: number): number => {
    if (col < 0) return -1;
    const b = inScratch[col] === 1 ? p.scratch : sc.buf;
    const s = starts[col];
    const e = ends[col];
    if (isNA(b, s, e)) return -1;
    const counter = counters[r];
    const h = hashes[col];
    const id = counter.find(b, s, e, h);
    if (id >= 0) return id;
    coordProblem = numberProblem(r === R_LAT ? LAT_SPEC : LON_SPEC, decoder.decode(b.subarray(s, e)));
    if (coordProblem) return -2;
    return counter.insert(b, s, e, h);
  };

  const latCol = req.roleColumns[R_LAT];
  const lonCol = req.roleColumns[R_LON];
  let nextReport = req.start + (64 << 20);
  try {
    while (sc.next()) {
      if (!sc.ok) {
        fail({ offset: sc.offset, localLine: sc.line, reason: p.reason, fatal: p.fatal || undefined });
        continue;
      }
      // Coordinates are validated before anything is counted, so an invalid row leaves no trace.
      const lat = coordId(R_LAT, latCol);
      const lon = lat === -2 ? -1 : coordId(R_LON, lonCol);
      if (lat === -2 || lon === -2) {
        const col = lat === -2 ? latCol : lonCol;
        fail({
          offset: sc.offset,
          localLine: sc.line,
          reason: coordProblem,
          column: lat === -2 ? 'coord-lat' : 'coord-lon',
          value: sc.field(col),
        });
        continue;
      }
      if (lat >= 0) counters[R_LAT].counts[lat]++;
      if (lon >= 0) counters[R_LON].counts[lon]++;
      if (lat >= 0 && lon >= 0) latLon.add(lat, lon);

      const buf = sc.buf;
      const scratch = p.scratch;
      ids.fill(-1);
      for (let k = 0; k < catRoles.length; k++) {
        const r = catRoles[k];
        const col = catCols[k];
        const b = inScratch[col] === 1 ? scratch : buf;
        const s = starts[col];
        const e = ends[col];
        if (isNA(b, s, e)) continue;
        const counter = counters[r];
        const h = hashes[col];
        let id = counter.find(b, s, e, h);
        if (id < 0) id = counter.insert(b, s, e, h);
        counter.counts[id]++;
        ids[r] = id;
      }
      const bc = req.barcodeColumn;
      if (bc >= 0) {
        const b = inScratch[bc] === 1 ? scratch : buf;
        if (!isNA(b, starts[bc], ends[bc])) {
          if (b !== viewOf) {
            viewOf = b;
            view = new DataView(b.buffer, b.byteOffset, b.byteLength);
          }
          hashBarcodeValue(view!, b, starts[bc], ends[bc]);
          barcodes.add(barcodeValueHash.h1, barcodeValueHash.h2, 1);
          barcodeLabelled++;
        }
      }
      const sp = ids[R_SPLIT];
      if (sp >= 0) {
        if (ids[R_SPECIES] >= 0) splitSpecies.add(sp, ids[R_SPECIES]);
        if (ids[R_GENUS] >= 0) splitGenus.add(sp, ids[R_GENUS]);
      }
      rows++;
      if (onProgress && sc.bytesDone >= nextReport) {
        nextReport += 64 << 20;
        onProgress(Math.min(sc.bytesDone, req.end) - req.start);
      }
    }
  } finally {
    sc.close();
  }
  onProgress?.(req.end - req.start);
  const bcs = barcodes.compact();
  return {
    rows,
    categories: counters.map((c) => c.dump(decoder)),
    barcodeLabelled,
    barcodeH1: bcs.h1,
    barcodeH2: bcs.h2,
    barcodeCounts: bcs.counts,
    splitSpecies: splitSpecies.dump(),
    splitGenus: splitGenus.dump(),
    latLon: latLon.dump(),
    quotedNewline: p.quotedLineBreak,
    invalidCount,
    invalid,
  };
}
