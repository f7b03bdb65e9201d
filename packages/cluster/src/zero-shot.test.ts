import { describe, expect, it } from 'vitest';
import { readTable } from '@bioscan5m/core';
import { barcodeKey } from '@bioscan5m/core';
import { zeroShotClustering } from './zero-shot.js';
import { kmerMatrix } from './kmer.js';
import { clusteringScores } from './metrics.js';
import { wardClustering } from './ward.js';
import { BARCODES_CSV, hasSharedData } from './testing/fixtures.js';

async function insectRows(limit: number) {
  const t = await readTable(BARCODES_CSV);
  const col = (name: string) => t.header.indexOf(name);
  const rows = t.rows.filter((r) => r[col('class')] === 'Insecta' && r[col('genus')]).slice(0, limit);
  return {
    seqs: rows.map((r) => r[col('dna_barcode')]),
    species: rows.map((r) => r[col('species')]),
    genus: rows.map((r) => r[col('genus')]),
  };
}

describe('zeroShotClustering', () => {
  it.skipIf(!hasSharedData)(
    'real barcodes, no UMAP: equals Ward + metrics run by hand; empty labels are left out',
    async () => {
      const { seqs, species, genus } = await insectRows(400);
      const x = kmerMatrix(seqs);
      const res = await zeroShotClustering({ embeddings: [x], labels: { genus, species }, umapDims: 0 });
      const k = new Set(genus).size;
      expect(res.clusters).toBe(k);
      const direct = wardClustering(x, { nClusters: k });
      expect(Array.from(res.assignments)).toEqual(Array.from(direct.labels));
      expect(res.metrics.genus.ami).toBe(clusteringScores(genus, direct.labels).ami);
      const labelled = species.map((s, i) => [s, direct.labels[i]] as const).filter(([s]) => s !== '');
      expect(res.metrics.species.n).toBe(labelled.length);
      expect(res.metrics.species.unlabelled).toBe(400 - labelled.length);
      expect(res.metrics.species.ami).toBe(
        clusteringScores(
          labelled.map((p) => p[0]),
          labelled.map((p) => p[1]),
        ).ami,
      );
    },
  );

  it.skipIf(!hasSharedData)(
    'one sample per barcode clusters each distinct barcode once and copies its cluster to repeats',
    async () => {
      const { seqs, genus } = await insectRows(400);
      const x = kmerMatrix(seqs);
      const res = await zeroShotClustering({
        embeddings: [x],
        labels: { genus },
        umapDims: 0,
        nClusters: 30,
        dedupKeys: seqs,
      });
      const distinct = new Set(seqs.map(barcodeKey));
      expect(res.n).toBe(distinct.size);
      expect(res.duplicates).toBe(400 - distinct.size);
      expect(res.duplicates).toBeGreaterThan(0);
      const clusterOf = new Map<string, number>();
      seqs.forEach((s, i) => {
        const k = barcodeKey(s);
        if (clusterOf.has(k)) expect(res.assignments[i]).toBe(clusterOf.get(k));
        else clusterOf.set(k, res.assignments[i]);
      });
    },
  );

  it('z-scores and concatenates several modalities, then UMAP and Ward', async () => {
    // Two modalities on very different scales: without z-scoring the second would dominate.
    const n = 120;
    const a = new Float64Array(n * 3);
    const b = new Float64Array(n * 2);
    const y: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      y.push(`class${c}`);
      for (let j = 0; j < 3; j++) a[i * 3 + j] = (j === c ? 5 : 0) + Math.sin(i * 12.9898 + j) * 0.5;
      for (let j = 0; j < 2; j++) b[i * 2 + j] = 1000 * Math.sin(i * 78.233 + j * 3.1);
    }
    const res = await zeroShotClustering({
      embeddings: [
        { data: a, rows: n, dim: 3 },
        { data: b, rows: n, dim: 2 },
      ],
      labels: { y },
      umapDims: 4,
      umap: { nNeighbors: 10, nEpochs: 50, seed: 1 },
    });
    expect(res.clusters).toBe(3);
    expect(res.assignments.length).toBe(n);
    expect(res.metrics.y.ami).toBeGreaterThan(0.5);
    expect(res.seconds.total).toBeGreaterThan(0);
  });

  it('rejects misaligned inputs and impossible cluster counts', async () => {
    const x = { data: new Float64Array(10), rows: 5, dim: 2 };
    await expect(zeroShotClustering({ embeddings: [x], labels: { s: ['a'] }, umapDims: 0 })).rejects.toThrow(
      /label column 's' has 1 rows but the embeddings have 5/,
    );
    await expect(zeroShotClustering({ embeddings: [x], umapDims: 0, nClusters: 6 })).rejects.toThrow(/between 1 and/);
    await expect(zeroShotClustering({ embeddings: [x], umapDims: 0 })).rejects.toThrow(/number of clusters/);
  });
});
