import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { readTable } from '../io/table.js';
import { writeMetadataParquet } from '../parquet/metadata-parquet.js';
import { METADATA_FIELDS } from '../schema.js';
import { describeSummary, readMetadata, readMetadataAll } from './read.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const embedded = path.join(repoRoot, 'apps/cli/data');
const shared = path.resolve(repoRoot, '../shared/data');
const hasShared = existsSync(shared);

function tmpDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'bioscan-meta-'));
}

describe('readMetadata', () => {
  it('reads the release-format CSV into typed records', async () => {
    const { records, summary } = await readMetadataAll(path.join(embedded, 'metadata.csv'));
    const table = await readTable(path.join(embedded, 'metadata.csv'));
    expect(records.length).toBe(table.rows.length);
    expect(summary.format).toBe('bioscan5m');
    expect(summary.missingColumns).toEqual([]);
    // Every string field equals the raw cell (labels: pandas NA tokens become '').
    const col = (name: string) => table.header.indexOf(name);
    records.forEach((r, i) => {
      expect(r.processid).toBe(table.rows[i][col('processid')]);
      expect(r.dna_barcode).toBe(table.rows[i][col('dna_barcode')]);
      const lat = table.rows[i][col('coord-lat')];
      expect(r['coord-lat']).toBe(lat === '' ? null : Number(lat));
    });
  });

  it('maps the BIOSCAN-1M TSV (uri -> dna_bin) and reports the missing columns once', async () => {
    const warnings: string[] = [];
    const file = path.join(embedded, 'bioscan1m_sample.tsv');
    const { records, summary } = await readMetadataAll(file, { onWarning: (w) => warnings.push(w) });
    const table = await readTable(file);
    expect(records.length).toBe(table.rows.length);
    expect(summary.format).toBe('bioscan1m');
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toContain('missing columns: taxon, dna_barcode, country');
    expect(warnings[0]).toContain("dna_bin from 'uri'");
    expect(summary.aliased).toEqual({ dna_bin: 'uri' });
    expect(records.map((r) => r.dna_bin)).toEqual(table.rows.map((row) => row[table.header.indexOf('uri')]));
    expect(records.every((r) => r.dna_barcode === '' && r.split === '' && r['coord-lat'] === null)).toBe(true);
    expect(describeSummary(summary)).toContain('missing columns: taxon, dna_barcode');
  });

  it.skipIf(!hasShared)(
    'loads the shared barcodes CSV and BIOSCAN-1M TSV with reports of what is missing',
    async () => {
      const bc = await readMetadataAll(path.join(shared, 'dna/coi_barcodes.csv'));
      expect(bc.summary.records).toBe(4834);
      expect(bc.summary.format).toBe('barcodes');
      expect(bc.summary.missingColumns).toEqual([
        'image_measurement_value',
        'area_fraction',
        'scale_factor',
        'inferred_ranks',
        'split',
        'index_bioscan_1M_insect',
        'chunk',
      ]);
      expect(bc.summary.extraColumns).toEqual([
        'record_id',
        'marker_code',
        'source',
        'taxon_as_given',
        'in_bioscan1m_sample_metadata',
      ]);
      const tsv = await readMetadataAll(path.join(shared, 'bioscan1m/bioscan1m_sample_metadata.tsv'));
      expect(tsv.summary.records).toBe(11064);
      expect(new Set(tsv.records.map((r) => r.dna_bin)).size).toBe(4980);
    },
  );

  it('stops at a malformed value naming file, line, column and value; skipInvalid counts and lists', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'bad.csv');
    const header = METADATA_FIELDS.join(',');
    const row = (lat: string, split: string) =>
      METADATA_FIELDS.map((n) =>
        n === 'coord-lat' ? lat : n === 'split' ? split : n === 'processid' ? 'P1' : '',
      ).join(',');
    writeFileSync(
      f,
      [header, row('10.5', 'train'), row('north', 'train'), row('1', 'trian'), row('95', 'val'), 'a,b'].join('\n') +
        '\n',
    );
    await expect(readMetadataAll(f)).rejects.toThrow(InputError);
    await expect(readMetadataAll(f)).rejects.toThrow(`${f}:3: column 'coord-lat' value 'north': expected a number`);
    const { records, summary } = await readMetadataAll(f, { skipInvalid: true });
    expect(records.length).toBe(1);
    expect(summary.skipped).toBe(4);
    expect(summary.examples.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(summary.examples[1]).toMatchObject({ column: 'split', value: 'trian' });
    expect(summary.examples[2].reason).toBe('expected a value in [-90, 90]');
    expect(summary.examples[3].reason).toContain('expected 23 fields');
    expect(describeSummary(summary)).toContain('skipped 4 malformed rows');
  });

  it('round-trips through Parquet (readMetadata accepts .parquet)', async () => {
    const dir = tmpDir();
    const src = path.join(embedded, 'metadata.csv');
    const out = path.join(dir, 'meta.parquet');
    const n = await writeMetadataParquet(out, readMetadata(src), { rowGroupSize: 250 });
    const { records: a } = await readMetadataAll(src);
    expect(n).toBe(a.length);
    const { records: b, summary } = await readMetadataAll(out);
    expect(summary.format).toBe('parquet');
    expect(b).toEqual(a);
    expect(readdirSync(dir)).toEqual(['meta.parquet']); // no temporary file left behind
  });
});
