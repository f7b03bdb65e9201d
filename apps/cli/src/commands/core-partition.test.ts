import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../cli.js';
import { embedded } from '../data.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-partition-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => main(['node', 'bioscan5m', ...args]);
const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');

describe('bioscan5m synth / clean / split', () => {
  it('synth writes the requested rows with the release header', async () => {
    const file = path.join(dir, 'synth.csv');
    expect(await run('synth', '--rows', '800', '--out', file, '--seed', '2', '--quiet')).toBe(0);
    const l = lines(file);
    expect(l).toHaveLength(801);
    expect(l[0].split(',')).toHaveLength(23);
    expect(out.join('\n')).toContain('wrote 800 rows');
  });

  it('clean keeps every embedded record, writes the change log and prints per-rule counts', async () => {
    const file = path.join(dir, 'clean.csv');
    const changes = path.join(dir, 'changes.csv');
    expect(await run('clean', '--metadata', embedded.metadata, '--out', file, '--changes', changes, '--quiet')).toBe(0);
    expect(lines(file)).toHaveLength(lines(embedded.metadata).length);
    const printed = out.join('\n');
    expect(printed).toMatch(/open-nomenclature\s+\d+\s+\d+/);
    expect(printed).toContain('no record dropped');
    const log = lines(changes);
    expect(log[0]).toBe('processid,line,rank,old,new,rule');
    expect(log.length).toBeGreaterThan(1);
  });

  it('split fills split and chunk for every row and prints the split table', async () => {
    const file = path.join(dir, 'split.csv');
    expect(await run('split', '--metadata', embedded.metadata, '--out', file, '--seed', '1', '--quiet')).toBe(0);
    const l = lines(file);
    const header = l[0].split(',');
    const splitCol = header.indexOf('split');
    expect(
      l
        .slice(1)
        .every((row) => /,(pretrain|train|val|test|key_unseen|val_unseen|test_unseen|other_heldout),/.test(row)),
    ).toBe(true);
    expect(splitCol).toBeGreaterThan(0);
    expect(out.join('\n')).toMatch(/train\s+\d+\s+\d+\s+\d+/);
    expect(await run('split', '--metadata', embedded.metadata, '--out', file, '--json')).toBe(0);
    const summary = JSON.parse(out.at(-1)!);
    expect(summary.rows).toBe(l.length - 1);
  });

  it('reports bad input with file and line, without a stack trace', async () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'processid,species,dna_barcode\nA1,Aus bus,ACGT\nA2,Aus bus\n');
    expect(await run('split', '--metadata', bad, '--out', path.join(dir, 'x.csv'))).toBe(1);
    expect(err.join('\n')).toMatch(/bad\.csv:3: expected 3 fields/);
    expect(await run('clean', '--metadata', bad, '--out', path.join(dir, 'y.csv'))).toBe(1);
    expect(err.join('\n')).toMatch(/missing required columns/);
    expect(await run('synth', '--rows', '-5', '--out', path.join(dir, 'z.csv'))).toBe(2);
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });
});
