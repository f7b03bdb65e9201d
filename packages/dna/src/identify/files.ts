/**
 * File edges of identification: reference CSV/TSV, query CSV/TSV or FASTA, prediction CSV (atomic write), and
 * the run summary (counts, cleaning, accuracy when queries carry labels, throughput).
 */
import {
  Bioscan5mError,
  UsageError,
  openTable,
  checkOutputPaths,
  createTableWriter,
  type JobControl,
  type ProgressCallback,
  throwIfAborted,
} from '@bioscan5m/core';
import { existsSync } from 'node:fs';
import { withAbort } from '../abort.js';
import { readFasta, looksLikeFasta } from '../io/fasta.js';
import { addCleaningCounts, cleanBarcode, emptyCleaningCounts, wasCleaned, type CleaningCounts } from './clean.js';
import {
  BarcodeIdentifier,
  BUILD_OPTION_KEYS,
  type Identification,
  type IdentifierInfo,
  type IdentifierOptions,
} from './identifier.js';
import { loadIdentifyIndex } from './index-file.js';
import { IDENTIFY_RANKS, ReferenceSetBuilder, type ReferenceRecord, type ReferenceSet } from './reference.js';
import { PREDICTION_COLUMNS, predictionCells, predictionRecord } from './predictions.js';

export interface QueryRecord {
  /** record_id from the file, else the FASTA id, else the 0-based row index. */
  id: string;
  barcode: string;
  /** 1-based line in the query file. */
  line: number;
  /** True labels when the query file carries rank columns (for accuracy); '' where unknown. */
  lineage?: string[];
}

export { PREDICTION_COLUMNS } from './predictions.js';

function assertExists(file: string, what: string): void {
  if (!existsSync(file)) throw new Bioscan5mError(`${what} file not found: ${file}`, 'BIOSCAN5M_IO');
}

/**
 * Reads reference records: needs `dna_barcode` and `species` (identification names species; without the column
 * every query would get an empty species and a 0% species accuracy), other rank columns used when present.
 */
export async function readReferenceFile(file: string): Promise<ReferenceRecord[]> {
  const out: ReferenceRecord[] = [];
  for await (const rec of iterateReferenceFile(file)) out.push(rec);
  return out;
}

/**
 * Streams the reference records of `file` (as readReferenceFile, one at a time: for references too big to hold
 * as records). `onBytes(read, total)` follows the file position.
 */
export async function* iterateReferenceFile(
  file: string,
  onBytes?: (read: number, total: number) => void,
): AsyncGenerator<ReferenceRecord> {
  assertExists(file, 'reference');
  const table = await openTable(file);
  const [seqCol] = table.requireColumns(['dna_barcode', 'species']);
  const rankCols = IDENTIFY_RANKS.map((r) => table.column(r));
  const idCol = table.column('record_id') >= 0 ? table.column('record_id') : table.column('processid');
  let n = 0;
  for await (const row of table) {
    table.assertWidth(row);
    const f = row.fields;
    yield {
      id: idCol >= 0 && f[idCol] ? f[idCol] : `line ${row.line}`,
      barcode: f[seqCol],
      lineage: rankCols.map((c) => (c >= 0 ? f[c].trim() : '')),
    };
    if (onBytes && ++n % 4096 === 0) onBytes(table.bytesRead, table.totalBytes);
  }
  onBytes?.(table.totalBytes, table.totalBytes);
}

/** Reads queries from CSV/TSV (column `dna_barcode`, optional `record_id` and rank columns) or FASTA. */
export async function readQueryFile(file: string): Promise<QueryRecord[]> {
  assertExists(file, 'query');
  const out: QueryRecord[] = [];
  if (looksLikeFasta(file)) {
    for await (const rec of readFasta(file))
      out.push({ id: rec.id || String(out.length), barcode: rec.sequence, line: rec.line });
    return out;
  }
  const table = await openTable(file);
  const [seqCol] = table.requireColumns(['dna_barcode']);
  const idCol = table.column('record_id');
  const rankCols = IDENTIFY_RANKS.map((r) => table.column(r));
  const labelled = rankCols.some((c) => c >= 0);
  for await (const row of table) {
    table.assertWidth(row);
    const f = row.fields;
    out.push({
      id: idCol >= 0 && f[idCol] ? f[idCol] : String(out.length),
      barcode: f[seqCol],
      line: row.line,
      lineage: labelled ? rankCols.map((c) => (c >= 0 ? f[c].trim() : '')) : undefined,
    });
  }
  return out;
}

