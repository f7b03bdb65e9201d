/**
 * The 23 fields of BIOSCAN_5M_Insect_Dataset_metadata.csv, typed, with runtime validation.
 * Missing categorical/string values are the empty string (pandas NaN); missing numbers are null.
 */
import { InputError } from './errors.js';

export const TAXONOMIC_RANKS = ['phylum', 'class', 'order', 'family', 'subfamily', 'genus', 'species'] as const;
export type TaxonomicRank = (typeof TAXONOMIC_RANKS)[number];

/** Position of each rank in TAXONOMIC_RANKS (phylum 0 .. species 6). */
export const RANK_INDEX: Readonly<Record<TaxonomicRank, number>> = Object.freeze(
  Object.fromEntries(TAXONOMIC_RANKS.map((r, i) => [r, i])) as Record<TaxonomicRank, number>,
);

export function isTaxonomicRank(name: string): name is TaxonomicRank {
  return Object.hasOwn(RANK_INDEX, name);
}

/** Ranks that Table 2 of the paper reports: the seven taxonomic ranks plus BIN and barcode. */
export const LABEL_COLUMNS = [...TAXONOMIC_RANKS, 'dna_bin', 'dna_barcode'] as const;
export type LabelColumn = (typeof LABEL_COLUMNS)[number];

export const SPLITS = [
  'pretrain',
  'train',
  'val',
  'test',
  'key_unseen',
  'val_unseen',
  'test_unseen',
  'other_heldout',
] as const;
export type Split = (typeof SPLITS)[number];

export const IMAGE_PACKAGES = ['original_full', 'cropped', 'original_256', 'cropped_256'] as const;
export type ImagePackage = (typeof IMAGE_PACKAGES)[number];

export type FieldKind = 'string' | 'category' | 'float' | 'int';

export interface FieldSpec {
  name: MetadataField;
  kind: FieldKind;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /** Allowed values for strings (empty always allowed). */
  values?: readonly string[];
}

export const METADATA_FIELDS = [
  'processid',
  'sampleid',
  'taxon',
  'phylum',
  'class',
  'order',
  'family',
  'subfamily',
  'genus',
  'species',
  'dna_bin',
  'dna_barcode',
  'country',
  'province_state',
  'coord-lat',
  'coord-lon',
  'image_measurement_value',
  'area_fraction',
  'scale_factor',
  'inferred_ranks',
  'split',
  'index_bioscan_1M_insect',
  'chunk',
] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

export const FIELD_SPECS: readonly FieldSpec[] = [
  { name: 'processid', kind: 'string' },
  { name: 'sampleid', kind: 'string' },
  { name: 'taxon', kind: 'category' },
  { name: 'phylum', kind: 'category' },
  { name: 'class', kind: 'category' },
  { name: 'order', kind: 'category' },
  { name: 'family', kind: 'category' },
  { name: 'subfamily', kind: 'category' },
  { name: 'genus', kind: 'category' },
  { name: 'species', kind: 'category' },
  { name: 'dna_bin', kind: 'category' },
  { name: 'dna_barcode', kind: 'string' },
  { name: 'country', kind: 'category' },
  { name: 'province_state', kind: 'category' },
  { name: 'coord-lat', kind: 'float', min: -90, max: 90 },
  { name: 'coord-lon', kind: 'float', min: -180, max: 180 },
  { name: 'image_measurement_value', kind: 'float', min: 0 },
  { name: 'area_fraction', kind: 'float', min: 0, max: 1 },
  { name: 'scale_factor', kind: 'float', min: 0 },
  { name: 'inferred_ranks', kind: 'int', min: 0, max: 6 },
  { name: 'split', kind: 'string', values: SPLITS },
  { name: 'index_bioscan_1M_insect', kind: 'int', min: 0 },
  { name: 'chunk', kind: 'string' },
];

export interface MetadataRecord {
  processid: string;
  sampleid: string;
  taxon: string;
  phylum: string;
  class: string;
  order: string;
  family: string;
  subfamily: string;
  genus: string;
  species: string;
  dna_bin: string;
  dna_barcode: string;
  country: string;
  province_state: string;
  'coord-lat': number | null;
  'coord-lon': number | null;
  image_measurement_value: number | null;
  area_fraction: number | null;
  scale_factor: number | null;
  inferred_ranks: number | null;
  split: string;
  index_bioscan_1M_insect: number | null;
  /** Kept as a string: "00" must not become 0. */
  chunk: string;
}

const SPEC_BY_NAME = new Map(FIELD_SPECS.map((s) => [s.name, s]));

export function fieldSpec(name: MetadataField): FieldSpec {
  return SPEC_BY_NAME.get(name)!;
}

export function emptyRecord(): MetadataRecord {
  return {
    processid: '',
    sampleid: '',
    taxon: '',
    phylum: '',
    class: '',
    order: '',
    family: '',
    subfamily: '',
    genus: '',
    species: '',
    dna_bin: '',
    dna_barcode: '',
    country: '',
    province_state: '',
    'coord-lat': null,
    'coord-lon': null,
    image_measurement_value: null,
    area_fraction: null,
    scale_factor: null,
    inferred_ranks: null,
    split: '',
    index_bioscan_1M_insect: null,
    chunk: '',
  };
}

/** Values that pandas' read_csv treats as missing by default (its na_values list). */
export const PANDAS_NA_VALUES: readonly string[] = [
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
];

const NA_STRINGS = new Set(PANDAS_NA_VALUES);

export function isMissing(raw: string): boolean {
  return NA_STRINGS.has(raw);
}

export interface ParseContext {
  file: string;
  line: number;
}

/**
 * Parses one raw CSV cell into the typed value of `field`, or throws an InputError naming
 * file, line, column and value.
 */
export function parseField(field: MetadataField, raw: string, ctx: ParseContext): string | number | null {
  const spec = SPEC_BY_NAME.get(field)!;
  if (spec.kind === 'string' || spec.kind === 'category') {
    // dna_barcode and ids are kept verbatim; "NA" is a real missing marker for labels only.
    if (spec.kind === 'category' && isMissing(raw)) return '';
    if (spec.values && raw !== '' && !spec.values.includes(raw)) {
      throw new InputError(
        { file: ctx.file, line: ctx.line, column: field, value: raw },
        `expected one of ${spec.values.join(', ')}`,
      );
    }
    return raw;
  }
  if (isMissing(raw)) return null;
  const problem = numberProblem(spec, raw);
  if (problem) throw new InputError({ file: ctx.file, line: ctx.line, column: field, value: raw }, problem);
  return Number(raw);
}

/**
 * The one rule for numeric cells (not missing): why `raw` is no valid value of a float/int field, or '' when it is.
 * Finite numbers only (NaN, Infinity and overflowing literals such as 1e999 are refused), integers where the field
 * is an integer, and within the field's bounds (coordinates: latitude -90..90, longitude -180..180).
 */
export function numberProblem(spec: FieldSpec, raw: string): string {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    return Number.isNaN(n) || raw.trim() === '' ? 'expected a number' : 'expected a finite number';
  if (spec.kind === 'int' && !Number.isInteger(n)) return 'expected an integer';
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    return `expected a value in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}]`;
  }
  return '';
}

/** Formats a typed value back to its CSV cell (null and '' become empty cells). */
export function formatField(value: string | number | null): string {
  if (value === null) return '';
  return typeof value === 'number' ? String(value) : value;
}
