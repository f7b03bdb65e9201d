/** The label tables of retrieval evaluation: one row per embedding row, rank columns plus (for queries) `split`. */
import { Bioscan5mError, openTable } from '@bioscan5m/core';
import type { QuerySet } from '../retrieval/accuracy.js';

export interface RetrievalLabels {
  file: string;
  rows: number;
  /** Trimmed values per requested rank column; '' = not labelled. */
  ranks: Record<string, string[]>;
  /** The `split` column when it was read. */
  split?: string[];
}

/**
 * Reads the rank columns and the `split` column (true: required, 'optional': when present) of a CSV/TSV; a
 * missing column is one clear error.
 */
export async function readRetrievalLabels(
  file: string,
  ranks: readonly string[],
  withSplit: boolean | 'optional',
): Promise<RetrievalLabels> {
  const table = await openTable(file);
  if (withSplit === 'optional') withSplit = table.column('split') >= 0;
  if (withSplit && table.column('split') < 0) {
    throw new Bioscan5mError(
      `${file}: query labels need a 'split' column (rows whose split contains "unseen" form the unseen set); the header has: ${table.header.join(', ')}`,
      'BIOSCAN5M_INPUT',
    );
  }
  const idx = table.requireColumns(ranks);
  const splitIdx = withSplit ? table.column('split') : -1;
  const out: Record<string, string[]> = Object.fromEntries(ranks.map((r) => [r, [] as string[]]));
  const split: string[] = [];
  let rows = 0;
  for await (const row of table) {
    table.assertWidth(row);
    ranks.forEach((r, j) => out[r].push(row.fields[idx[j]].trim()));
    if (splitIdx >= 0) split.push(row.fields[splitIdx].trim());
    rows++;
  }
  return { file, rows, ranks: out, split: withSplit ? split : undefined };
}

/** The unseen set is every row whose split contains "unseen" (test_unseen, val_unseen, key_unseen...). */
export function querySetsOf(split: readonly string[]): QuerySet[] {
  return split.map((s) => (s.toLowerCase().includes('unseen') ? 'unseen' : 'seen'));
}
