/**
 * 4-mer (any k) frequency vectors: the model-free baseline of Table 4, probed exactly as the learned
 * embeddings are (linear probe, cosine 1-NN). @bioscan5m/cluster's kmerMatrix computes the same vectors in
 * float64; this float32 copy keeps @bioscan5m/dna free of a dependency on the clustering package (and umap-js).
 */
const CODE: Record<string, number> = { A: 0, C: 1, G: 2, T: 3 };

/** Row-major [n, 4^k] overlapping k-mer frequencies (rows sum to 1; k-mers with a non-ACGT base skipped). */
export function kmerFrequencyMatrix(sequences: readonly string[], k = 4): { data: Float32Array; dim: number } {
  const dim = 4 ** k;
  const mask = dim - 1;
  const data = new Float32Array(sequences.length * dim);
  sequences.forEach((seq, r) => {
    const row = data.subarray(r * dim, (r + 1) * dim);
    let code = 0;
    let run = 0;
    let total = 0;
    for (let i = 0; i < seq.length; i++) {
      const c = CODE[seq[i].toUpperCase()];
      if (c === undefined) {
        run = 0;
        continue;
      }
      code = ((code << 2) | c) & mask;
      if (++run >= k) {
        row[code]++;
        total++;
      }
    }
    if (total > 0) for (let j = 0; j < dim; j++) row[j] /= total;
  });
  return { data, dim };
}
