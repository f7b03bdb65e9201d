/**
 * Streaming CSV/TSV reading of whole records as strings, on the one CSV engine (csv.ts): line numbers, quoting,
 * line endings and the delimiter rule are the engine's.
 */
import { InputError } from '../errors.js';
import { CsvFileScanner, readTableHeader, tableColumns, type TableColumns } from './csv-file.js';

export interface TableOptions {
  /** Field delimiter; default: tab for .tsv/.tab files or a tab-only header, else comma. */
  delimiter?: string;
  /** Columns the command needs: a file without them is an InputError naming the file and every missing one. */
  required?: readonly string[];
  /**
   * Receives a malformed record the reader can step over (text after a closing quote) and skips it; without it
   * such a record is thrown. A record the reader cannot step over (an unterminated quote) is always thrown.
   */
  onBadRecord?: (error: InputError) => void;
}

export interface TableRow {
  /** 1-based physical line where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export interface TableReader extends AsyncIterable<TableRow>, TableColumns {
  readonly file: string;
  readonly header: string[];
  readonly delimiter: string;
  /** Bytes consumed so far and the file size, for progress bars. */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Throws an InputError when a row's field count differs from the header's. */
  assertWidth(row: TableRow): void;
}

/** Opens a CSV/TSV file for streaming; reads the header eagerly. */
export async function openTable(file: string, opts: TableOptions = {}): Promise<TableReader> {
  const head = readTableHeader(file, opts);
  const { header, delimiter } = head;
  let bytesRead = head.dataStart;
  const columns = tableColumns(file, header);
  if (opts.required) columns.requireColumns(opts.required);
  return {
    file,
    header,
    delimiter,
    get bytesRead() {
      return bytesRead;
    },
    totalBytes: head.totalBytes,
    column: columns.column,
    requireColumns: columns.requireColumns,
    assertWidth(row) {
      if (row.fields.length !== header.length) {
        throw new InputError(
          { file, line: row.line },
          `expected ${header.length} fields as in the header, found ${row.fields.length}`,
        );
      }
    },
    async *[Symbol.asyncIterator]() {
      const sc = new CsvFileScanner(file, {
        delimiter,
        start: head.dataStart,
        line: head.dataLine,
        bufferSize: 1 << 20,
      });
      try {
        while (sc.next()) {
          bytesRead = sc.bytesDone;
          if (!sc.ok) {
            if (sc.parser.fatal || !opts.onBadRecord) throw sc.error();
            opts.onBadRecord(sc.error());
            continue;
          }
          yield { line: sc.line, fields: sc.fields() };
        }
        bytesRead = head.totalBytes;
      } finally {
        sc.close();
      }
    },
  };
}

export interface Table {
  header: string[];
  rows: string[][];
  /** Physical line of each row. */
  lines: number[];
}

/** Reads a whole (small) table into memory; rows must match the header's width. */
export async function readTable(file: string, opts: TableOptions = {}): Promise<Table> {
  const reader = await openTable(file, opts);
  const rows: string[][] = [];
  const lines: number[] = [];
  for await (const row of reader) {
    reader.assertWidth(row);
    rows.push(row.fields);
    lines.push(row.line);
  }
  return { header: reader.header, rows, lines };
}
