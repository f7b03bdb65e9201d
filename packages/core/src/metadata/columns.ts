/**
 * Maps the columns of the metadata files people actually have onto the 23 BIOSCAN-5M fields:
 * the release CSV, the BIOSCAN-1M TSV (uri = BIN), the project's barcodes CSV and BOLD exports.
 */
import { FIELD_SPECS, METADATA_FIELDS, type FieldSpec, type MetadataField } from '../schema.js';

export type MetadataFormat = 'bioscan5m' | 'bioscan1m' | 'barcodes' | 'bold' | 'other';

/** Other names of a field, tried only when the file lacks the canonical name. */
export const FIELD_ALIASES: Readonly<Partial<Record<MetadataField, readonly string[]>>> = {
  dna_bin: ['uri', 'bin_uri', 'bin'],
  dna_barcode: ['nucraw', 'nuc', 'nucleotides', 'sequence'],
  phylum: ['phylum_name'],
  class: ['class_name'],
  order: ['order_name'],
  family: ['family_name'],
  subfamily: ['subfamily_name'],
  genus: ['genus_name'],
  species: ['species_name'],
  country: ['country/ocean'],
  province_state: ['province/state', 'province'],
  'coord-lat': ['lat', 'latitude', 'coord_lat'],
  'coord-lon': ['lon', 'longitude', 'coord_lon'],
};

export interface ColumnMapping {
  format: MetadataFormat;
  /** File column index per metadata field; -1 when the file lacks it. */
  index: Record<MetadataField, number>;
  /** Which file column (name) each present field came from, when it was an alias. */
  aliased: Partial<Record<MetadataField, string>>;
  /** Fields the file does not have. */
  missing: MetadataField[];
  /** File columns that map to no field (kept out of MetadataRecord). */
  extra: string[];
}

export function detectFormat(header: readonly string[]): MetadataFormat {
  const has = (n: string) => header.includes(n);
  if (METADATA_FIELDS.every(has)) return 'bioscan5m';
  if (has('uri') && (has('image_file') || has('orgpic_id') || has('image_tar'))) return 'bioscan1m';
  if (has('record_id') && has('dna_barcode')) return 'barcodes';
  if (has('processid') && (has('bin_uri') || has('nuc') || has('nucleotides') || has('phylum_name'))) return 'bold';
  return 'other';
}

export function mapColumns(header: readonly string[]): ColumnMapping {
  const pos = new Map<string, number>();
  header.forEach((h, i) => {
    if (!pos.has(h)) pos.set(h, i);
  });
  const index = {} as Record<MetadataField, number>;
  const aliased: Partial<Record<MetadataField, string>> = {};
  const used = new Set<number>();
  const missing: MetadataField[] = [];
  for (const f of METADATA_FIELDS) {
    let i = pos.get(f) ?? -1;
    if (i < 0) {
      for (const alias of FIELD_ALIASES[f] ?? []) {
        const j = pos.get(alias);
        if (j !== undefined) {
          i = j;
          aliased[f] = alias;
          break;
        }
      }
    }
    index[f] = i;
    if (i >= 0) used.add(i);
    else missing.push(f);
  }
  const extra = header.filter((_, i) => !used.has(i));
  return { format: detectFormat(header), index, aliased, missing, extra };
}

/** One line for people: which fields a file lacks, or '' when it has them all. */
export function describeMissing(mapping: ColumnMapping): string {
  const parts: string[] = [];
  if (mapping.missing.length) parts.push(`missing columns: ${mapping.missing.join(', ')}`);
  const al = Object.entries(mapping.aliased);
  if (al.length) parts.push(`read ${al.map(([f, a]) => `${f} from '${a}'`).join(', ')}`);
  return parts.join('; ');
}

/**
 * The numeric metadata columns of a header (canonical names or aliases) with their schema specs: what a reader
 * checks in every record with the schema's one rule (numberProblem), whatever else the command reads.
 */
export function numericColumns(header: readonly string[]): { col: number; spec: FieldSpec }[] {
  const { index } = mapColumns(header);
  return FIELD_SPECS.filter((s) => (s.kind === 'float' || s.kind === 'int') && index[s.name] >= 0).map((spec) => ({
    col: index[spec.name],
    spec,
  }));
}
