/**
 * Streaming metadata reader: typed MetadataRecords from the release CSV, the BIOSCAN-1M TSV, the barcodes CSV,
 * BOLD exports (columns mapped by name, see columns.ts) or a Parquet file written by writeMetadataParquet.
 * Memory stays bounded: one chunk of the file at a time.
 */
import path from 'node:path';
import { formatLocation, InputError, skippedRow, type SkippedRow } from '../errors.js';
import { openTable } from '../io/table.js';
import { missingColumnsError } from '../io/csv-file.js';
import { emptyRecord, METADATA_FIELDS, parseField, type MetadataField, type MetadataRecord } from '../schema.js';
import { readMetadataParquetRecords } from '../parquet/metadata-parquet.js';
import { describeMissing, mapColumns, type ColumnMapping } from './columns.js';

export interface ReadMetadataOptions {
  /** Count and report malformed rows instead of stopping at the first. */
  skipInvalid?: boolean;
  /** How many skipped rows to keep in the summary (default 10). */
  maxExamples?: number;
  /** Delimiter override for CSV/TSV. */
  delimiter?: string;
  /** Fields the command needs (by canonical name; aliases count): a file without them is an InputError. */
  required?: readonly MetadataField[];
  /** Called once before the first record when the file lacks fields ("missing columns: ..."). */
  onWarning?: (message: string) => void;
  /** Called with (bytes read, total bytes) as the file is read. */
  onProgress?: (done: number, total: number) => void;
}

export interface ReadSummary {
  file: string;
  format: ColumnMapping['format'] | 'parquet';
  /** Records yielded. */
  records: number;
  /** Malformed rows skipped (only with skipInvalid). */
  skipped: number;
  examples: SkippedRow[];
  /** Fields the file does not have; they are empty (or null) in every record. */
  missingColumns: MetadataField[];
  /** Columns of the file that are not metadata fields. */
  extraColumns: string[];
  /** Fields read from another column name (e.g. dna_bin from 'uri'). */
  aliased: Partial<Record<MetadataField, string>>;
}

export interface MetadataStream extends AsyncIterable<MetadataRecord> {
  /** Filled in as the stream is read; complete once iteration ends. */
  readonly summary: ReadSummary;
}

export function isParquetFile(file: string): boolean {
  return path.extname(file).toLowerCase() === '.parquet';
}

/** Human summary of a finished read: counts, missing columns and skipped rows. */
export function describeSummary(s: ReadSummary): string {
  const lines = [`${s.file}: ${s.records} records (${s.format} format)`];
  if (s.missingColumns.length) lines.push(`  missing columns: ${s.missingColumns.join(', ')}`);
  const al = Object.entries(s.aliased);
  if (al.length) lines.push(`  read ${al.map(([f, a]) => `${f} from '${a}'`).join(', ')}`);
  if (s.skipped) {
    lines.push(`  skipped ${s.skipped} malformed row${s.skipped === 1 ? '' : 's'}:`);
    for (const e of s.examples) lines.push(`    ${formatLocation({ file: s.file, ...e })}${e.reason}`);
    if (s.skipped > s.examples.length) lines.push(`    ... and ${s.skipped - s.examples.length} more`);
  }
  return lines.join('\n');
}

/** Streams typed records; see ReadMetadataOptions. Parquet files (.parquet) are read row group by row group. */
export function readMetadata(file: string, opts: ReadMetadataOptions = {}): MetadataStream {
  const summary: ReadSummary = {
    file,
    format: 'other',
    records: 0,
    skipped: 0,
    examples: [],
    missingColumns: [],
    extraColumns: [],
    aliased: {},
  };
  return {
    summary,
    [Symbol.asyncIterator]() {
      return (isParquetFile(file) ? readParquetRecords(file, opts, summary) : readTextRecords(file, opts, summary))[
        Symbol.asyncIterator
      ]();
    },
  };
}

/** Reads every record into memory (small files, tests); returns the records and the summary. */
export async function readMetadataAll(
  file: string,
  opts: ReadMetadataOptions = {},
): Promise<{ records: MetadataRecord[]; summary: ReadSummary }> {
  const stream = readMetadata(file, opts);
  const records: MetadataRecord[] = [];
  for await (const r of stream) records.push(r);
  return { records, summary: stream.summary };
}

function applyMapping(summary: ReadSummary, mapping: ColumnMapping, opts: ReadMetadataOptions): void {
  summary.format = mapping.format;
  summary.missingColumns = mapping.missing;
  summary.extraColumns = mapping.extra;
  summary.aliased = mapping.aliased;
  const note = describeMissing(mapping);
  if (note) opts.onWarning?.(`${summary.file}: ${note}`);
}

async function* readTextRecords(
  file: string,
  opts: ReadMetadataOptions,
  summary: ReadSummary,
): AsyncGenerator<MetadataRecord> {
  const maxExamples = opts.maxExamples ?? 10;
  const skip = (line: number, err: InputError) => {
    summary.skipped++;
    if (summary.examples.length < maxExamples) summary.examples.push(skippedRow(err, line));
  };
  const table = await openTable(file, {
    delimiter: opts.delimiter,
    onBadRecord: opts.skipInvalid ? (err) => skip(err.location.line ?? 0, err) : undefined,
  });
  const mapping = mapColumns(table.header);
  const missing = (opts.required ?? []).filter((f) => mapping.index[f] < 0);
  if (missing.length) throw missingColumnsError(file, missing, table.header);
  applyMapping(summary, mapping, opts);
  const present = METADATA_FIELDS.filter((f) => mapping.index[f] >= 0).map((f) => [f, mapping.index[f]] as const);
  let lastProgress = 0;
  for await (const row of table) {
    let rec: MetadataRecord;
    try {
      table.assertWidth(row);
      rec = emptyRecord();
      const ctx = { file, line: row.line };
      for (const [field, i] of present)
        (rec as unknown as Record<string, unknown>)[field] = parseField(field, row.fields[i], ctx);
    } catch (err) {
      if (!(err instanceof InputError) || !opts.skipInvalid) throw err;
      skip(row.line, err);
      continue;
    }
    summary.records++;
    if (opts.onProgress && table.bytesRead - lastProgress > 1 << 22) {
      lastProgress = table.bytesRead;
      opts.onProgress(table.bytesRead, table.totalBytes);
    }
    yield rec;
  }
  opts.onProgress?.(table.totalBytes, table.totalBytes);
}

function readParquetRecords(
  file: string,
  opts: ReadMetadataOptions,
  summary: ReadSummary,
): AsyncGenerator<MetadataRecord> {
  return readMetadataParquetRecords(file, opts, summary);
}
