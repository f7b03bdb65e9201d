import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, writeNpy } from '@bioscan5m/core';
import { readEmbeddings, readLabels } from './io.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cluster-io-'));

describe('readEmbeddings', () => {
  it('reads float32 and float64 .npy files', async () => {
    const f32 = path.join(dir, 'a.npy');
    writeNpy(f32, Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    const m = await readEmbeddings(f32);
    expect([m.rows, m.dim]).toEqual([3, 2]);
    expect(m.data).toBeInstanceOf(Float32Array);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const f64 = path.join(dir, 'b.npy');
    writeNpy(f64, Float64Array.from([0.1, 0.2]), [1, 2]);
    expect((await readEmbeddings(f64)).data[1]).toBe(0.2);
  });

  it('names the file and the problem for other dtypes, shapes and non-finite values', async () => {
    const ints = path.join(dir, 'ints.npy');
    writeNpy(ints, Int32Array.from([1, 2]), [1, 2]);
    await expect(readEmbeddings(ints)).rejects.toThrow(/ints\.npy: embeddings must be float32 or float64.*<i4/);
    const flat = path.join(dir, 'flat.npy');
    writeNpy(flat, Float32Array.from([1, 2, 3]), [3]);
    await expect(readEmbeddings(flat)).rejects.toThrow(/2-D array.*shape \(3\)/);
    const nan = path.join(dir, 'nan.npy');
    writeNpy(nan, Float32Array.from([1, NaN]), [1, 2]);
    await expect(readEmbeddings(nan)).rejects.toThrow(/row 1, dimension 2: value NaN/);
  });

  it('reads CSV with or without a header and reports the line and column of a bad number', async () => {
    const withHeader = path.join(dir, 'h.csv');
    writeFileSync(withHeader, 'd0,d1\n1,2\n3,4.5e-1\n');
    expect(Array.from((await readEmbeddings(withHeader)).data)).toEqual([1, 2, 3, 0.45]);
    const noHeader = path.join(dir, 'n.csv');
    writeFileSync(noHeader, '1,2\n3,4\n');
    expect((await readEmbeddings(noHeader)).rows).toBe(2);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'd0,d1\n1,2\n3,x\n');
    const err = await readEmbeddings(bad).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/bad\.csv:3: column 'd1' value 'x': not a number/);
  });
});

describe('readLabels', () => {
  it('reads the requested columns and lists missing ones', async () => {
    const f = path.join(dir, 'labels.csv');
    writeFileSync(f, 'processid,species,genus\np1,A a,A\np2,,B\n');
    const t = await readLabels(f, ['species', 'genus']);
    expect(t.rows).toBe(2);
    expect(t.columns.species).toEqual(['A a', '']);
    await expect(readLabels(f, ['family'])).rejects.toThrow(/family/);
  });
});
