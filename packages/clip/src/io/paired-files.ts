/** Writes a paired set as the files the CLI reads: LABELS.csv (ranks + split) and one .npy per modality. */
import path from 'node:path';
import { createTableWriter, type Modality } from '@bioscan5m/core';
import type { PairedFeatures } from '../train/paired-data.js';
import { writeEmbeddingsNpy } from './embeddings-file.js';

export interface PairedFiles {
  labels: string;
  features: Partial<Record<Modality, string>>;
}

export function writePairedFiles(p: PairedFeatures, dir: string, prefix: string): PairedFiles {
  const ranks = Object.keys(p.labels);
  const labels = path.join(dir, `${prefix}-labels.csv`);
  const w = createTableWriter(labels, [...ranks, 'split']);
  try {
    for (let i = 0; i < p.rows; i++) w.write([...ranks.map((r) => p.labels[r][i]), p.split[i]]);
    w.close();
  } catch (err) {
    w.abort();
    throw err;
  }
  const features: PairedFiles['features'] = {};
  for (const [m, e] of Object.entries(p.features) as [Modality, NonNullable<PairedFeatures['features'][Modality]>][]) {
    features[m] = path.join(dir, `${prefix}-${m}.npy`);
    writeEmbeddingsNpy(features[m]!, e);
  }
  return { labels, features };
}
