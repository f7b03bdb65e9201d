/**
 * Demo stage `cluster`: the paper's zero-shot clustering (UMAP -> Ward -> AMI against the labels) of DNA
 * embeddings (4-mer frequencies, and the DNA encoder of the dna-model stage when it ran) at four ranks, and of
 * image embeddings of the sample photos (whose only labels are their quality labels).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTableWriter, readTable, writeNpy } from '@bioscan5m/core';
import type { Matrix } from '@bioscan5m/cluster';
import { embedded } from '../data.js';
import type { DemoStage, DemoContext } from '../commands/demo-stage.js';
import type { ClusterEmbeddingResult, ClusterResult } from '../report/results.js';
import { DNA_ENCODER_FILE } from './dna-model.js';

const RANKS = ['order', 'family', 'genus', 'species'] as const;

/**
 * UMAP once, then Ward per label column with as many clusters as the column has classes (Lowe et al.'s setup:
 * each rank is scored on its own clustering), AMI of each.
 */
async function clusterOne(
  name: string,
  x: Matrix,
  labels: Record<string, string[]>,
  ctx: DemoContext,
  note?: string,
): Promise<ClusterEmbeddingResult> {
  const { zeroShotClustering } = await import('@bioscan5m/cluster');
  const umapDims = x.rows > 60 ? (ctx.quick ? 10 : 50) : 0;
  const columns = Object.keys(labels);
  const first = await zeroShotClustering({
    embeddings: [x],
    labels: { [columns[0]]: labels[columns[0]] },
    umapDims,
    umap: { nEpochs: ctx.quick ? 100 : 300, seed: 0 },
  });
  const ami: Record<string, number> = { [columns[0]]: first.metrics[columns[0]].ami };
  const clusters: number[] = [first.clusters];
  for (const c of columns.slice(1)) {
    const r = await zeroShotClustering({
      embeddings: [first.clustered],
      labels: { [c]: labels[c] },
      umapDims: 0,
      zscore: false,
    });
    ami[c] = r.metrics[c].ami;
    clusters.push(r.clusters);
  }
  ctx.log(
    `${name} (${x.dim} dims${umapDims ? `, UMAP to ${umapDims}` : ''}, Ward): ${columns.map((c, i) => `AMI ${c} ${ami[c].toFixed(3)} (${clusters[i]} clusters)`).join(', ')}`,
  );
  return {
    embedding: name,
    dims: x.dim,
    rows: first.n,
    clusters: Object.fromEntries(columns.map((c, i) => [c, clusters[i]])),
    ami,
    note,
  };
}

export const clusterStage: DemoStage = {
  name: 'cluster',
  title: 'zero-shot clustering (UMAP + Ward, AMI per rank) of DNA embeddings and of photo embeddings',
  seconds: { quick: 8, full: 25 },
  async run(ctx): Promise<ClusterResult> {
    const { kmerMatrix } = await import('@bioscan5m/cluster');
    const t = await readTable(embedded.barcodes);
    const col = (name: string) => t.header.indexOf(name);
    // Rows labelled at genus: the ranks above are then labelled too, species mostly.
    const rows = t.rows.filter((r) => r[col('genus')] && r[col('dna_barcode')]);
    const sequences = rows.map((r) => r[col('dna_barcode')]);
    const labels = Object.fromEntries(RANKS.map((rank) => [rank, rows.map((r) => r[col(rank)])]));
    const lw = createTableWriter(path.join(ctx.outDir, 'cluster-labels.csv'), ['processid', ...RANKS, 'dna_barcode']);
    for (const r of rows) lw.write([r[col('processid')], ...RANKS.map((rank) => r[col(rank)]), r[col('dna_barcode')]]);
    lw.close();
    ctx.log(`${rows.length} embedded barcodes labelled to genus; cluster-labels.csv holds their labels`);
    const results: ClusterEmbeddingResult[] = [];

    const k = kmerMatrix(sequences);
    writeNpy(path.join(ctx.outDir, 'cluster-kmer4.npy'), Float32Array.from(k.data), [k.rows, k.dim]);
    results.push(
      await clusterOne('4-mer frequencies (DNA, no training)', { data: k.data, rows: k.rows, dim: k.dim }, labels, ctx),
    );
    ctx.onProgress?.(1, 3);

    const encoderFile = path.join(ctx.outDir, DNA_ENCODER_FILE);
    if (existsSync(encoderFile)) {
      const { createDnaEncoder } = await import('@bioscan5m/dna');
      const enc = await createDnaEncoder({ kind: 'checkpoint', checkpoint: encoderFile });
      try {
        const e = await enc.embed(sequences);
        writeNpy(path.join(ctx.outDir, 'cluster-dna-encoder.npy'), e.data, [e.rows, e.dim]);
        results.push(
          await clusterOne(
            'DNA encoder (ours, dna-model stage)',
            { data: e.data, rows: e.rows, dim: e.dim },
            labels,
            ctx,
          ),
        );
      } finally {
        await enc.dispose();
      }
    } else ctx.log(`no ${DNA_ENCODER_FILE} (the dna-model stage did not run): the learned DNA embedding is left out`);
    ctx.onProgress?.(2, 3);

    const v = await import('@bioscan5m/vision');
    const man = await readTable(path.join(embedded.images, 'manifest.csv'));
    const encoder = await v.createImageEncoder({ kind: 'descriptor' });
    let img;
    try {
      // The encoder takes image paths (ImageInput) and returns one row per image.
      img = await encoder.embed(man.rows.map((r) => path.join(embedded.images, r[man.header.indexOf('file_name')])));
    } finally {
      await encoder.dispose();
    }
    writeNpy(path.join(ctx.outDir, 'cluster-images.npy'), img.data, [img.rows, img.dim]);
    results.push(
      await clusterOne(
        'image descriptor (sample photos)',
        img,
        { quality: man.rows.map((r) => r[man.header.indexOf('quality_label')]) },
        ctx,
        'the 16 sample photos carry no taxonomy: scored against their quality labels',
      ),
    );
    ctx.onProgress?.(3, 3);
    const result = { results };
    writeFileSync(path.join(ctx.outDir, 'cluster-metrics.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  },
};
