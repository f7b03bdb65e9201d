/** `vision embed`: encode every image of a folder tree into one .npy matrix plus the file order. */
import os from 'node:os';
import { writeFileAtomic, writeNpy } from '@bioscan5m/core';
import { listImages } from './files.js';
import { decodeImage, ImageReadError } from './image.js';
import type { ImageEncoder, ProgressCallback } from './types.js';

export interface EmbedJobOptions {
  imagesDir: string;
  /** Output .npy; the file order goes to the same name with .files.txt instead of .npy. */
  out: string;
  encoder: ImageEncoder;
  onProgress?: ProgressCallback;
  onImageError?: (rel: string, message: string) => void;
  /** Images decoded ahead of the encoder. */
  concurrency?: number;
}

export interface EmbedJobSummary {
  total: number;
  embedded: number;
  dim: number;
  failed: { file: string; message: string }[];
  npy: string;
  filesTxt: string;
}

export function filesListPath(npy: string): string {
  return npy.replace(/\.npy$/i, '') + '.files.txt';
}

export async function runEmbedJob(opts: EmbedJobOptions): Promise<EmbedJobSummary> {
  const files = listImages(opts.imagesDir);
  const dim = opts.encoder.dim;
  const rows: { rel: string; v: Float32Array }[] = [];
  const failed: EmbedJobSummary['failed'] = [];
  let next = 0;
  let finished = 0;
  const lane = async () => {
    while (next < files.length) {
      const k = next++;
      const f = files[k];
      try {
        const v = await opts.encoder.encode(await decodeImage(f.path, f.rel));
        rows[k] = { rel: f.rel, v };
      } catch (err) {
        if (!(err instanceof ImageReadError)) throw err;
        failed.push({ file: f.rel, message: err.message });
        opts.onImageError?.(f.rel, err.message);
      }
      opts.onProgress?.(++finished, files.length);
    }
  };
  const lanes = Math.max(1, opts.concurrency ?? Math.min(4, os.availableParallelism()));
  await Promise.all(Array.from({ length: lanes }, lane));
  const kept = rows.filter(Boolean);
  const matrix = new Float32Array(kept.length * dim);
  kept.forEach((r, i) => matrix.set(r.v, i * dim));
  writeNpy(opts.out, matrix, [kept.length, dim]);
  const filesTxt = filesListPath(opts.out);
  writeFileAtomic(filesTxt, kept.map((r) => r.rel).join('\n') + (kept.length ? '\n' : ''));
  return { total: files.length, embedded: kept.length, dim, failed, npy: opts.out, filesTxt };
}
