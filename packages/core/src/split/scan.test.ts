import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readTable } from '../io/table.js';
import { barcodeHash } from '../barcode/index.js';
import { rewriteRecords, scanRecords, tableLayout } from './scan.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const realFiles = [
  path.resolve(repoRoot, '../shared/data/dna/coi_barcodes.csv'),
  path.resolve(repoRoot, '../shared/data/bioscan1m/bioscan1m_sample_metadata.tsv'),
].filter(existsSync);
const dir = mkdtempSync(path.join(os.tmpdir(), 'scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function scanAll(file: string, bufferSize?: number): Promise<{ rows: string[][]; lines: number[] }> {
  const layout = await tableLayout(file);
  const rows: string[][] = [];
  const lines: number[] = [];
  await scanRecords(file, layout, {
    bufferSize,
    onRecord(rec) {
      rows.push(layout.header.map((_, c) => rec.field(c)));
      lines.push(rec.line);
    },
  });
  return { rows, lines };
}

const TRICKY =
  '\ufeffprocessid,species,"dna_barcode",note\r\n' +
  'A1,Aus bus,ACGTNN,plain\r\n' +
  '\r\n' +
  'A2,"Aus ""quoted"" cus",ACGT,"a, comma"\n' +
  'A3,Québec sp.,ACGT,"two\nlines"\n' +
  'A4,,,\n' +
  'A5,Dus eus,TTTT,last without newline';

describe('scanRecords', () => {
  it('reads what the generic reader reads: quotes, CRLF, BOM, blank lines, UTF-8, newlines in fields', async () => {
    const file = path.join(dir, 'tricky.csv');
    writeFileSync(file, TRICKY);
    const ref = await readTable(file);
    for (const size of [undefined, 16, 17, 31, 64]) {
      const ours = await scanAll(file, size);
      expect(ours.rows, String(size)).toEqual(ref.rows);
      expect(ours.lines, String(size)).toEqual(ref.lines);
    }
  });

  it('hashes barcode bytes exactly like barcodeHash on strings', async () => {
    const file = path.join(dir, 'tricky.csv');
    const layout = await tableLayout(file);
    const got: number[] = [];
    await scanRecords(file, layout, { onRecord: (rec) => got.push(rec.hash(2)) });
    expect(got).toEqual(['ACGTNN', 'ACGT', 'ACGT', '', 'TTTT'].map(barcodeHash));
    expect(got[0]).toBe(got[1]);
    expect(got[3]).toBe(-1);
  });

  it('names file and line of a record with the wrong field count', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'a,b,c\n1,2,3\n1,2\n');
    const layout = await tableLayout(file);
    await expect(scanRecords(file, layout, { onRecord() {} })).rejects.toThrow(
      /bad\.csv:3: expected 3 fields as in the header, found 2/,
    );
  });

  it.each(realFiles)('matches the generic reader on %s', async (file) => {
    const ref = await readTable(file);
    for (const size of [undefined, 4096]) {
      const ours = await scanAll(file, size);
      expect(ours.rows.length).toBe(ref.rows.length);
      expect(ours.rows).toEqual(ref.rows);
    }
  });
});

describe('rewriteRecords', () => {
  it('copies untouched records, replaces chosen fields, appends columns and re-quotes when needed', async () => {
    const file = path.join(dir, 'tricky.csv');
    const layout = await tableLayout(file);
    const out = path.join(dir, 'out.csv');
    const n = await rewriteRecords(file, layout, out, [...layout.header, 'added'], (rec) =>
      rec.row === 1
        ? [undefined, 'New, name', undefined, undefined, 'x']
        : rec.row === 0
          ? null
          : [undefined, undefined, undefined, 'n', 'y'],
    );
    expect(n).toBe(5);
    const t = await readTable(out);
    expect(t.header).toEqual(['processid', 'species', 'dna_barcode', 'note', 'added']);
    expect(t.rows).toEqual([
      ['A1', 'Aus bus', 'ACGTNN', 'plain', ''],
      ['A2', 'New, name', 'ACGT', 'a, comma', 'x'],
      ['A3', 'Québec sp.', 'ACGT', 'n', 'y'],
      ['A4', '', '', 'n', 'y'],
      ['A5', 'Dus eus', 'TTTT', 'n', 'y'],
    ]);
    expect(readFileSync(out, 'utf8').split('\n')[1]).toBe('A1,Aus bus,ACGTNN,plain,');
  });
});
