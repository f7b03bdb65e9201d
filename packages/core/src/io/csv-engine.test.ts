import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvFileScanner, readTableHeader, tableDelimiter } from './csv-file.js';
import { BAD_RECORD, CsvRecordParser, NEED_MORE } from './csv-parser.js';
import { readTable } from './table.js';
import { runStatsJob } from '../stats/compute.js';
import { scanRange, type ScanRequest } from '../stats/scanner.js';
import { PANDAS_NA_VALUES } from '../schema.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
};

function records(file: string, opts: { width?: number; bufferSize?: number } = {}) {
  const head = readTableHeader(file);
  const sc = new CsvFileScanner(file, {
    delimiter: head.delimiter,
    start: head.dataStart,
    line: head.dataLine,
    ...opts,
  });
  const out: { line: number; ok: boolean; fields: string[]; reason: string; fatal: boolean }[] = [];
  while (sc.next())
    out.push({ line: sc.line, ok: sc.ok, fields: sc.fields(), reason: sc.parser.reason, fatal: sc.parser.fatal });
  return out;
}

describe('CsvRecordParser', () => {
  const bytes = (s: string) => Buffer.from(s);
  it('splits RFC 4180 records: quotes, "" escapes, delimiters and line breaks inside quotes', () => {
    const p = new CsvRecordParser(',');
    const b = bytes('a,"b,""c""","x\r\ny\rz",\n');
    expect(p.parse(b, 0, b.length, true)).toBe(0);
    expect(p.fields(b)).toEqual(['a', 'b,"c"', 'x\r\ny\rz', '']);
    expect(p.lines).toBe(3); // CRLF and CR inside the quotes, the final LF
    expect(p.next).toBe(b.length);
    expect(p.quotedLineBreak).toBe(true);
  });

  it('asks for more input rather than guessing at a buffer end', () => {
    for (const s of ['a,b', 'a,"b', 'a,"b"', 'a,b\r'])
      expect(new CsvRecordParser(',').parse(bytes(s), 0, s.length, false), s).toBe(NEED_MORE);
    const p = new CsvRecordParser(',');
    expect(p.parse(bytes('a,b\r'), 0, 4, true)).toBe(0);
    expect(p.fields(bytes('a,b\r'))).toEqual(['a', 'b']);
  });

  it('tells a bad record it can step over from one it cannot', () => {
    let p = new CsvRecordParser(',', 2);
    let b = bytes('"a"x,b\nc,d\n');
    expect(p.parse(b, 0, b.length, true)).toBe(BAD_RECORD);
    expect(p.fatal).toBe(false);
    expect(p.reason).toMatch(/unexpected character after a closing quote/);
    expect(b.toString('utf8', p.next)).toBe('c,d\n');
    b = bytes('a,b,c\n');
    p = new CsvRecordParser(',', 2);
    expect(p.parse(b, 0, b.length, true)).toBe(BAD_RECORD);
    expect(p.reason).toBe('expected 2 fields as in the header, found 3');
    b = bytes('a,"b\nc,d\n');
    p = new CsvRecordParser(',', 2);
    expect(p.parse(b, 0, b.length, true)).toBe(BAD_RECORD);
    expect(p.fatal).toBe(true);
  });

  it('one delimiter rule', () => {
    expect(tableDelimiter('x.tsv', 'a,b')).toBe('\t');
    expect(tableDelimiter('x.TAB', 'a,b')).toBe('\t');
    expect(tableDelimiter('x.csv', 'a\tb')).toBe('\t');
    expect(tableDelimiter('x.csv', 'a\tb,c')).toBe(',');
    expect(tableDelimiter('x.txt', 'a;b')).toBe(',');
    expect(tableDelimiter('x.tsv', 'a,b', ';')).toBe(';');
    expect(() => tableDelimiter('x.csv', '', '"')).toThrow(/delimiter/);
  });
});

describe('CsvFileScanner', () => {
  it('reads the same at every buffer size (records straddling reads)', () => {
    const f = write('straddle.csv', 'h1,h2\r\n"a\r\nb",x\r\n\r\nc,"d"""\rlast,row');
    const want = records(f);
    expect(want.map((r) => [r.line, r.fields])).toEqual([
      [2, ['a\r\nb', 'x']],
      [5, ['c', 'd"']],
      [6, ['last', 'row']],
    ]);
    for (let size = 4; size < 40; size++) expect(records(f, { bufferSize: size }), String(size)).toEqual(want);
  });

  it('stops at an unterminated quote, naming the line where the record starts', async () => {
    const f = write('unterminated.csv', 'a,b\n1,2\n3,"4\n5,6\n7,8\n');
    const got = records(f, { width: 2 });
    expect(got.map((r) => [r.line, r.ok, r.fatal])).toEqual([
      [2, true, false],
      [3, false, true],
    ]);
    await expect(readTable(f)).rejects.toThrow(`${f}:3: unterminated quoted field`);
  });

  it('refuses a record longer than the limit instead of reading the whole file into memory', () => {
    const f = write('long.csv', `a,b\n1,"${'x'.repeat(5000)}`);
    const head = readTableHeader(f);
    const sc = new CsvFileScanner(f, {
      delimiter: ',',
      start: head.dataStart,
      line: 2,
      bufferSize: 64,
      maxRecordBytes: 1000,
    });
    expect(sc.next()).toBe(true);
    expect(sc.ok).toBe(false);
    expect(sc.error().message).toMatch(/long\.csv:2: record longer than/);
    expect(sc.next()).toBe(false);
  });
});

