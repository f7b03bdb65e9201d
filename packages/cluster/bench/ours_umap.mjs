// Ours: umap-js through umapReduce (50 dims, 30 neighbours, min_dist 0), then Ward + AMI. Usage: node ours_umap.mjs DATA DIMS
import { readFileSync } from 'node:fs';
import { readNpy } from '@bioscan5m/core';
import { clusteringScores, umapReduce, wardClustering } from '../dist/index.js';

const [data, dims] = process.argv.slice(2);
const npy = readNpy(`${data}.npy`);
const y = readFileSync(`${data}_labels.csv`, 'utf8').trim().split('\n').slice(1).map(Number);
const t0 = performance.now();
const e = await umapReduce(
  { data: npy.data, rows: npy.shape[0], dim: npy.shape[1] },
  { nComponents: Number(dims), seed: 0 },
);
const t1 = performance.now();
const { labels } = wardClustering(e, { nClusters: new Set(y).size });
console.log(JSON.stringify({ umap: (t1 - t0) / 1000, ami: clusteringScores(y, labels).ami }));
