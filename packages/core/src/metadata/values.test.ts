/**
 * One rule per column type (the schema's), applied by every reader: finite numbers, coordinates in range,
 * integers where integers; required columns named; skipped rows counted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METADATA_FIELDS } from '../schema.js';
import { synthesizeMetadataRows } from '../synth/generate.js';
import { formatCell, openTable, readTable } from '../io/table.js';
import { readMetadataAll } from './read.js';
import { runStatsJob } from '../stats/compute.js';
import { runSplitJob } from '../split/file.js';
import { runCleanJob } from '../clean/file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rows = Array.from(synthesizeMetadataRows({ rows: 30, seed: 4 }));

function fileWith(name: string, column: string, value: string, row = 5): string {
  const body = rows.map((r) => [...r]);
  body[row][METADATA_FIELDS.indexOf(column as never)] = value;
  const f = path.join(dir, name);
  writeFileSync(f, [METADATA_FIELDS, ...body].map((r) => r.map((v) => formatCell(v)).join(',')).join('\n') + '\n');
  return f;
}

const readers: [string, (f: string) => Promise<unknown>][] = [
  ['readMetadata', (f) => readMetadataAll(f)],
  ['split', (f) => runSplitJob({ input: f, out: `${f}.split.csv` })],
  ['clean', (f) => runCleanJob({ input: f, out: `${f}.clean.csv` })],
];

describe('numeric values: one rule in every reader', () => {
  const cases: [string, string, string][] = [
    ['coord-lat', 'NaN-x', 'expected a number'],
    ['coord-lat', 'Infinity', 'expected a finite number'],
    ['coord-lon', '1e999', 'expected a finite number'],
    ['coord-lat', '95.5', 'expected a value in [-90, 90]'],
    ['coord-lon', '-180.5', 'expected a value in [-180, 180]'],
    ['inferred_ranks', '2.5', 'expected an integer'],
    ['area_fraction', '-0.1', 'expected a value in [0, 1]'],
  ];
  it.each(cases)('%s = %s', async (column, value, reason) => {
    const f = fileWith(`${column}-${value}.csv`, column, value);
    const want = `${f}:7: column '${column}' value '${value}': ${reason}`;
    for (const [name, read] of readers) await expect(read(f), name).rejects.toThrow(want);
    if (column.startsWith('coord')) await expect(runStatsJob({ input: f, threads: 1 })).rejects.toThrow(want);
  });

  it('accepts missing values and values on the bounds', async () => {
    const f = fileWith('bounds.csv', 'coord-lat', '-90', 3);
    for (const [name, read] of readers) await expect(read(f), name).resolves.toBeTruthy();
    const g = fileWith('na.csv', 'coord-lon', 'NA', 3);
    const { records } = await readMetadataAll(g);
    expect(records[3]['coord-lon']).toBeNull();
  });
});

describe('required columns', () => {
  it('names the file and every missing column', async () => {
    const f = path.join(dir, 'few.csv');
    writeFileSync(f, 'record_id,dna_barcode\nr1,ACGT\n');
    await expect(readTable(f, { required: ['dna_barcode', 'species', 'genus'] })).rejects.toThrow(
      `${f}:1: missing required columns 'species', 'genus' (header has: record_id, dna_barcode)`,
    );
    await expect(readMetadataAll(f, { required: ['species'] })).rejects.toThrow(
      `${f}:1: missing required column 'species'`,
    );
    await expect(openTable(f, { required: ['dna_barcode'] })).resolves.toBeTruthy();
    // An alias satisfies a metadata field.
    const g = path.join(dir, 'alias.csv');
    writeFileSync(g, 'processid,species_name\np1,Aus bus\n');
    const { records } = await readMetadataAll(g, { required: ['species'] });
    expect(records[0].species).toBe('Aus bus');
  });
});

describe('skipped records in the metadata reader', () => {
  it('counts a record it can step over and stops at one it cannot', async () => {
    const f = path.join(dir, 'quotes.csv');
    writeFileSync(f, 'processid,species\np1,"Aus"x\np2,Bus\np3,"Cus"y\np4,Dus\n');
    await expect(readMetadataAll(f)).rejects.toThrow(`${f}:2: field 2: unexpected character after a closing quote`);
    const { records, summary } = await readMetadataAll(f, { skipInvalid: true });
    expect(records.map((r) => r.processid)).toEqual(['p2', 'p4']);
    expect(summary.skipped).toBe(2);
    expect(summary.examples.map((e) => e.line)).toEqual([2, 4]);
    const g = path.join(dir, 'open-quote.csv');
    writeFileSync(g, 'processid,species\np1,Aus\np2,"Bus\np3,Cus\n');
    await expect(readMetadataAll(g, { skipInvalid: true })).rejects.toThrow(`${g}:3: unterminated quoted field`);
  });
});
