import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '@bioscan5m/core';
import { runClipEvalJob } from './eval-job.js';

const golden = fileURLToPath(new URL('./__golden__/', import.meta.url));
const files = {
  keys: path.join(golden, 'keys.npy'),
  keyLabels: path.join(golden, 'key-labels.csv'),
  queries: path.join(golden, 'queries.npy'),
  queryLabels: path.join(golden, 'query-labels.csv'),
};
const tmp = mkdtempSync(path.join(tmpdir(), 'clip-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface GoldenRow {
  rank: string;
  k: number;
  set?: string;
  micro: number | null;
  macro: number | null;
}

describe('runClipEvalJob', () => {
  it.each(['exact', 'onnx'] as const)(
    'reproduces the Python faiss + numpy reference (scripts/retrieval_reference.py) within 0.01 points (%s search)',
    async (search) => {
      const want = JSON.parse(readFileSync(path.join(golden, 'golden-retrieval.json'), 'utf8')) as {
        rows: (GoldenRow & { queries: number; unlabelled: number })[];
        harmonicMean: GoldenRow[];
      };
      const got = await runClipEvalJob({ ...files, search });
      expect(got.rows).toHaveLength(want.rows.length);
      for (const w of want.rows) {
        const g = got.rows.find((r) => r.rank === w.rank && r.k === w.k && r.set === w.set)!;
        expect(Math.abs(g.micro! - w.micro!)).toBeLessThan(0.01);
        expect(Math.abs(g.macro! - w.macro!)).toBeLessThan(0.01);
        expect(g.queries).toBe(w.queries);
        expect(g.unlabelled).toBe(w.unlabelled);
      }
      for (const w of want.harmonicMean) {
        const g = got.harmonicMean.find((r) => r.rank === w.rank && r.k === w.k)!;
        expect(Math.abs(g.macro! - w.macro!)).toBeLessThan(0.01);
        expect(Math.abs(g.micro! - w.micro!)).toBeLessThan(0.01);
      }
      expect(got.queries.unseen).toBeGreaterThan(0);
      expect(got.backend).toBe(search);
    },
  );

  it('names the file and the problem for bad input', async () => {
    const short = path.join(tmp, 'short.csv');
    writeFileSync(short, readFileSync(files.queryLabels, 'utf8').split('\n').slice(0, 10).join('\n') + '\n');
    await expect(runClipEvalJob({ ...files, queryLabels: short })).rejects.toThrow(
      /queries\.npy has \d+ embedding rows but .*short\.csv has 9 label rows/,
    );

    const nosplit = path.join(tmp, 'nosplit.csv');
    writeFileSync(nosplit, 'order,family,genus,species\nA,B,C,D\n');
    await expect(runClipEvalJob({ ...files, queryLabels: nosplit })).rejects.toThrow(
      /nosplit\.csv: query labels need a 'split' column/,
    );

    const ints = path.join(tmp, 'ints.npy');
    writeNpy(ints, new Int32Array(6), [2, 3]);
    await expect(runClipEvalJob({ ...files, keys: ints })).rejects.toThrow(
      /ints\.npy: embeddings must be float32 or float64, this \.npy holds <i4/,
    );

    const flat = path.join(tmp, 'flat.npy');
    writeNpy(flat, new Float32Array(6), [6]);
    await expect(runClipEvalJob({ ...files, queries: flat })).rejects.toThrow(
      /flat\.npy: embeddings must be a 2-D array .* shape \(6\)/,
    );

    const nan = path.join(tmp, 'nan.npy');
    writeNpy(nan, Float32Array.from([1, 2, NaN, 4]), [2, 2]);
    await expect(runClipEvalJob({ ...files, queries: nan })).rejects.toThrow(
      /nan\.npy: row 2, dimension 1: value NaN is not finite/,
    );

    const wrongDim = path.join(tmp, 'dim.npy');
    writeNpy(wrongDim, new Float32Array(8), [2, 4]);
    await expect(runClipEvalJob({ ...files, queries: wrongDim })).rejects.toThrow(
      /dim\.npy has 4 dimensions but .*keys\.npy has 32/,
    );

    await expect(runClipEvalJob({ ...files, keys: path.join(tmp, 'missing.npy') })).rejects.toThrow(
      /missing\.npy: cannot read \(ENOENT\)/,
    );
  });
});
