// Ours: wardClustering + clusteringScores (all six metrics) on DATA.npy. Usage: node ours_ward.mjs DATA LABELS_OUT
import { readFileSync, writeFileSync } from 'node:fs';
import { readNpy } from '@bioscan5m/core';
import { clusteringScores, wardClustering } from '../dist/index.js';

const [data, labelsOut] = process.argv.slice(2);
const npy = readNpy(`${data}.npy`);
const y = readFileSync(`${data}_labels.csv`, 'utf8').trim().split('\n').slice(1).map(Number);
const k = new Set(y).size;
const t0 = performance.now();
const { labels } = wardClustering({ data: npy.data, rows: npy.shape[0], dim: npy.shape[1] }, { nClusters: k });
const t1 = performance.now();
const s = clusteringScores(y, labels);
const t2 = performance.now();
writeFileSync(labelsOut, `${Array.from(labels).join('\n')}\n`);
console.log(JSON.stringify({ ward: (t1 - t0) / 1000, ami_seconds: (t2 - t1) / 1000, ami: s.ami, clusters: k }));
