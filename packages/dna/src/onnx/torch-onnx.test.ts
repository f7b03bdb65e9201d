import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDnaEncoder } from '../encoder/create.js';

// Made by scripts/export-tiny-bert.py: a BERT-shaped PyTorch encoder exported to ONNX, with its embeddings.
const onnxFile = fileURLToPath(new URL('./fixtures/tiny-bert-k4.onnx', import.meta.url));
const expected = JSON.parse(
  readFileSync(new URL('./fixtures/tiny-bert-k4.expected.json', import.meta.url), 'utf8'),
) as {
  k: number;
  sequences: string[];
  pooled: number[][];
};

describe('BERT-style ONNX exported from PyTorch', () => {
  it('loads given its k and reproduces the PyTorch embeddings within 1e-4', async () => {
    await expect(createDnaEncoder({ kind: 'onnx', model: onnxFile })).rejects.toThrow(/pass its k-mer length/);
    const enc = await createDnaEncoder({ kind: 'onnx', model: onnxFile, k: expected.k, batchSize: 4 });
    const hidden = enc.dim;
    expect(hidden).toBe(expected.pooled[0].length);
    const { data, rows } = await enc.embed(expected.sequences);
    expect(rows).toBe(expected.sequences.length);
    expected.pooled.forEach((row, i) =>
      row.forEach((v, j) => expect(Math.abs(data[i * hidden + j] - v)).toBeLessThan(1e-4)),
    );
    // The embeddings differ between barcodes (the check above is not comparing constants).
    expect(
      Math.abs(expected.pooled[0][0] - expected.pooled[1][0]) + Math.abs(expected.pooled[0][1] - expected.pooled[1][1]),
    ).toBeGreaterThan(1e-3);
    await enc.dispose();
  });
});
