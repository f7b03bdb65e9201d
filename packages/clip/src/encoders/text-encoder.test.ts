import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createWordPieceTokenizer } from '../text/wordpiece.js';
import { buildWordVocab } from '../text/word-vocab.js';
import { taxonomyText } from '../text/taxonomy-text.js';
import { createTextEncoder } from './text-encoder.js';

// Made by scripts/export_onnx.py --tiny: a BERT-shaped PyTorch model exported to ONNX, its vocab, token ids from
// the script's reference WordPiece, and the masked-mean embeddings PyTorch computed.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const model = path.join(fixtures, 'tiny-text-bert.onnx');
const vocab = path.join(fixtures, 'tiny-text-vocab.txt');
const expected = JSON.parse(readFileSync(path.join(fixtures, 'tiny-text-bert.expected.json'), 'utf8')) as {
  length: number;
  texts: string[];
  ids: number[][];
  pooled: number[][];
};
const tmp = mkdtempSync(path.join(tmpdir(), 'clip-text-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('taxonomyText', () => {
  it('joins order family genus species, missing ranks as not_classified', () => {
    expect(taxonomyText({ order: 'Diptera', family: 'Cecidomyiidae', genus: '', species: undefined })).toBe(
      'Diptera Cecidomyiidae not_classified not_classified',
    );
    expect(
      taxonomyText({ order: 'Hymenoptera', family: 'Braconidae', genus: 'Apanteles', species: 'Apanteles sp1' }),
    ).toBe('Hymenoptera Braconidae Apanteles Apanteles sp1');
  });
});

describe('WordPiece tokenizer', () => {
  it('gives the reference token ids (lower-case, punctuation split, ## continuations, [CLS]/[SEP], padded to 20)', () => {
    const tok = createWordPieceTokenizer({ vocab, maxLength: expected.length });
    const batch = tok.encodeBatch(expected.texts);
    expect(expected.ids.flat()).toEqual(Array.from(batch.ids));
    // Unknown words fall back to characters: 'mendax' is not in the vocab as a word.
    expect(tok.tokenize('Tanytarsus mendax').slice(0, 4)).toEqual(['[CLS]', 't', '##a', '##n']);
  });

  it('truncates to maxLength keeping [SEP], and rejects a vocabulary without the BERT specials', () => {
    const tok = createWordPieceTokenizer({ vocab, maxLength: 5 });
    expect(tok.tokenize('Diptera Cecidomyiidae not_classified not_classified')).toEqual([
      '[CLS]',
      'diptera',
      'cecidomyiidae',
      'not',
      '[SEP]',
    ]);
    const bad = path.join(tmp, 'vocab.txt');
    writeFileSync(bad, 'a\nb\n');
    expect(() => createWordPieceTokenizer({ vocab: bad })).toThrow(
      /vocab\.txt: not a BERT vocabulary: no \[PAD\] token/,
    );
  });

  it('buildWordVocab covers every text without [UNK]', () => {
    const texts = ['Diptera Cecidomyiidae not_classified not_classified', 'Hemiptera Aphididae Aphis Aphis fabae'];
    const tok = createWordPieceTokenizer({ vocab: buildWordVocab(texts), maxLength: 40 });
    for (const t of [...texts, 'Aphis hemidae']) expect(tok.tokenize(t)).not.toContain('[UNK]');
  });
});

describe('createTextEncoder', () => {
  it("'onnx' reproduces the PyTorch embeddings of the exported BERT within 1e-4", async () => {
    const enc = await createTextEncoder({ kind: 'onnx', model, vocab, maxLength: expected.length, batchSize: 4 });
    expect(enc.modality).toBe('text');
    const e = await enc.embed(expected.texts);
    expect(e.rows).toBe(expected.texts.length);
    expect(e.dim).toBe(expected.pooled[0].length);
    expected.pooled.forEach((row, i) =>
      row.forEach((v, j) => expect(Math.abs(e.data[i * e.dim + j] - v)).toBeLessThan(1e-4)),
    );
    await enc.dispose();
    await enc.dispose();
    await expect(enc.embed(['x'])).rejects.toThrow(/disposed/);
  });

  it('an unreadable ONNX file is a clear error', async () => {
    const bad = path.join(tmp, 'broken.onnx');
    writeFileSync(bad, 'not a model');
    await expect(createTextEncoder({ kind: 'onnx', model: bad, vocab })).rejects.toThrow(
      /broken\.onnx: cannot load ONNX model/,
    );
  });

  it("'tokens' is a unit-norm bag of word pieces", async () => {
    const enc = await createTextEncoder({ kind: 'tokens', vocab });
    const e = await enc.embed(['Diptera Diptera', 'Coleoptera']);
    const row0 = Array.from(e.data.subarray(0, e.dim));
    expect(row0.filter((v) => v > 0)).toEqual([1]);
    const dot = row0.reduce((s, v, j) => s + v * e.data[e.dim + j], 0);
    expect(dot).toBe(0);
  });
});

describe('encodeAll', () => {
  it('embeds any Encoder in batches, in order, with progress', async () => {
    const { encodeAll } = await import('./encode-all.js');
    const enc = await createTextEncoder({ kind: 'onnx', model, vocab, maxLength: expected.length });
    const done: number[] = [];
    const all = await encodeAll(enc, expected.texts, { batchSize: 4, onProgress: (d) => done.push(d) });
    expect(done).toEqual([4, 6]);
    const one = await enc.embed(expected.texts.slice(5));
    expect(Array.from(all.data.subarray(5 * all.dim))).toEqual(Array.from(one.data));
    await enc.dispose();
  });
});