describe('readTableHeader', () => {
  it('refuses a header that names a column twice, naming both positions', () => {
    const f = write('dup.csv', 'processid,species,genus,species\n1,2,3,4\n');
    expect(() => readTableHeader(f)).toThrow(
      `${f}:1: column 'species': the header names this column twice (columns 2 and 4)`,
    );
  });

  it('refuses a binary file (a NUL byte) instead of reading it as a one-column table', () => {
    const f = path.join(dir, 'image.csv');
    writeFileSync(f, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
    expect(() => readTableHeader(f)).toThrow(`${f}:1: not a CSV/TSV text file: binary bytes (a NUL byte at offset 8)`);
    // UTF-16 text holds NUL bytes too: refused with the same message (tables are UTF-8).
    writeFileSync(f, Buffer.from('\ufeffa,b\n1,2\n', 'utf16le'));
    expect(() => readTableHeader(f)).toThrow(/binary bytes/);
  });

  it('refuses an empty file and accepts a header-only file', async () => {
    expect(() => readTableHeader(write('empty.csv', ''))).toThrow(/empty file/);
    expect(() => readTableHeader(write('bom-only.csv', '\ufeff\r\n'))).toThrow(/empty file/);
    const h = readTableHeader(write('header-only.csv', '\ufeffa\tb'));
    expect(h).toMatchObject({ header: ['a', 'b'], delimiter: '\t', dataLine: 1 });
    expect((await readTable(h.file)).rows).toEqual([]);
  });
});

describe('skipped rows (stats --skip-invalid)', () => {
  const header = 'processid,species,coord-lat,coord-lon,dna_barcode\n';
  it('counts every skipped line and lists the first few', async () => {
    let body = '';
    for (let i = 0; i < 40; i++) body += i % 4 === 1 ? `p${i},Aus bus,1\n` : `p${i},Aus bus,1,2,ACGT\n`;
    const f = write('skips.csv', header + body);
    const r = await runStatsJob({ input: f, threads: 1, skipInvalid: true, maxExamples: 3 });
    expect(r.skipped.count).toBe(10);
    expect(r.skipped.examples.map((e) => e.line)).toEqual([3, 7, 11]);
    expect(r.rows).toBe(30);
  });

  it('refuses NaN, Infinity, 1e999 and out-of-range coordinates (the schema rule)', async () => {
    const bad = ['NaN-ish', 'Infinity', '1e999', '95.5', '-90.5'];
    const f = write(
      'coords.csv',
      header +
        bad.map((v, i) => `p${i},Aus bus,${v},10,ACGT\n`).join('') +
        'ok,Aus bus,45,-181,ACGT\nok2,Aus bus,45,10,ACGT\n',
    );
    await expect(runStatsJob({ input: f, threads: 1 })).rejects.toThrow(
      `${f}:2: column 'coord-lat' value 'NaN-ish': expected a number`,
    );
    const r = await runStatsJob({ input: f, threads: 1, skipInvalid: true, maxExamples: 10 });
    expect(r.rows).toBe(1);
    expect(r.skipped.count).toBe(6);
    expect(r.skipped.examples.map((e) => e.reason)).toEqual([
      'expected a number',
      'expected a finite number',
      'expected a finite number',
      'expected a value in [-90, 90]',
      'expected a value in [-90, 90]',
      'expected a value in [-180, 180]',
    ]);
  });

  it('stops with an error naming the line where it cannot resynchronise (unterminated quote), even when skipping', async () => {
    let body = '';
    for (let i = 0; i < 30; i++) body += i === 12 ? `p${i},"Aus bus,1,2,ACGT\n` : `p${i},Aus bus,1,2,ACGT\n`;
    const f = write('swallow.csv', header + body);
    for (const threads of [1, 3]) {
      await expect(
        runStatsJob({ input: f, threads, parallelThreshold: 0, skipInvalid: true }),
        String(threads),
      ).rejects.toThrow(`${f}:14: unterminated quoted field`);
    }
  });
});

const here = path.dirname(fileURLToPath(import.meta.url));
const builtWorker = path.resolve(here, '../../dist/stats-worker.js');

describe('stats worker entry', () => {
  it.skipIf(!existsSync(builtWorker))(
    'the built worker file scans a range as scanRange does in this thread',
    async () => {
      const f = write(
        'worker.csv',
        'processid,species,split,dna_barcode\n' +
          Array.from({ length: 500 }, (_, i) => `p${i},S${i % 7},${i % 2 ? 'train' : 'test'},ACGT${i % 13}\n`).join(''),
      );
      const head = readTableHeader(f);
      const req: ScanRequest = {
        file: f,
        start: head.dataStart,
        end: head.totalBytes,
        delimiter: 44,
        nColumns: 4,
        roleColumns: [-1, -1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, -1, 2],
        barcodeColumn: 3,
        naValues: PANDAS_NA_VALUES,
        skipInvalid: false,
        maxExamples: 10,
      };
      const inThread = scanRange(req);
      const viaWorker = await new Promise((resolve, reject) => {
        const w = new Worker(builtWorker, { workerData: req });
        w.on('message', (m: { result?: unknown; error?: string }) =>
          m.result ? resolve(m.result) : m.error ? reject(new Error(m.error)) : undefined,
        );
        w.on('error', reject);
      });
      expect(viaWorker).toEqual(inThread);
    },
  );
});
