/**
 * k-mer frequency vectors of DNA barcodes: a label-free embedding that needs no model, used by the demo and the
 * real-data tests (the same definition is in scripts/make-goldens.py).
 */
const CODE: Record<string, number> = { A: 0, C: 1, G: 2, T: 3 };

/**
 * Overlapping k-mer frequencies (4^k values in lexicographic ACGT order, summing to 1) of `seq`, upper-cased,
 * with gaps ('-', '.') removed; k-mers that contain any other character (N, IUPAC codes) are skipped.
 */
export function kmerFrequencies(seq: string, k = 4): Float64Array {
  const dim = 4 ** k;
  const counts = new Float64Array(dim);
  const s = seq.toUpperCase().replace(/[-.]/g, '');
  let code = 0;
  let valid = 0; // consecutive ACGT characters ending here
  let total = 0;
  const mask = dim - 1;
  for (let i = 0; i < s.length; i++) {
    const c = CODE[s[i]];
    if (c === undefined) {
      valid = 0;
      code = 0;
      continue;
    }
    code = ((code << 2) | c) & mask;
    valid++;
    if (valid >= k) {
      counts[code]++;
      total++;
    }
  }
  if (total > 0) for (let j = 0; j < dim; j++) counts[j] /= total;
  return counts;
}

/** Stacks k-mer frequency vectors of many sequences into one row-major matrix. */
export function kmerMatrix(seqs: readonly string[], k = 4): { data: Float64Array; rows: number; dim: number } {
  const dim = 4 ** k;
  const data = new Float64Array(seqs.length * dim);
  seqs.forEach((s, i) => data.set(kmerFrequencies(s, k), i * dim));
  return { data, rows: seqs.length, dim };
}
