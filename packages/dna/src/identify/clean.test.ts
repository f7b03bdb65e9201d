import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { barcodeHash, barcodeKey, countBarcode } from '@bioscan5m/core';
import { cleanBarcode, codesToString, reverseComplement, wasCleaned } from './clean.js';

describe('cleanBarcode', () => {
  it("follows core's barcode rule: its key is core's barcodeHash, equal keys give equal codes", () => {
    const forms = ['ACGTRACGT', 'acgt-racgtNN', ' ACGURACGU\r', 'ACGT.RACGT?'];
    const keys = new Set(forms.map((s) => cleanBarcode(s).key));
    expect(keys.size).toBe(1);
    for (const s of forms) {
      expect(cleanBarcode(s).key).toBe(barcodeHash(s));
      expect(codesToString(cleanBarcode(s).codes)).toBe(barcodeKey(forms[0]).replace(/[^ACGT]/g, 'N'));
    }
    expect(cleanBarcode('NNN--').key).toBe(-1);
  });

  it("counts gaps, lower case, U and invalid characters as core's countBarcode does (any input)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ACGTUacgtuRYNn-.~ ?*1é\t'.split('')), maxLength: 80 }),
        (raw) => {
          const mine = cleanBarcode(raw).counts;
          const core = countBarcode(raw);
          expect([mine.gaps, mine.lowercase, mine.uracil, mine.invalid]).toEqual([
            core.gaps,
            core.lowercase,
            core.uracil,
            core.invalid,
          ]);
        },
      ),
    );
  });

  it('removes gaps, upper-cases, maps IUPAC codes and U, trims N, and counts each change', () => {
    const c = cleanBarcode('--nnACgt-RYa..u~N 1tN--');
    expect(codesToString(c.codes)).toBe('ACGTNNATNNT');
    expect(c.counts).toEqual({ gaps: 9, lowercase: 7, ambiguous: 2, uracil: 1, invalid: 1, trimmedN: 3 });
    expect(c.acgt).toBe(7);
    expect(wasCleaned(c.counts)).toBe(true);
  });

  it('counts each non-ASCII character once as invalid', () => {
    const c = cleanBarcode('AC€GTé');
    expect(codesToString(c.codes)).toBe('ACNGT');
    expect(c.counts).toMatchObject({ invalid: 2, trimmedN: 1 });
  });

  it('leaves a clean barcode untouched', () => {
    const c = cleanBarcode('ACGTTGCA');
    expect(codesToString(c.codes)).toBe('ACGTTGCA');
    expect(wasCleaned(c.counts)).toBe(false);
  });

  it('never throws and only emits codes 0..4, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const c = cleanBarcode(s);
        for (const x of c.codes) expect(x).toBeLessThanOrEqual(4);
        if (c.codes.length) {
          expect(c.codes[0]).not.toBe(4);
          expect(c.codes[c.codes.length - 1]).not.toBe(4);
        }
      }),
    );
  });

  it('reverse complement is an involution that maps A<->T and C<->G', () => {
    const c = cleanBarcode('AANCGT');
    expect(codesToString(reverseComplement(c.codes))).toBe('ACGNTT');
    expect(codesToString(reverseComplement(reverseComplement(c.codes)))).toBe('AANCGT');
  });
});
