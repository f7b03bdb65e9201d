import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '@bioscan5m/core';
import { looksLikeFasta, readFasta } from './fasta.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fasta-'));
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const collect = async (f: string) => {
  const out = [];
  for await (const r of readFasta(f)) out.push(r);
  return out;
};

describe('readFasta', () => {
  it('reads multi-line records, CRLF, blank lines and ; comments, with header lines', async () => {
    const f = write('a.fasta', '\uFEFF>seq1 Osmia lignaria|COI\r\nACGT\r\nacgt\r\n\r\n;comment\r\n>seq2\r\nNN--AC\r\n');
    expect(looksLikeFasta(f)).toBe(true);
    expect(await collect(f)).toEqual([
      { id: 'seq1', description: 'Osmia lignaria|COI', sequence: 'ACGTacgt', line: 1 },
      { id: 'seq2', description: '', sequence: 'NN--AC', line: 6 },
    ]);
  });

  it('keeps records with an empty sequence (they are reported later, not dropped)', async () => {
    const f = write('b.fa', '>a\n>b\nACGT\n');
    expect((await collect(f)).map((r) => [r.id, r.sequence])).toEqual([
      ['a', ''],
      ['b', 'ACGT'],
    ]);
  });

  it('rejects sequence text before the first header, naming file and line', async () => {
    const f = write('c.fa', '\nACGT\n>a\nACGT\n');
    await expect(collect(f)).rejects.toThrow(InputError);
    await expect(collect(f)).rejects.toThrow(`${f}:2: sequence text before the first FASTA header`);
  });

  it('tells CSV from FASTA', () => {
    expect(looksLikeFasta(write('d.csv', 'record_id,dna_barcode\n1,ACGT\n'))).toBe(false);
  });
});