/** Streams a reference CSV/TSV into a cleaned, deduplicated ReferenceSet (records are not held). */
export async function readReferenceSet(
  file: string,
  opts: { minBases?: number; onProgress?: ProgressCallback; signal?: AbortSignal } = {},
): Promise<ReferenceSet> {
  const builder = new ReferenceSetBuilder({ minBases: opts.minBases });
  for await (const rec of iterateReferenceFile(file, withAbort(opts.signal, opts.onProgress))) builder.add(rec);
  throwIfAborted(opts.signal);
  return builder.finish();
}

export interface RankAccuracy {
  correct: number;
  /** Queries with a true label at this rank. */
  total: number;
  accuracy: number;
}

export interface IdentifyJobSummary {
  queries: number;
  identified: number;
  novel: number;
  /** Queries without a usable sequence: written with empty ranks. */
  noSequence: number;
  /** Queries with no similar reference: written with empty ranks. */
  noHit: number;
  /** Queries whose barcode cleaning changed something, and the character counts. */
  cleanedQueries: number;
  cleaning: CleaningCounts;
  reference: Omit<IdentifierInfo, 'skipped'>;
  /** Worker threads that searched (0 = the calling thread). */
  threads: number;
  /** Reference rows not used, with reasons (first 20). */
  referenceSkipped: { id: string; reason: string }[];
  /** Queries reported as unusable (first 20): file line and reason. */
  problems: { id: string; line: number; reason: string }[];
  /** Per-rank accuracy when the queries carry labels (novel predictions count as wrong at species). */
  accuracy?: Record<string, RankAccuracy>;
  seconds: number;
  /** Seconds of the search phase alone (after reading, cleaning, indexing and calibration). */
  querySeconds: number;
  queriesPerSecond: number;
}

/** Per-rank accuracy of predictions against the queries' own labels. */
export function scoreIdentifications(
  queries: readonly QueryRecord[],
  preds: readonly Identification[],
): Record<string, RankAccuracy> {
  const acc: Record<string, RankAccuracy> = {};
  IDENTIFY_RANKS.forEach((rank, r) => {
    let correct = 0;
    let total = 0;
    queries.forEach((q, i) => {
      const truth = q.lineage?.[r];
      if (!truth) return;
      total++;
      if (preds[i].lineage[r] === truth) correct++;
    });
    acc[rank] = { correct, total, accuracy: total ? correct / total : 0 };
  });
  return acc;
}

export interface IdentifyJobOptions extends Omit<IdentifierOptions, 'onProgress'>, JobControl {
  /**
   * Labelled reference CSV/TSV: dna_barcode and rank columns phylum..species (record_id optional). Exactly one
   * of `reference` and `index` is given.
   */
  reference?: string;
  /**
   * An index file written by runIdentifyIndexJob / writeIdentifyIndex (built once; loads in one read). Its build
   * options are fixed: passing one of them (k, sampling, speciesThreshold, ...) too is a UsageError.
   */
  index?: string;
  /** Barcodes to identify: CSV/TSV with dna_barcode (record_id, rank columns optional) or FASTA. */
  queries: string;
  /** Predictions CSV (written atomically): PREDICTION_COLUMNS. */
  out: string;
  /** Progress of the calibration on the reference (leave-one-out searches). */
  onProgress?: JobControl['onProgress'];
  /** Progress of the query phase. */
  onQueryProgress?: JobControl['onProgress'];
}

export interface OpenIdentifierOptions extends Omit<IdentifierOptions, 'onProgress'>, Pick<JobControl, 'signal'> {
  /** Labelled reference CSV/TSV: built and calibrated now. Exactly one of `reference` and `index` is given. */
  reference?: string;
  /** Index file (bioscan5m dna index): loaded in one read; its build options are fixed (passing one is a UsageError). */
  index?: string;
  /** Progress of the leave-one-out calibration (reference only: an index loads in one read). */
  onProgress?: ProgressCallback;
}

