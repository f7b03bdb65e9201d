import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddings, readNpy, writeNpy } from '@bioscan5m/core';
import { runClusterJob } from './job.js';
import { wardClustering } from './ward.js';
import { clusteringScores } from './metrics.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cluster-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A distinct ACGT sequence per number (base 4). */
const seq = (i: number) => `TT${i.toString(4).replace(/[0-3]/g, (d) => 'ACGT'[Number(d)])}`;

/** Three groups in 4-d (float32, as an encoder returns them), species labels with one blank. */
function fixture() {
  const n = 60;
  const data = new Float32Array(n * 4);
  const species: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % 3;
    species.push(i === 5 ? '' : `sp${g}`);
    for (let j = 0; j < 4; j++) data[i * 4 + j] = (j === g ? 10 : 0) + Math.sin(i * 3.7 + j * 1.3);
  }
  const labels = path.join(dir, 'labels.csv');
  writeFileSync(
    labels,
    `id,species,dna_barcode\n${species.map((s, i) => `r${i},${s},${i < 3 ? 'ACGTN' : seq(i)}`).join('\n')}\n`,
  );
  return { n, data, species, labels };
}

describe('runClusterJob', () => {
  it('clusters core Embeddings and .npy files alike, writes assignments and the clustered matrix', async () => {
    const f = fixture();
    const npy = path.join(dir, 'emb.npy');
    writeNpy(npy, f.data, [f.n, 4]);
    const out = path.join(dir, 'assign.csv');
    const reduced = path.join(dir, 'reduced.npy');
    const stages: string[] = [];
    const fromFile = await runClusterJob({
      embeddings: [npy],
      labels: f.labels,
      umapDims: 0,
      out,
      saveReduced: reduced,
      onStage: (s) => stages.push(s),
    });
    const fromMemory = await runClusterJob({ embeddings: [embeddings(f.data, f.n, 4)], labels: f.labels, umapDims: 0 });
    expect(stages).toEqual(['ward']);
    expect(fromFile.written).toEqual([out, reduced]);
    expect(Array.from(fromMemory.result.assignments)).toEqual(Array.from(fromFile.result.assignments));
    const direct = wardClustering({ data: f.data, rows: f.n, dim: 4 }, { nClusters: 3 });
    expect(readFileSync(out, 'utf8')).toBe(`cluster\n${Array.from(direct.labels).join('\n')}\n`);
    const keep = f.species.flatMap((s, i) => (s ? [i] : []));
    const want = clusteringScores(
      keep.map((i) => f.species[i]),
      keep.map((i) => direct.labels[i]),
    );
    expect(fromFile.report).toMatchObject({ n: f.n, rows: f.n, duplicates: 0, clusters: 3 });
    expect(fromFile.report.metrics.species).toEqual({
      classes: 3,
      ami: want.ami,
      ari: want.ari,
      nmi: want.nmi,
      homogeneity: want.homogeneity,
      completeness: want.completeness,
      vMeasure: want.vMeasure,
      n: f.n - 1,
      unlabelled: 1,
    });
    expect(readNpy(reduced).shape).toEqual([f.n, 4]);
  });

  it("one sample per barcode: rows with the same barcode key take the first one's cluster", async () => {
    const f = fixture();
    // Rows 0..2 share the barcode ACGTN (key ACGT).
    const r = await runClusterJob({
      embeddings: [embeddings(f.data, f.n, 4)],
      labels: f.labels,
      barcodeColumn: 'dna_barcode',
      umapDims: 0,
    });
    expect(r.report).toMatchObject({ rows: f.n, n: f.n - 2, duplicates: 2 });
    expect(r.result.assignments[1]).toBe(r.result.assignments[0]);
    expect(r.result.assignments[2]).toBe(r.result.assignments[0]);
  });

  it('names the file and the option for inputs that do not fit, before clustering', async () => {
    const f = fixture();
    const e = embeddings(f.data, f.n, 4);
    const short = path.join(dir, 'short.csv');
    writeFileSync(short, 'species\na\nb\n');
    await expect(runClusterJob({ embeddings: [e], labels: short, umapDims: 0 })).rejects.toThrow(
      /short\.csv has 2 label rows but embeddings 1 has 60 embedding rows/,
    );
    await expect(
      runClusterJob({ embeddings: [e, embeddings(new Float32Array(8), 2, 4)], nClusters: 2, umapDims: 0 }),
    ).rejects.toThrow(/embeddings 2 has 2 rows but embeddings 1 has 60/);
    await expect(runClusterJob({ embeddings: [e], nClusters: 2 })).rejects.toMatchObject({
      code: 'BIOSCAN5M_USAGE',
      option: 'umapDims',
    });
    await expect(
      runClusterJob({ embeddings: [e], nClusters: 2, umapDims: 2, umap: { nNeighbors: 60 } }),
    ).rejects.toMatchObject({ code: 'BIOSCAN5M_USAGE', option: 'nNeighbors' });
    await expect(runClusterJob({ embeddings: [e], nClusters: 61, umapDims: 0 })).rejects.toMatchObject({
      code: 'BIOSCAN5M_USAGE',
      option: 'nClusters',
    });
    await expect(runClusterJob({ embeddings: [e], umapDims: 0 })).rejects.toMatchObject({ code: 'BIOSCAN5M_USAGE' });
    await expect(runClusterJob({ embeddings: [e], labelColumns: ['genus'], nClusters: 2 })).rejects.toMatchObject({
      option: 'labelColumns',
    });
  });

  it('an aborted signal stops the job between stages', async () => {
    const f = fixture();
    const ac = new AbortController();
    ac.abort();
    await expect(
      runClusterJob({
        embeddings: [embeddings(f.data, f.n, 4)],
        nClusters: 3,
        umapDims: 2,
        umap: { nNeighbors: 5 },
        signal: ac.signal,
      }),
    ).rejects.toMatchObject({ code: 'BIOSCAN5M_INTERRUPTED' });
  });
});
