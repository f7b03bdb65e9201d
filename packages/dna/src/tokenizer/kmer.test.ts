import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createClibdTokenizer, createKmerTokenizer, MASK_ID, UNK_ID } from './kmer.js';

interface Golden {
  sequences: string[];
  cases: { k: number; seq: number; offset: number; ids: number[]; mask: number[] }[];
}
const golden = JSON.parse(readFileSync(new URL('./golden-tokens.json', import.meta.url), 'utf8')) as Golden;

describe('k-mer tokenizer', () => {
  it('reproduces the Python reference tokenizer on real barcodes (k = 4, 5, 6, 8; offsets)', () => {
    expect(golden.cases.length).toBeGreaterThan(100);
    for (const c of golden.cases) {
      const tok = createKmerTokenizer({ k: c.k });
      const out = tok.encode(golden.sequences[c.seq], c.offset);
      expect(Array.from(out.ids), `k=${c.k} seq=${c.seq}`).toEqual(c.ids);
      expect(Array.from(out.attentionMask), `k=${c.k} seq=${c.seq}`).toEqual(c.mask);
    }
  });

  it('vocabulary: [MASK], [UNK], then k-mers in ACGT product order', () => {
    const tok = createKmerTokenizer({ k: 3 });
    const v = tok.vocabulary();
    expect(v.length).toBe(2 + 64);
    expect(v.slice(0, 5)).toEqual(['[MASK]', '[UNK]', 'AAA', 'AAC', 'AAG']);
    expect(v.at(-1)).toBe('TTT');
    v.slice(2).forEach((kmer, i) => expect(tok.tokenId(kmer)).toBe(i + 2));
    expect(tok.tokenId('AXA')).toBe(UNK_ID);
  });

  it('pads with N, masks attention to floor(len/k), keeps leading N and strips trailing N', () => {
    const tok = createKmerTokenizer({ k: 4, maxLen: 20 });
    const a = tok.encode('NACGTACGTANNNN');
    expect(tok.seqLen).toBe(5);
    // 'NACGTACGTA' -> NACG(unk) TACG GTA+N(unk, partial) then padding
    expect(Array.from(a.attentionMask)).toEqual([1, 1, 0, 0, 0]);
    expect(a.ids[0]).toBe(UNK_ID);
    expect(a.ids[1]).toBe(tok.tokenId('TACG'));
    expect(a.ids[2]).toBe(UNK_ID);
    const long = tok.encode('ACGT'.repeat(10));
    expect(Array.from(long.attentionMask)).toEqual([1, 1, 1, 1, 1]);
    expect(tok.encode('acgt').ids[0]).toBe(tok.tokenId('ACGT'));
    expect(createKmerTokenizer({ k: 4, uppercase: false }).encode('acgt').ids[0]).toBe(UNK_ID);
  });

  it('CLIBD variant: k = 5, token 0 prepended, 133 tokens', () => {
    const tok = createClibdTokenizer();
    const seq = golden.sequences[0];
    const out = tok.encode(seq);
    expect(tok.seqLen).toBe(133);
    expect(out.ids[0]).toBe(MASK_ID);
    expect(out.attentionMask[0]).toBe(1);
    const plain = createKmerTokenizer({ k: 5 }).encode(seq);
    expect(Array.from(out.ids.slice(1))).toEqual(Array.from(plain.ids));
  });

  it('encodeBatch lays rows out contiguously', () => {
    const tok = createKmerTokenizer({ k: 6 });
    const b = tok.encodeBatch(golden.sequences.slice(0, 3), [0, 1, 2]);
    for (let i = 0; i < 3; i++) {
      const one = tok.encode(golden.sequences[i], i);
      expect(Array.from(b.ids.subarray(i * tok.seqLen, (i + 1) * tok.seqLen))).toEqual(Array.from(one.ids));
    }
  });

  it('never throws on junk and never emits an id outside the vocabulary', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 900, unit: 'grapheme' }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: -3, max: 20 }),
        (s, k, offset) => {
          const tok = createKmerTokenizer({ k });
          const { ids, attentionMask } = tok.encode(s, offset);
          expect(ids.length).toBe(tok.seqLen);
          for (let i = 0; i < ids.length; i++) {
            expect(ids[i]).toBeGreaterThanOrEqual(0);
            expect(ids[i]).toBeLessThan(tok.vocabSize);
            expect(attentionMask[i] === 0 || attentionMask[i] === 1).toBe(true);
          }
        },
      ),
      { numRuns: 120 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[ACGTN\-acgt]{0,800}$/), (s) => {
        const tok = createKmerTokenizer({ k: 6 });
        const { ids } = tok.encode(s);
        return ids.every((id) => id >= 0 && id < tok.vocabSize);
      }),
      { numRuns: 200 },
    );
  });
});
