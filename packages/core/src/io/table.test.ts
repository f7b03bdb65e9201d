import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { createTableWriter, formatCell, openTable, readTable } from './table.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bioscan5m-table-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('openTable / readTable', () => {
  it('parses quotes, escaped quotes, quoted newlines, CRLF and a BOM, with physical line numbers', async () => {
    const f = write('a.csv', '\uFEFFid,name,note\r\n1,"Smith, J","said ""hi"""\r\n2,x,"two\nlines"\r\n3,y,\r\n');
    const t = await readTable(f);
    expect(t.header).toEqual(['id', 'name', 'note']);
    expect(t.rows).toEqual([
      ['1', 'Smith, J', 'said "hi"'],
      ['2', 'x', 'two\nlines'],
      ['3', 'y', ''],
    ]);
    expect(t.lines).toEqual([2, 3, 5]);
  });

  it('sniffs tabs for .tsv files and tab-only headers', async () => {
    const t = await readTable(write('b.tsv', 'a\tb\n1\t2,3\n'));
    expect(t.rows).toEqual([['1', '2,3']]);
    const r = await openTable(write('b.txt', 'a\tb\n'));
    expect(r.delimiter).toBe('\t');
  });

  it('handles a last line without newline and records longer than one read chunk', async () => {
    const long = 'A'.repeat(3_000_000);
    const t = await readTable(write('c.csv', `x,y\n"${long}",1\n2,3`));
    expect(t.rows[0][0].length).toBe(3_000_000);
    expect(t.rows[1]).toEqual(['2', '3']);
  });

  it('names file and line for ragged rows, missing columns and unterminated quotes', async () => {
    const f = write('d.csv', 'a,b\n1,2\n3\n');
    await expect(readTable(f)).rejects.toThrow(`${f}:3: expected 2 fields as in the header, found 1`);
    const r = await openTable(f);
    expect(() => r.requireColumns(['a', 'dna_barcode', 'species'])).toThrow(
      /missing required columns 'dna_barcode', 'species'/,
    );
    const g = write('e.csv', 'a,b\n1,"open\n');
    await expect(readTable(g)).rejects.toBeInstanceOf(InputError);
    await expect(readTable(g)).rejects.toThrow(`${g}:2: unterminated quoted field`);
    await expect(readTable(write('empty.csv', ''))).rejects.toThrow(/empty file/);
    await expect(readTable(path.join(dir, 'nope.csv'))).rejects.toThrow(/cannot read \(ENOENT\)/);
  });

  it('round-trips arbitrary cells through the writer (property)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 3, maxLength: 3 }), {
          minLength: 1,
          maxLength: 20,
        }),
        async (rows) => {
          const f = path.join(dir, `rt${n++}.csv`);
          const w = createTableWriter(f, ['a', 'b', 'c']);
          for (const r of rows) w.write(r);
          w.close();
          const t = await readTable(f);
          // A row of three empty strings is written as ",," and read back as such.
          expect(t.rows).toEqual(rows);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('createTableWriter', () => {
  it('writes atomically: nothing at the target until close, no temp file after abort', () => {
    const f = path.join(dir, 'out', 'atomic.csv');
    const w = createTableWriter(f, ['x']);
    w.write([1]);
    expect(() => readFileSync(f)).toThrow();
    w.close();
    expect(readFileSync(f, 'utf8')).toBe('x\n1\n');
    const w2 = createTableWriter(path.join(dir, 'out', 'aborted.csv'), ['x']);
    w2.write(['y']);
    w2.abort();
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['atomic.csv']);
  });

  it('quotes only when needed', () => {
    expect(formatCell('plain')).toBe('plain');
    expect(formatCell('a,b')).toBe('"a,b"');
    expect(formatCell('a"b')).toBe('"a""b"');
    expect(formatCell(null)).toBe('');
    expect(formatCell(1.5)).toBe('1.5');
    expect(formatCell('a,b', '\t')).toBe('a,b');
  });
});
