/**
 * Label vocabularies exactly as the Python bioscan-dataset loader builds them: the categories of a column over
 * the WHOLE file, sorted like Python strings (code-point order), missing = -1.
 */
import { UsageError } from '../errors.js';
import { isMissing, TAXONOMIC_RANKS, type MetadataRecord } from '../schema.js';
import { countLabels, type StatsOptions } from '../stats/compute.js';
import type { ScanRole } from '../stats/scanner.js';
import { compareCodePoints } from './order.js';

/** Columns that get a vocabulary by default: the seven ranks and the BIN. */
export const VOCAB_COLUMNS = [...TAXONOMIC_RANKS, 'dna_bin'] as const;
export type VocabColumn = ScanRole;

export class LabelVocabulary {
  readonly column: string;
  /** Categories in index order. */
  readonly labels: readonly string[];
  private readonly index: Map<string, number>;

  constructor(column: string, values: Iterable<string>) {
    this.column = column;
    const set = new Set<string>();
    for (const v of values) if (v !== '' && !isMissing(v)) set.add(v);
    this.labels = [...set].sort(compareCodePoints);
    this.index = new Map(this.labels.map((l, i) => [l, i]));
  }

  get size(): number {
    return this.labels.length;
  }

  /** Index of a label; -1 for a missing value ('' or a pandas NA token) or a label the file never had. */
  indexOf(label: string | null | undefined): number {
    if (label === null || label === undefined || label === '' || isMissing(label)) return -1;
    return this.index.get(label) ?? -1;
  }

  /** Like the Python loader's label2index: -1 for missing, an error for a label not in the vocabulary. */
  label2index(label: string): number {
    const i = this.indexOf(label);
    if (i < 0 && label !== '' && !isMissing(label)) {
      throw new UsageError(`label '${label}' is not a known ${this.column} (vocabulary of ${this.size} labels)`);
    }
    return i;
  }

  /** Like the Python loader's index2label: -1 gives ''. Accepts one index or many. */
  index2label(index: number): string;
  index2label(indices: ArrayLike<number>): string[];
  index2label(indices: number | ArrayLike<number>): string | string[] {
    const one = (i: number): string => {
      if (i === -1) return '';
      if (!Number.isInteger(i) || i < -1 || i >= this.labels.length) {
        throw new UsageError(`index ${i} is out of range for ${this.column} (0..${this.labels.length - 1}, or -1)`);
      }
      return this.labels[i];
    };
    if (typeof indices === 'number') return one(indices);
    return Array.from(indices, one);
  }

  /** Codes of many values (missing = -1). */
  encode(values: Iterable<string>): Int32Array {
    const out: number[] = [];
    for (const v of values) out.push(this.indexOf(v));
    return Int32Array.from(out);
  }

  toJSON(): { column: string; labels: readonly string[] } {
    return { column: this.column, labels: this.labels };
  }
}

export type Vocabularies = Record<string, LabelVocabulary>;

/** Vocabularies from records already in memory. */
export function vocabulariesFromRecords(
  records: Iterable<MetadataRecord>,
  columns: readonly (keyof MetadataRecord)[] = VOCAB_COLUMNS,
): Vocabularies {
  const sets: Record<string, Set<string>> = {};
  for (const c of columns) sets[c] = new Set();
  for (const r of records) for (const c of columns) sets[c].add(String(r[c] ?? ''));
  const out: Vocabularies = {};
  for (const c of columns) out[c] = new LabelVocabulary(c, sets[c]);
  return out;
}

/**
 * Vocabularies of a metadata CSV/TSV in one fast pass (the stats scanner), over the whole file as the
 * Python loader does; columns the file lacks get an empty vocabulary.
 */
export async function buildVocabularies(
  file: string,
  columns: readonly VocabColumn[] = VOCAB_COLUMNS,
  opts: StatsOptions = {},
): Promise<Vocabularies> {
  const { counts } = await countLabels(file, opts);
  const out: Vocabularies = {};
  for (const c of columns) out[c] = new LabelVocabulary(c, counts.categories[c].keys());
  return out;
}

/** The Python loader's two-argument API over several columns: label2index(label, column), index2label(i, column). */
export class LabelIndex {
  constructor(readonly vocabularies: Vocabularies) {}

  vocabulary(column: string): LabelVocabulary {
    const v = this.vocabularies[column];
    if (!v)
      throw new UsageError(
        `no label vocabulary for column '${column}' (have: ${Object.keys(this.vocabularies).join(', ')})`,
      );
    return v;
  }

  label2index(label: string, column: string): number {
    return this.vocabulary(column).label2index(label);
  }

  index2label(index: number, column: string): string;
  index2label(indices: ArrayLike<number>, column: string): string[];
  index2label(indices: number | ArrayLike<number>, column: string): string | string[] {
    const v = this.vocabulary(column);
    return typeof indices === 'number' ? v.index2label(indices) : v.index2label(indices);
  }
}

/** Builds the vocabularies of a metadata file (whole file, one fast pass) behind the Python-style API. */
export async function loadLabelIndex(
  file: string,
  columns: readonly VocabColumn[] = VOCAB_COLUMNS,
  opts: StatsOptions = {},
): Promise<LabelIndex> {
  return new LabelIndex(await buildVocabularies(file, columns, opts));
}
