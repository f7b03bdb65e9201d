import { describe, expect, it } from 'vitest';
import { acgtCount, barcodeHash, barcodeHashBytes, barcodeKey, countBarcode, normalizeBarcode } from './rule.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const hashOfBytes = (s: string) => {
  // Embedded in a larger buffer, as a scanner sees a field.
  const b = bytes(`xx,${s},yy`);
  return barcodeHashBytes(b, 3, b.length - 3);
};

/** The previous split hash (N-stripped, already-normalised barcodes), to check split assignments stay stable. */
function previousHash(barcode: string): number {
  let end = barcode.length;
  while (end > 0 && barcode.charCodeAt(end - 1) === 78) end--;
  if (end === 0) return -1;
  let h1 = 0x811c9dc5 ^ end;
  let h2 = 0x9747b28c;
  for (let i = 0; i < end; i++) {
    const c = barcode.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

describe('barcode rule', () => {
  it('normalises case, gaps, whitespace, U, ambiguity codes and invalid characters', () => {
    expect(normalizeBarcode('acgt')).toBe('ACGT');
    expect(normalizeBarcode('AC-G.T~ \tA\r\n')).toBe('ACGTA');
    expect(normalizeBarcode('ACGU')).toBe('ACGT');
    expect(normalizeBarcode('acryswkmbdhvn')).toBe('ACRYSWKMBDHVN');
    expect(normalizeBarcode('AC?G')).toBe('ACNG');
    expect(normalizeBarcode('AC1*XG')).toBe('ACNNNG');
    expect(normalizeBarcode('ACéG')).toBe('ACNG');
    expect(normalizeBarcode('AC😀G')).toBe('ACNG');
    expect(normalizeBarcode('')).toBe('');
    const clean = 'ACGTN'.repeat(200);
    expect(normalizeBarcode(clean)).toBe(clean);
  });

  it("keys strip trailing N only (the reference's rstrip('N')), after normalising", () => {
    expect(barcodeKey('ACGTNNN')).toBe('ACGT');
    expect(barcodeKey('NNACGTNN')).toBe('NNACGT');
    expect(barcodeKey('acgtn-n \n')).toBe('ACGT');
    expect(barcodeKey('ACGT??')).toBe('ACGT');
    expect(barcodeKey('ACGTR')).toBe('ACGTR');
    expect(barcodeKey('NNNN')).toBe('');
    expect(barcodeKey('---')).toBe('');
    // The forms the packages used to disagree on are one barcode now.
    const forms = ['ACGTACGT', 'acgtacgt', 'ACGT-ACGT', 'ACGTACGTNN', ' ACGUACGU ', 'ACGT.ACGT\r'];
    expect(new Set(forms.map(barcodeKey)).size).toBe(1);
    // ... and different barcodes stay different (an ambiguity code is not a gap).
    expect(barcodeKey('ACGTRACGT')).not.toBe(barcodeKey('ACGTACGT'));
  });

  it('hashes the key: string and byte variants agree, equal keys hash equal', () => {
    const cases = [
      'ACGTACGT',
      'acgt-acgt',
      'ACGTACGTNNN',
      'NNACGT',
      'AC?GTN-N',
      'ACéGT',
      'AC😀GT',
      'ACGTRYN',
      'NN--N',
      '',
      'AUGC\t',
    ];
    for (const s of cases) {
      const h = barcodeHash(s);
      expect(hashOfBytes(s), s).toBe(h);
      expect(barcodeHash(barcodeKey(s)), s).toBe(h);
      if (barcodeKey(s) === '') expect(h).toBe(-1);
      else expect(Number.isSafeInteger(h) && h >= 0).toBe(true);
    }
    expect(barcodeHash('ACGTACGT')).toBe(barcodeHash('acgt-acgtNN'));
    expect(barcodeHash('ACGTACGT')).not.toBe(barcodeHash('ACGTACGA'));
  });

  it('keeps the earlier split hash for normalised barcodes (split assignments do not move)', () => {
    for (const s of ['ACGTACGTTTGA', 'NNACGTNNN', 'A', 'ACGTRYKM'.repeat(80)])
      expect(barcodeHash(s)).toBe(previousHash(s));
  });

  it('spreads 200k random barcodes without collisions', () => {
    let x = 12345;
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) {
      let s = '';
      for (let j = 0; j < 40; j++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        s += 'ACGT'[x >>> 30];
      }
      seen.add(barcodeHash(s));
    }
    expect(seen.size).toBe(200_000);
  });

  it('counts what normalising changes and the A/C/G/T bases', () => {
    expect(countBarcode('acGU-RN?x é')).toEqual({
      length: 9,
      acgt: 4,
      ambiguous: 3,
      gaps: 2,
      lowercase: 3,
      uracil: 1,
      invalid: 2,
    });
    expect(acgtCount('acGU-RN?x')).toBe(4);
    expect(acgtCount('NNNN-RYK')).toBe(0);
    expect(acgtCount('')).toBe(0);
    for (const s of ['ACGT', 'ac-gtNNx', 'RYé']) expect(countBarcode(s).length).toBe(normalizeBarcode(s).length);
  });
});
