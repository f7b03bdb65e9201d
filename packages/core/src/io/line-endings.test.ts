/**
 * LF, CRLF, bare CR and a UTF-8 byte-order mark read the same in every reader of core: the table reader, the
 * metadata reader, stats (one thread and byte ranges), split and clean (issue: bare-CR files read as one line).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METADATA_FIELDS } from '../schema.js';
import { synthesizeMetadataRows } from '../synth/generate.js';
import { formatCell, readTable } from './table.js';
import { readMetadataAll } from '../metadata/read.js';
import { runStatsJob } from '../stats/compute.js';
import { scanRecords, tableLayout } from '../split/scan.js';
import { runSplitJob } from '../split/file.js';
import { runCleanJob } from '../clean/file.js';
import { InputError } from '../errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'eol-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = Array.from(synthesizeMetadataRows({ rows: 300, seed: 3 }));
const sp = METADATA_FIELDS.indexOf('species');
rows[4][sp] = 'Aus "quoted", bus';
rows[9][METADATA_FIELDS.indexOf('province_state')] = 'North, South';

function text(eol: string, bom: boolean, body = rows): string {
  const lines = [METADATA_FIELDS, ...body].map((r) => r.map((v) => formatCell(v)).join(','));
  // A blank line inside and at the end: no records, but they count as lines.
  lines.splice(20, 0, '');
  return (bom ? '\ufeff' : '') + lines.join(eol) + eol + eol;
}

const VARIANTS = [
  ['LF', '\n', false],
  ['CRLF', '\r\n', false],
  ['CR', '\r', false],
  ['BOM LF', '\n', true],
  ['BOM CRLF', '\r\n', true],
  ['BOM CR', '\r', true],
] as const;

function write(name: string, content: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

async function readAll(file: string) {
  const table = await readTable(file);
  const { records, summary } = await readMetadataAll(file);
  const strip = <T extends { file: string }>(r: T) => ({ ...r, file: '' });
  const stats1 = strip(await runStatsJob({ input: file, threads: 1 }));
  const stats3 = strip(await runStatsJob({ input: file, threads: 3, parallelThreshold: 0 }));
  const layout = tableLayout(file);
  const scanned: string[][] = [];
  const scannedLines: number[] = [];
  await scanRecords(file, layout, {
    bufferSize: 1000,
    onRecord(rec) {
      scanned.push(layout.header.map((_, c) => rec.field(c)));
      scannedLines.push(rec.line);
    },
  });
  const splitOut = `${file}.split.csv`;
  await runSplitJob({ input: file, out: splitOut, seed: 1 });
  const cleanOut = `${file}.clean.csv`;
  const changes = `${file}.changes.csv`;
  const cleaned = await runCleanJob({ input: file, out: cleanOut, changes });
  return {
    table,
    records,
    summary: { ...summary, file: '' },
    stats1: { ...stats1, threads: 0 },
    stats3: { ...stats3, threads: 0 },
    scanned,
    scannedLines,
    split: readFileSync(splitOut, 'utf8'),
    clean: readFileSync(cleanOut, 'utf8'),
    changes: readFileSync(changes, 'utf8').split('\n').length,
    cleaned: { ...cleaned, input: '', out: '', changes: '' },
  };
}

describe('line endings and byte-order mark', () => {
  it('every reader reads LF, CRLF, CR and BOM files the same', async () => {
    const ref = await readAll(write('lf.csv', text('\n', false)));
    expect(ref.table.rows).toHaveLength(300);
    expect(ref.table.lines[18]).toBe(20); // the blank line 21 shifts later records
    expect(ref.table.lines[19]).toBe(22);
    expect(ref.table.rows[4][sp]).toBe('Aus "quoted", bus');
    expect(ref.stats1.rows).toBe(300);
    expect(ref.stats3).toEqual(ref.stats1);
    for (const [name, eol, bom] of VARIANTS.slice(1)) {
      const got = await readAll(write(`${name.replace(' ', '-')}.csv`, text(eol, bom)));
      expect(got.table, name).toEqual(ref.table);
      expect(got.records, name).toEqual(ref.records);
      expect(got.summary, name).toEqual(ref.summary);
      expect(got.stats1, name).toEqual(ref.stats1);
      expect(got.stats3, name).toEqual(ref.stats1);
      expect(got.scanned, name).toEqual(ref.table.rows);
      expect(got.scannedLines, name).toEqual(ref.table.lines);
      expect(got.split, name).toEqual(ref.split);
      expect(got.clean, name).toEqual(ref.clean);
      expect(got.cleaned, name).toEqual(ref.cleaned);
    }
  });

  it('names the same line for a bad record whatever the line endings', async () => {
    const bad = rows.slice(0, 40).map((r, i) => (i === 30 ? r.slice(0, -1) : r));
    // Header line 1, records 1..19 on lines 2..20, blank line 21: the short record 31 is on line 33.
    for (const [name, eol, bom] of VARIANTS) {
      const f = write(`bad-${name.replace(' ', '-')}.csv`, text(eol, bom, bad));
      const want = `${f}:33: expected 23 fields as in the header, found 22`;
      await expect(readTable(f), name).rejects.toThrow(want);
      await expect(runStatsJob({ input: f, threads: 1 }), name).rejects.toThrow(want);
      await expect(runStatsJob({ input: f, threads: 3, parallelThreshold: 0 }), name).rejects.toThrow(want);
      await expect(runSplitJob({ input: f, out: `${f}.out.csv` }), name).rejects.toThrow(InputError);
      await expect(runSplitJob({ input: f, out: `${f}.out.csv` }), name).rejects.toThrow(want);
    }
  });
});
