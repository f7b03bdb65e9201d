import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bioscan5mError } from '../errors.js';
import { readMetadataAll } from '../metadata/read.js';
import { compareCodePoints } from './order.js';
import {
  buildVocabularies,
  LabelVocabulary,
  loadLabelIndex,
  VOCAB_COLUMNS,
  vocabulariesFromRecords,
} from './vocabulary.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const golden = path.resolve(here, '../__golden__');

const fixtures = [
  {
    name: 'synthetic fixture (astral labels, NA tokens, quoted commas)',
    file: path.join(golden, 'stats-synthetic.csv'),
    golden: 'stats-vocab-synthetic.json',
  },
  {
    name: 'embedded metadata',
    file: path.join(repoRoot, 'apps/cli/data/metadata.csv'),
    golden: 'stats-vocab-metadata.json',
  },
];

describe('label vocabularies equal pandas categories (golden by scripts/stats-golden-vocab.py)', () => {
  for (const fx of fixtures) {
    it(fx.name, async () => {
      const expected = JSON.parse(readFileSync(path.join(golden, fx.golden), 'utf8')) as Record<
        string,
        { categories: string[]; codes: number[] }
      >;
      const vocabs = await buildVocabularies(fx.file, VOCAB_COLUMNS, { threads: 1 });
      const { records } = await readMetadataAll(fx.file);
      const fromRecords = vocabulariesFromRecords(records);
      for (const col of VOCAB_COLUMNS) {
        expect(vocabs[col].labels).toEqual(expected[col].categories);
        expect(fromRecords[col].labels).toEqual(expected[col].categories);
        expect(Array.from(vocabs[col].encode(records.map((r) => r[col])))).toEqual(expected[col].codes);
      }
    });
  }
});

describe('LabelIndex (Python-style two-argument API)', () => {
  it('indexes the embedded metadata by column', async () => {
    const expected = JSON.parse(readFileSync(path.join(golden, 'stats-vocab-metadata.json'), 'utf8'));
    const idx = await loadLabelIndex(fixtures[1].file);
    const diptera = expected.order.categories.indexOf('Diptera');
    expect(diptera).toBeGreaterThanOrEqual(0);
    expect(idx.label2index('Diptera', 'order')).toBe(diptera);
    expect(idx.index2label([diptera, -1], 'order')).toEqual(['Diptera', '']);
    expect(() => idx.label2index('Diptera', 'split')).toThrow(/no label vocabulary for column 'split'/);
  });
});

describe('LabelVocabulary', () => {
  const orders = new LabelVocabulary('order', [
    'Lepidoptera',
    'Diptera',
    '',
    'Hymenoptera',
    'Diptera',
    'Coleoptera',
    'NA',
  ]);

  it('behaves like the Python loader label2index / index2label', () => {
    expect(orders.labels).toEqual(['Coleoptera', 'Diptera', 'Hymenoptera', 'Lepidoptera']);
    expect(orders.label2index('Diptera')).toBe(1);
    expect(orders.label2index('')).toBe(-1);
    expect(orders.index2label([1, 3, -1, 1])).toEqual(['Diptera', 'Lepidoptera', '', 'Diptera']);
    expect(() => orders.label2index('Odonata')).toThrow(Bioscan5mError);
    expect(() => orders.index2label(4)).toThrow(/out of range/);
  });

  it('sorts by code point, not UTF-16 unit (they differ above U+FFFF)', () => {
    const astral = 'A\u{1D49C}'; // U+1D49C, UTF-16 D835 DC9C
    const bmp = 'A\uFB01'; // U+FB01
    expect([astral, bmp].sort()).toEqual([astral, bmp]); // JS default: UTF-16 order
    expect(new LabelVocabulary('x', [astral, bmp]).labels).toEqual([bmp, astral]);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const cp = (s: string) => Array.from(s, (ch) => ch.codePointAt(0)!);
        const x = cp(a);
        const y = cp(b);
        let expected = 0;
        for (let i = 0; i < Math.min(x.length, y.length) && expected === 0; i++) expected = Math.sign(x[i] - y[i]);
        if (expected === 0) expected = Math.sign(x.length - y.length);
        return Math.sign(compareCodePoints(a, b)) === expected;
      }),
    );
  });
});
