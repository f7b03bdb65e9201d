/**
 * CSV/TSV writing (RFC 4180 quoting), atomic: rows go to a temporary file renamed into place on close. Reading is
 * table-reader.ts, on the one CSV engine (csv-parser.ts, csv-file.ts).
 */
import { Bioscan5mError } from '../errors.js';
import { AtomicFile } from './atomic.js';
import type { TableOptions } from './table-reader.js';
import { tableDelimiter } from './csv-file.js';
export {
  openTable,
  readTable,
  type Table,
  type TableOptions,
  type TableReader,
  type TableRow,
} from './table-reader.js';
export { inputFileSize } from './input-file.js';

export type Cell = string | number | boolean | null | undefined;

export function formatCell(value: Cell, delimiter = ','): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'string' ? value : String(value);
  if (s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r')) {
    return `"${s.replace(/"/g, '""')}"`;
  }
  return s;
}

export interface TableWriter {
  readonly file: string;
  readonly rowsWritten: number;
  write(fields: readonly Cell[]): void;
  /** Flushes and moves the finished file into place. */
  close(): void;
  /** Drops the partial output. */
  abort(): void;
}

/** Writes a CSV/TSV atomically: rows go to a temporary file that replaces `file` on close(). */
export function createTableWriter(file: string, header: readonly string[], opts: TableOptions = {}): TableWriter {
  const delimiter = tableDelimiter(file, '', opts.delimiter);
  const out = new AtomicFile(file);
  let rows = 0;
  const writeLine = (fields: readonly Cell[]) => {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      if (i) line += delimiter;
      line += formatCell(fields[i], delimiter);
    }
    out.text(line + '\n');
  };
  writeLine(header);
  return {
    file,
    get rowsWritten() {
      return rows;
    },
    write(fields) {
      if (fields.length !== header.length) {
        out.abort();
        throw new Bioscan5mError(`${file}: row ${rows + 1} has ${fields.length} fields, header has ${header.length}`);
      }
      writeLine(fields);
      rows++;
    },
    close: () => out.close(),
    abort: () => out.abort(),
  };
}
