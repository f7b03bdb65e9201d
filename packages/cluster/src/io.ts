/** Reading embeddings (.npy or CSV) and the label table that goes with them. */
import { Bioscan5mError, InputError, openTable, readNpyMatrix } from '@bioscan5m/core';
import type { Matrix } from './matrix.js';

/**
 * Embeddings from a 2-D float32/float64 C-ordered .npy (what Python encoders write) or a CSV/TSV of numbers
 * (an optional header row of names is skipped when it is not numeric).
 */
export async function readEmbeddings(file: string): Promise<Matrix> {
  if (/\.npy$/i.test(file)) return readEmbeddingsNpy(file);
  return readEmbeddingsTable(file);
}

export function readEmbeddingsNpy(file: string): Matrix {
  return readNpyMatrix(file);
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

async function readEmbeddingsTable(file: string): Promise<Matrix> {
  const table = await openTable(file);
  const cols = table.header.length;
  const values: number[] = [];
  const headerIsData = table.header.every((h) => NUMBER.test(h));
  const push = (fields: string[], line: number, names: string[] | null) => {
    if (fields.length !== cols) throw new InputError({ file, line }, `${fields.length} fields, expected ${cols}`);
    for (let j = 0; j < cols; j++) {
      const f = fields[j];
      if (!NUMBER.test(f))
        throw new InputError({ file, line, column: names ? names[j] : String(j + 1), value: f }, 'not a number');
      values.push(Number(f));
    }
  };
  if (headerIsData) push(table.header, 1, null);
  for await (const row of table) push(row.fields, row.line, headerIsData ? null : table.header);
  if (values.length === 0) throw new Bioscan5mError(`${file}: no embedding rows`, 'BIOSCAN5M_INPUT');
  return { data: Float64Array.from(values), rows: values.length / cols, dim: cols };
}

export interface LabelTable {
  file: string;
  /** Values of each requested column, one per row. */
  columns: Record<string, string[]>;
  rows: number;
}

/** Reads the named columns of a label CSV/TSV (rows align 1:1 with embedding rows). */
export async function readLabels(file: string, columns: readonly string[]): Promise<LabelTable> {
  const table = await openTable(file);
  const idx = table.requireColumns(columns);
  const out: Record<string, string[]> = Object.fromEntries(columns.map((c) => [c, [] as string[]]));
  let rows = 0;
  for await (const row of table) {
    table.assertWidth(row);
    columns.forEach((c, k) => out[c].push(row.fields[idx[k]].trim()));
    rows++;
  }
  return { file, columns: out, rows };
}
