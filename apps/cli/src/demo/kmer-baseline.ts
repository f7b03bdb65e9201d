/**
 * The k-mer baseline of the DNA stages: 4-mer frequency vectors (cluster's kmerMatrix) and the label of the
 * cosine-nearest reference (dna's cosineNearest), scored per rank. It needs no training, so it is the floor a
 * learned DNA model has to clear.
 */
const K = 4;

export interface LabelledSequences {
  sequences: string[];
  /** Labels per rank, one per sequence ('' = not labelled). */
  labels: Record<string, string[]>;
}

/** Accuracy (0..1) of 1-NN on 4-mer frequencies at each rank, over the queries labelled at that rank; null when none is. */
export async function kmerNearestAccuracy(
  reference: LabelledSequences,
  queries: LabelledSequences,
  ranks: readonly string[],
): Promise<Record<string, number | null>> {
  const { kmerMatrix } = await import('@bioscan5m/cluster');
  const { cosineNearest } = await import('@bioscan5m/dna');
  const ref = kmerMatrix(reference.sequences, K);
  const q = kmerMatrix(queries.sequences, K);
  const { index } = cosineNearest(Float32Array.from(ref.data), Float32Array.from(q.data), ref.dim);
  const out: Record<string, number | null> = {};
  for (const rank of ranks) {
    let total = 0;
    let correct = 0;
    index.forEach((i, n) => {
      const truth = queries.labels[rank][n];
      if (!truth) return;
      total++;
      if (i >= 0 && reference.labels[rank][i] === truth) correct++;
    });
    out[rank] = total ? correct / total : null;
  }
  return out;
}

/** Accuracy of always answering the most frequent reference label (the chance floor of a closed-world task). */
export function majorityAccuracy(
  reference: LabelledSequences,
  queries: LabelledSequences,
  rank: string,
): number | null {
  const counts = new Map<string, number>();
  for (const l of reference.labels[rank]) if (l) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = '';
  let bestN = 0;
  for (const [l, n] of counts) if (n > bestN) [best, bestN] = [l, n];
  const labelled = queries.labels[rank].filter(Boolean);
  return labelled.length ? labelled.filter((l) => l === best).length / labelled.length : null;
}

/** Columns of a table (header + rows) as labelled sequences. */
export function labelledRows(
  header: readonly string[],
  rows: readonly string[][],
  ranks: readonly string[],
): LabelledSequences {
  const seq = header.indexOf('dna_barcode');
  return {
    sequences: rows.map((r) => r[seq]),
    labels: Object.fromEntries(ranks.map((rank) => [rank, rows.map((r) => r[header.indexOf(rank)] ?? '')])),
  };
}
