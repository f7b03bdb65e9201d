/**
 * Metadata <-> Parquet through hyparquet / hyparquet-writer, for fast reloads of the 5 M-row table.
 * Strings are written as nullable UTF8 (missing = null, read back as ''), numbers as nullable DOUBLE / INT32,
 * so a CSV -> Parquet -> records round trip gives the same records.
 */
// hyparquet and hyparquet-writer are imported when a Parquet file is read or written: loading them costs ~100 ms,
// which every command importing @bioscan5m/core paid at start-up before (`dna identify --help` among them).
const hyparquet = () => import('hyparquet');
const hyparquetWriter = () => import('hyparquet-writer');
import { Bioscan5mError, skippedRow } from '../errors.js';
import { TempFile } from '../io/atomic.js';
import { mapColumns } from '../metadata/columns.js';
import { missingColumnsError } from '../io/csv-file.js';
import type { ReadMetadataOptions, ReadSummary } from '../metadata/read.js';
import { emptyRecord, FIELD_SPECS, parseField, type MetadataField, type MetadataRecord } from '../schema.js';
import { InputError } from '../errors.js';

type SchemaElement = {
  name: string;
  type?: string;
  converted_type?: string;
  repetition_type?: string;
  num_children?: number;
};

function schemaFor(): SchemaElement[] {
  const cols: SchemaElement[] = FIELD_SPECS.map((s) => {
    if (s.kind === 'float') return { name: s.name, type: 'DOUBLE', repetition_type: 'OPTIONAL' };
    if (s.kind === 'int') return { name: s.name, type: 'INT32', repetition_type: 'OPTIONAL' };
    return { name: s.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
  });
  return [{ name: 'root', num_children: cols.length }, ...cols];
}

export interface WriteParquetOptions {
  /** Rows per row group (default 100,000). */
  rowGroupSize?: number;
  onProgress?: (rowsWritten: number) => void;
}

/**
 * Writes records to a Parquet file atomically (the one atomic writer's temp file, then commit), one row group at a time, so memory
 * holds one row group whatever the input size. Returns the number of rows written.
 */
export async function writeMetadataParquet(
  file: string,
  records: Iterable<MetadataRecord> | AsyncIterable<MetadataRecord>,
  opts: WriteParquetOptions = {},
): Promise<number> {
  const groupSize = opts.rowGroupSize ?? 100_000;
  const { ParquetWriter, fileWriter } = await hyparquetWriter();
  const tmp = new TempFile(file);
  const schema = schemaFor();
  const writer = new ParquetWriter({
    writer: fileWriter(tmp.tempPath),
    schema: schema as never,
    createdBy: '@bioscan5m/core',
  });
  let batch: MetadataRecord[] = [];
  let rows = 0;
  const flush = () => {
    if (!batch.length) return;
    const columnData = FIELD_SPECS.map((s) => ({
      name: s.name,
      data: batch.map((r) => {
        const v = r[s.name];
        return v === '' ? null : v;
      }),
    }));
    writer.write({ columnData: columnData as never, rowGroupSize: batch.length });
    rows += batch.length;
    batch = [];
    opts.onProgress?.(rows);
  };
  try {
    for await (const r of records as AsyncIterable<MetadataRecord>) {
      batch.push(r);
      if (batch.length >= groupSize) flush();
    }
    flush();
    writer.finish();
    tmp.commit();
  } finally {
    tmp.discard();
  }
  return rows;
}

/** Streams records of a Parquet file row group by row group (used by readMetadata for .parquet files). */
export async function* readMetadataParquetRecords(
  file: string,
  opts: ReadMetadataOptions,
  summary: ReadSummary,
): AsyncGenerator<MetadataRecord> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await hyparquet();
  let buffer;
  try {
    buffer = await asyncBufferFromFile(file);
  } catch (err) {
    throw new Bioscan5mError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'BIOSCAN5M_IO',
    );
  }
  let meta;
  try {
    meta = await parquetMetadataAsync(buffer);
  } catch (err) {
    throw new InputError({ file }, `not a readable Parquet file (${(err as Error).message})`);
  }
  const header = meta.schema.slice(1).map((s) => s.name);
  const mapping = mapColumns(header);
  const missing = (opts.required ?? []).filter((f) => mapping.index[f] < 0);
  if (missing.length) throw missingColumnsError(file, missing, header, undefined);
  summary.format = 'parquet';
  summary.missingColumns = mapping.missing;
  summary.extraColumns = mapping.extra;
  summary.aliased = mapping.aliased;
  if (mapping.missing.length) opts.onWarning?.(`${file}: missing columns: ${mapping.missing.join(', ')}`);
  const present = (Object.keys(mapping.index) as MetadataField[]).filter((f) => mapping.index[f] >= 0);
  const total = Number(meta.num_rows);
  const maxExamples = opts.maxExamples ?? 10;
  let rowStart = 0;
  for (const group of meta.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = (await parquetReadObjects({ file: buffer, metadata: meta, rowStart, rowEnd })) as Record<
      string,
      unknown
    >[];
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      const rec = emptyRecord();
      try {
        for (const f of present) {
          const v = row[header[mapping.index[f]]];
          if (v === null || v === undefined) continue;
          // Values of the right type pass through; anything else is validated like a CSV cell.
          const typed = typeof v === 'number' || typeof v === 'bigint' ? Number(v) : v;
          const raw = typeof typed === 'string' ? typed : String(typed);
          (rec as unknown as Record<string, unknown>)[f] = parseField(f, raw, { file, line: rowStart + k + 1 });
        }
      } catch (err) {
        if (!(err instanceof InputError) || !opts.skipInvalid) throw err;
        summary.skipped++;
        if (summary.examples.length < maxExamples) summary.examples.push(skippedRow(err, rowStart + k + 1));
        continue;
      }
      summary.records++;
      yield rec;
    }
    rowStart = rowEnd;
    opts.onProgress?.(rowStart, total);
  }
}
