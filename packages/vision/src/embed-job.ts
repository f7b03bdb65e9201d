/**
 * runImageEmbedJob (`vision embed`): encode every image of a folder tree into one .npy matrix plus the file order.
 * Finished vectors are checkpointed as they come (X.npy.partial.f32 + X.npy.partial.txt), so a killed run over
 * millions of images resumes where it stopped; the .npy and .files.txt are written atomically at the end.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import {
  checkOutputPaths,
  throwIfAborted,
  UsageError,
  writeFileAtomic,
  writeNpy,
  type Encoder,
  type JobControl,
} from '@bioscan5m/core';
import { createImageEncoder, type ImageEncoderSpec, type ImageInput } from './encoders.js';
import { listImages } from './files.js';
import { decodeImage, ImageReadError } from './image.js';

export interface ImageEmbedJobOptions extends JobControl {
  imagesDir: string;
  /** Output .npy; the file order goes to the same name with .files.txt instead of .npy. */
  out: string;
  /** An encoder spec (created and disposed by the job) or an encoder of yours (left open). Default: descriptor. */
  encoder?: ImageEncoderSpec | Encoder<ImageInput>;
  /** Called for each image that cannot be read; the job carries on. */
  onImageError?: (rel: string, message: string) => void;
  /** Images decoded ahead of the encoder. */
  concurrency?: number;
}

export interface ImageEmbedJobSummary {
  /** The encoder's name. */
  encoder: string;
  total: number;
  embedded: number;
  /** Vectors taken over from an interrupted earlier run. */
  resumed: number;
  dim: number;
  failed: { file: string; message: string }[];
  npy: string;
  filesTxt: string;
}

export function filesListPath(npy: string): string {
  return npy.replace(/\.npy$/i, '') + '.files.txt';
}

/** Vectors of an interrupted run with the same encoder: complete lines of the list with complete vectors. */
function loadCheckpoint(bin: string, list: string, header: string, dim: number): Map<string, Float32Array> {
  const done = new Map<string, Float32Array>();
  if (!existsSync(bin) || !existsSync(list)) return done;
  const lines = readFileSync(list, 'utf8').split('\n');
  if (lines[0] !== header) return done; // another encoder: start over
  const names = lines.slice(1, -1); // the last element is '' or a cut line
  const bytes = readFileSync(bin);
  const n = Math.min(names.length, Math.floor(bytes.byteLength / (4 * dim)));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * dim * 4));
  for (let i = 0; i < n; i++) done.set(names[i], data.slice(i * dim, (i + 1) * dim));
  return done;
}

const isEncoder = (e: unknown): e is Encoder<ImageInput> => typeof (e as Encoder<ImageInput>)?.embed === 'function';

export async function runImageEmbedJob(opts: ImageEmbedJobOptions): Promise<ImageEmbedJobSummary> {
  if (!/\.npy$/i.test(opts.out))
    throw new UsageError(`expected a file name ending in .npy, got '${opts.out}'`, '--out');
  checkOutputPaths({ inputs: { images: opts.imagesDir }, outputs: { out: opts.out, files: filesListPath(opts.out) } });
  const files = listImages(opts.imagesDir);
  const given = opts.encoder ?? { kind: 'descriptor' };
  const encoder = isEncoder(given) ? given : await createImageEncoder(given);
  try {
    return await embedFiles(opts, files, encoder);
  } finally {
    if (!isEncoder(given)) await encoder.dispose();
  }
}

async function embedFiles(
  opts: ImageEmbedJobOptions,
  files: ReturnType<typeof listImages>,
  encoder: Encoder<ImageInput>,
): Promise<ImageEmbedJobSummary> {
  const dim = encoder.dim;
  const bin = `${opts.out}.partial.f32`;
  const list = `${opts.out}.partial.txt`;
  const header = `# ${encoder.name} dim=${dim}`;
  const vectors = loadCheckpoint(bin, list, header, dim);
  const resumed = vectors.size;
  // Rewrite the checkpoint to exactly what was kept, then append.
  const kept = [...vectors.entries()];
  mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  writeFileSync(list, header + '\n' + kept.map(([k]) => k + '\n').join(''));
  writeFileSync(bin, new Uint8Array(0));
  for (const [, v] of kept) appendFileSync(bin, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  if (statSync(bin).size !== kept.length * dim * 4) truncateSync(bin, kept.length * dim * 4);

  const todo = files.filter((f) => !vectors.has(f.rel));
  const failed: ImageEmbedJobSummary['failed'] = [];
  let next = 0;
  let finished = resumed;
  opts.onProgress?.(finished, files.length);
  const lane = async () => {
    while (next < todo.length) {
      throwIfAborted(opts.signal);
      const f = todo[next++];
      try {
        const v = (await encoder.embed([await decodeImage(f.path, f.rel)])).data;
        vectors.set(f.rel, v);
        // Vector first, then its name: a name in the list always has its vector.
        appendFileSync(bin, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
        appendFileSync(list, f.rel + '\n');
      } catch (err) {
        if (!(err instanceof ImageReadError)) throw err;
        failed.push({ file: f.rel, message: err.message });
        opts.onImageError?.(f.rel, err.message);
      }
      opts.onProgress?.(++finished, files.length);
    }
  };
  const lanes = Math.max(1, opts.concurrency ?? Math.min(4, os.availableParallelism()));
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } catch (err) {
    // Nothing finished: no checkpoint worth keeping for a resume.
    if (vectors.size === 0) for (const f of [bin, list]) rmSync(f, { force: true });
    throw err;
  }
  // Rows in file order (sorted relative paths), whatever order they finished in.
  const rows = files.filter((f) => vectors.has(f.rel));
  const matrix = new Float32Array(rows.length * dim);
  rows.forEach((f, i) => matrix.set(vectors.get(f.rel)!, i * dim));
  writeNpy(opts.out, matrix, [rows.length, dim]);
  const filesTxt = filesListPath(opts.out);
  writeFileAtomic(filesTxt, rows.map((r) => r.rel).join('\n') + (rows.length ? '\n' : ''));
  rmSync(bin, { force: true });
  rmSync(list, { force: true });
  return {
    encoder: encoder.name,
    total: files.length,
    embedded: rows.length,
    resumed,
    dim,
    failed,
    npy: opts.out,
    filesTxt,
  };
}
