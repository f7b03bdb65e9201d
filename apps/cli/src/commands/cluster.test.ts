import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeNpy } from '@bioscan5m/core';
import { clusteringScores, wardClustering } from '@bioscan5m/cluster';
import { runCli as run } from '../test-support.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-cluster-'));

/** Three groups of points in 4-d, labels with one blank. */
function fixture() {
  const n = 60;
  const data = new Float32Array(n * 4);
  const species: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % 3;
    species.push(i === 5 ? '' : `sp${g}`);
    for (let j = 0; j < 4; j++) data[i * 4 + j] = (j === g ? 10 : 0) + Math.sin(i * 3.7 + j * 1.3);
  }
  const npy = path.join(dir, 'emb.npy');
  writeNpy(npy, data, [n, 4]);
  const labels = path.join(dir, 'labels.csv');
  writeFileSync(labels, `id,species,genus\n${species.map((s, i) => `r${i},${s},G${i % 2}`).join('\n')}\n`);
  return { npy, labels, data, species, n };
}

afterEach(() => vi.restoreAllMocks());

describe('bioscan5m cluster', () => {
  it('clusters .npy embeddings, writes one cluster per row and prints sklearn-exact metrics as JSON', async () => {
    const f = fixture();
    const assign = path.join(dir, 'assign.csv');
    const reduced = path.join(dir, 'reduced.npy');
    const r = await run([
      'cluster',
      '--embeddings',
      f.npy,
      '--labels',
      f.labels,
      '--label-column',
      'species',
      '--label-column',
      'genus',
      '--umap',
      '0',
      '--out',
      assign,
      '--save-reduced',
      reduced,
      '--json',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.n).toBe(f.n);
    expect(report.clusters).toBe(3); // classes of the first label column (blank excluded)
    expect(typeof report.seconds).toBe('number');
    const lines = readFileSync(assign, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('cluster');
    expect(lines.length).toBe(f.n + 1);
    const assignments = lines.slice(1).map(Number);
    const direct = wardClustering({ data: f.data, rows: f.n, dim: 4 }, { nClusters: 3 });
    expect(assignments).toEqual(Array.from(direct.labels));
    const keep = f.species.map((s, i) => i).filter((i) => f.species[i] !== '');
    const want = clusteringScores(
      keep.map((i) => f.species[i]),
      keep.map((i) => assignments[i]),
    );
    expect(report.metrics.species).toMatchObject({
      classes: 3,
      ami: want.ami,
      ari: want.ari,
      nmi: want.nmi,
      n: f.n - 1,
      unlabelled: 1,
    });
    expect(report.metrics.species.ami).toBeCloseTo(1, 12);
    // The saved matrix re-clusters to the same partition.
    const again = await run([
      'cluster',
      '--embeddings',
      reduced,
      '--n-clusters',
      '3',
      '--umap',
      '0',
      '--out',
      path.join(dir, 'again.csv'),
      '--quiet',
    ]);
    expect(again.code).toBe(0);
    expect(readFileSync(path.join(dir, 'again.csv'), 'utf8')).toBe(readFileSync(assign, 'utf8'));
    expect(Object.keys(report.metrics.genus).sort()).toEqual([
      'ami',
      'ari',
      'classes',
      'completeness',
      'homogeneity',
      'n',
      'nmi',
      'unlabelled',
      'vMeasure',
    ]);
  });

  it('fails with a clear message when labels and embeddings do not align', async () => {
    const f = fixture();
    const short = path.join(dir, 'short.csv');
    writeFileSync(short, 'species\na\nb\n');
    const r = await run(['cluster', '--embeddings', f.npy, '--labels', short, '--umap', '0']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/short\.csv has 2 label rows but .*emb\.npy has 60 embedding rows/);
    expect(r.err).not.toMatch(/at .*\.js/);
    const r2 = await run([
      'cluster',
      '--embeddings',
      f.npy,
      '--labels',
      f.labels,
      '--label-column',
      'family',
      '--umap',
      '0',
    ]);
    expect(r2.code).toBe(1);
    expect(r2.err).toMatch(/family/);
    const r3 = await run(['cluster', '--embeddings', f.npy, '--umap', 'x']);
    expect(r3.code).toBe(2);
    expect(r3.err).toContain("option '--umap <dims>' argument 'x' is invalid. expected an integer >= 0");
  });
});
