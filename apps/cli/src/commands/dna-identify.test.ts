import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRng, readTable } from '@bioscan5m/core';
import { runCli as run } from '../test-support.js';
import { embedded } from '../data.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-dna-identify-'));

afterEach(() => vi.restoreAllMocks());

describe('bioscan5m dna identify', async () => {
  // Embedded barcodes: every 5th labelled row becomes a query (with its labels, for the accuracy summary).
  const table = await readTable(embedded.barcodes);
  const col = (n: string) => table.header.indexOf(n);
  const refRows: string[][] = [];
  const queryRows: string[][] = [];
  table.rows.forEach((r, i) => (i % 5 === 2 && r[col('species')] ? queryRows : refRows).push(r));
  const csv = (rows: string[][]) =>
    [table.header, ...rows]
      .map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))
      .join('\n') + '\n';
  const ref = path.join(dir, 'ref.csv');
  writeFileSync(ref, csv(refRows));

  it('dna index once, then identify --index: the predictions of identify --reference', async () => {
    const queries = path.join(dir, 'qi.csv');
    writeFileSync(queries, csv(queryRows));
    const idx = path.join(dir, 'ref.idx');
    let r = await run(['dna', 'index', '--reference', ref, '--out', idx, '--json']);
    expect(r.code, r.err).toBe(0);
    const built = JSON.parse(r.out);
    expect(built.bytes).toBe(readFileSync(idx).length);
    expect(built.reference.referenceBarcodes).toBeLessThanOrEqual(built.reference.referenceRecords);
    r = await run(['dna', 'identify', '--index', idx, '--queries', queries, '--out', path.join(dir, 'pi.csv')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/loaded from .*ref\.idx in \d/);
    r = await run(['dna', 'identify', '--reference', ref, '--queries', queries, '--out', path.join(dir, 'pr.csv')]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(path.join(dir, 'pi.csv'), 'utf8')).toBe(readFileSync(path.join(dir, 'pr.csv'), 'utf8'));
    // build options are fixed in the index; one of --reference/--index; never over an input
    r = await run(['dna', 'identify', '--index', idx, '--closed-world', '--queries', queries, '--out', 'x.csv']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--index: --species-threshold/--closed-world: fixed when the index is built');
    r = await run(['dna', 'identify', '--queries', queries, '--out', path.join(dir, 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--reference <file> or --index <file>');
    r = await run(['dna', 'index', '--reference', ref, '--out', ref]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(ref);
    r = await run(['dna', 'identify', '--index', ref, '--queries', queries, '--out', path.join(dir, 'x.csv')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${ref}: not a bioscan5m identification index`);
  });

  it('writes one prediction row per query in input order and a JSON summary with accuracy', async () => {
    const queries = path.join(dir, 'q.csv');
    // Add a query without a usable barcode: it must be reported and written, not dropped.
    const bad = [...queryRows[0]];
    bad[col('record_id')] = 'bad-row';
    bad[col('dna_barcode')] = '---NNN---';
    writeFileSync(queries, csv([...queryRows.slice(0, 40), bad, ...queryRows.slice(40)]));
    const out = path.join(dir, 'pred.csv');
    const r = await run(['dna', 'identify', '--reference', ref, '--queries', queries, '--out', out, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.queries).toBe(queryRows.length + 1);
    expect(s.noSequence).toBe(1);
    expect(s.problems).toEqual([{ id: 'bad-row', line: 42, reason: 'too few A/C/G/T bases (0)' }]);
    expect(s.accuracy.species.total).toBe(queryRows.length + 1); // the unusable row counts as wrong, not dropped
    expect(s.accuracy.genus.accuracy).toBeGreaterThan(0.8);
    expect(s.queriesPerSecond).toBeGreaterThan(0);
    const pred = await readTable(out);
    expect(pred.header.slice(0, 10)).toEqual([
      'record_id',
      'phylum',
      'class',
      'order',
      'family',
      'subfamily',
      'genus',
      'species',
      'confidence',
      'novel',
    ]);
    const ids = pred.rows.map((x) => x[0]);
    expect(ids).toEqual([
      ...queryRows.slice(0, 40).map((q) => q[col('record_id')]),
      'bad-row',
      ...queryRows.slice(40).map((q) => q[col('record_id')]),
    ]);
    const badOut = pred.rows[40];
    expect(badOut.slice(1, 8).every((x) => x === '')).toBe(true);
    for (const row of pred.rows) {
      const c = Number(row[8]);
      expect(c >= 0 && c <= 1).toBe(true);
      expect(['true', 'false']).toContain(row[9]);
    }
  });

  it('reads FASTA queries; record_id comes from the FASTA id', async () => {
    const fasta = path.join(dir, 'q.fasta');
    writeFileSync(
      fasta,
      queryRows
        .slice(0, 5)
        .map((q, i) => `>fq${i} some description\n${q[col('dna_barcode')]}\n`)
        .join(''),
    );
    const out = path.join(dir, 'pred-fa.csv');
    const r = await run(['dna', 'identify', '--reference', ref, '--queries', fasta, '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/queries: 5; identified 5/);
    const pred = await readTable(out);
    expect(pred.rows.map((x) => x[0])).toEqual(['fq0', 'fq1', 'fq2', 'fq3', 'fq4']);
    // Same barcodes as the CSV run: same species.
    expect(pred.rows.map((x) => x[7])).toEqual(
      (await readTable(path.join(dir, 'pred.csv'))).rows.slice(0, 5).map((x) => x[7]),
    );
  });

  it('uses the 0-based row index when the queries have no record_id', async () => {
    const q = path.join(dir, 'noid.csv');
    writeFileSync(q, `dna_barcode\n${queryRows[0][col('dna_barcode')]}\n${queryRows[1][col('dna_barcode')]}\n`);
    const out = path.join(dir, 'pred-noid.csv');
    expect((await run(['dna', 'identify', '--reference', ref, '--queries', q, '--out', out, '--quiet'])).code).toBe(0);
    expect(
      readFileSync(out, 'utf8')
        .split('\n')
        .slice(1, 3)
        .map((l) => l.split(',')[0]),
    ).toEqual(['0', '1']);
  });

  it('--threads 2 searches on worker threads and gives the same predictions', async () => {
    const out = path.join(dir, 'pred-threads.csv');
    const r = await run([
      'dna',
      'identify',
      '--reference',
      ref,
      '--queries',
      path.join(dir, 'q.csv'),
      '--out',
      out,
      '--threads',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).threads).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(path.join(dir, 'pred.csv'), 'utf8'));
  });

  it('a random 5,000-nt query is "no similar reference": no genus, noted and listed', async () => {
    const rng = createRng(5);
    const random = Array.from({ length: 5000 }, () => 'ACGT'[rng.int(0, 3)]).join('');
    const q = path.join(dir, 'random.fasta');
    writeFileSync(q, `>random\n${random}\n>real\n${queryRows[0][col('dna_barcode')]}\n`);
    const out = path.join(dir, 'pred-random.csv');
    const r = await run(['dna', 'identify', '--reference', ref, '--queries', q, '--out', out, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect([s.identified, s.noHit]).toEqual([1, 1]);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0].reason).toMatch(
      /^no similar reference barcode \(best identity 0\.\d+ is no better than the query shuffled\)$/,
    );
    const pred = await readTable(out);
    expect(pred.rows[0].slice(0, 8)).toEqual(['random', '', '', '', '', '', '', '']);
    expect(pred.rows[1][6]).not.toBe('');
  });

  it('--closed-world never calls novel', async () => {
    const out = path.join(dir, 'pred-cw.csv');
    const r = await run([
      'dna',
      'identify',
      '--reference',
      ref,
      '--queries',
      path.join(dir, 'q.csv'),
      '--out',
      out,
      '--closed-world',
      '--json',
    ]);
    expect(JSON.parse(r.out).novel).toBe(0);
  });

  it('--open-world leaves species empty for the queries called novel; with --closed-world it is a usage error', async () => {
    const out = path.join(dir, 'pred-ow.csv');
    const args = ['dna', 'identify', '--reference', ref, '--queries', path.join(dir, 'q.csv'), '--out', out];
    const r = await run([...args, '--open-world', '--json']);
    expect(r.code).toBe(0);
    const pred = await readTable(out);
    const novel = pred.rows.filter((row) => row[9] === 'true');
    expect(novel.length).toBe(JSON.parse(r.out).novel);
    expect(novel.length).toBeGreaterThan(0);
    // Same answers as the default run except the species of the queries called novel, which is left empty.
    const byDefault = (await readTable(path.join(dir, 'pred.csv'))).rows;
    pred.rows.forEach((row, i) => {
      expect(row[9]).toBe(byDefault[i][9]);
      if (row[9] === 'true') expect(row[7]).toBe('');
      expect(row.slice(1, 7)).toEqual(byDefault[i].slice(1, 7));
    });
    const both = await run([...args, '--open-world', '--closed-world']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('--open-world');
  });

  it('fails with a clear message on bad input', async () => {
    const noCol = path.join(dir, 'nocol.csv');
    writeFileSync(noCol, 'record_id,sequence\n1,ACGT\n');
    let r = await run(['dna', 'identify', '--reference', ref, '--queries', noCol, '--out', path.join(dir, 'x.csv')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${noCol}:1: missing required column 'dna_barcode'`);
    r = await run([
      'dna',
      'identify',
      '--reference',
      path.join(dir, 'missing.csv'),
      '--queries',
      noCol,
      '--out',
      path.join(dir, 'x.csv'),
    ]);
    expect(r.err).toContain('reference file not found');
    r = await run([
      'dna',
      'identify',
      '--reference',
      ref,
      '--queries',
      noCol,
      '--out',
      path.join(dir, 'x.csv'),
      '--k',
      '40',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("option '--k <k>' argument '40' is invalid. expected an integer in 8..15");
  });
});