/**
 * The identifier of a reference file (index built and calibrated now) or of a saved index (loaded): what
 * runIdentifyJob and the identification service identify with. Close it when done (worker threads).
 */
export async function openIdentifier(opts: OpenIdentifierOptions): Promise<BarcodeIdentifier> {
  const { reference: referenceFile, index: indexFile } = opts;
  if ((referenceFile === undefined) === (indexFile === undefined))
    throw new UsageError('give either a reference file or an index file (not both)', '--reference/--index');
  if (indexFile !== undefined) {
    const fixed = BUILD_OPTION_KEYS.filter((key) => opts[key] !== undefined);
    if (fixed.length)
      throw new UsageError(
        `${fixed.join(', ')} ${fixed.length > 1 ? 'are' : 'is'} fixed when the index is built (bioscan5m dna index)`,
        '--index',
      );
    // Per-run options (the rest are fixed in the index).
    const { threads, minConfidence, novelSpecies } = opts;
    return loadIdentifyIndex(indexFile, { threads, minConfidence, novelSpecies });
  }
  const ref = await readReferenceSet(referenceFile!, { minBases: opts.minBases, signal: opts.signal });
  try {
    return await BarcodeIdentifier.buildAsync(ref, { ...opts, onProgress: withAbort(opts.signal, opts.onProgress) });
  } catch (err) {
    if (err instanceof RangeError) throw new Bioscan5mError(`${referenceFile}: ${err.message}`);
    throw err;
  }
}

/** Reference + queries -> predictions file (atomic) and summary. Rows stay in query order; none is dropped. */
export async function runIdentifyJob(opts: IdentifyJobOptions): Promise<IdentifyJobSummary> {
  const { reference: referenceFile, index: indexFile, queries: queryFile, out: outFile } = opts;
  if ((referenceFile === undefined) === (indexFile === undefined))
    throw new UsageError('give either a reference file or an index file (not both)', '--reference/--index');
  checkOutputPaths({
    inputs: { reference: referenceFile ?? indexFile!, queries: queryFile },
    outputs: { out: outFile },
  });
  if (referenceFile !== undefined) assertExists(referenceFile, 'reference');
  else assertExists(indexFile!, 'index');
  const t0 = performance.now();
  const queries = await readQueryFile(queryFile);
  const identifier = await openIdentifier(opts);
  const threads = identifier.threads;
  const cleaned = queries.map((q) => cleanBarcode(q.barcode));
  let preds: Identification[];
  const tq = performance.now();
  try {
    throwIfAborted(opts.signal);
    preds = await identifier.identifyManyAsync(cleaned, withAbort(opts.signal, opts.onQueryProgress));
  } finally {
    await identifier.close();
  }
  const querySeconds = (performance.now() - tq) / 1000;
  const writer = createTableWriter(outFile, PREDICTION_COLUMNS);
  const cleaning = emptyCleaningCounts();
  const problems: IdentifyJobSummary['problems'] = [];
  let cleanedQueries = 0;
  let noSequence = 0;
  let noHit = 0;
  let novel = 0;
  try {
    preds.forEach((p, i) => {
      const q = queries[i];
      addCleaningCounts(cleaning, p.cleaning);
      if (wasCleaned(p.cleaning)) cleanedQueries++;
      const rec = predictionRecord(q.id, q.barcode, cleaned[i], p);
      if (p.status === 'no-sequence') noSequence++;
      else if (p.status === 'no-hit') noHit++;
      if (rec.note) problems.push({ id: q.id, line: q.line, reason: rec.note });
      if (p.novel) novel++;
      writer.write(predictionCells(rec));
    });
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  const seconds = (performance.now() - t0) / 1000;
  const { skipped, ...info } = identifier.info;
  const labelled = queries.some((q) => q.lineage?.some((x) => x));
  return {
    queries: queries.length,
    identified: preds.filter((p) => p.status === 'ok').length,
    novel,
    noSequence,
    noHit,
    cleanedQueries,
    cleaning,
    reference: info,
    threads,
    referenceSkipped: skipped.slice(0, 20).map(({ id, reason }) => ({ id, reason })),
    problems: problems.slice(0, 20),
    accuracy: labelled ? scoreIdentifications(queries, preds) : undefined,
    seconds,
    querySeconds,
    queriesPerSecond: queries.length / seconds,
  };
}
