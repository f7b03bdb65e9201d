/**
 * Image encoders behind core's one embedding contract (Encoder): a weight-free descriptor baseline and ONNX
 * exports (ViT, DINO, CLIP ...). `createImageEncoder(spec)` is the factory, beside createDetector.
 */
import { Bioscan5mError, embeddings, type Embeddings, type Encoder } from '@bioscan5m/core';
import { decodeImage } from './image.js';
import {
  createSession,
  IMAGENET_MEAN,
  IMAGENET_STD,
  resizeRaw,
  staticInputSize,
  toNchw,
  type OnnxSession,
} from './onnx.js';
import type { RgbImage } from './types.js';

/** What an image encoder embeds: a decoded image, or the path of an image file (decoded with decodeImage). */
export type ImageInput = RgbImage | string;

/** Options of an ONNX image encoder (`createImageEncoder({ kind: 'onnx', model, ...options })`). */
export interface OnnxImageEncoderOptions {
  /** Square input side; default: the export's static size, else 224. */
  size?: number;
  /** Input normalisation; default ImageNet's (IMAGENET_MEAN/STD; CLIP exports want CLIP_MEAN/STD). */
  mean?: readonly number[];
  std?: readonly number[];
  /** Output to read; default: the first. */
  outputName?: string;
  /** For [1,T,D] outputs: the CLS token (default) or the mean over tokens. */
  pooling?: 'cls' | 'mean';
  /** L2-normalise the embedding (default true, as for cosine / inner-product search). */
  normalize?: boolean;
  /** onnxruntime intra-op threads (default 1). */
  threads?: number;
}

export type ImageEncoderSpec =
  /** The weight-free colour + gradient descriptor (a baseline for learned encoders). */
  | { kind: 'descriptor' }
  /** An ONNX image encoder export (file path). */
  | ({ kind: 'onnx'; model: string } & OnnxImageEncoderOptions);

/** Builds an image encoder (core's Encoder): the descriptor baseline, or an ONNX export run by onnxruntime-node. */
export async function createImageEncoder(spec: ImageEncoderSpec): Promise<Encoder<ImageInput>> {
  if (spec.kind === 'descriptor') return new DescriptorEncoder();
  if (spec.kind === 'onnx') {
    const { kind: _kind, model, ...options } = spec;
    return OnnxImageEncoder.load(model, options);
  }
  throw new Bioscan5mError(
    `unknown image encoder kind '${String((spec as { kind: unknown }).kind)}' (expected 'descriptor' or 'onnx')`,
    'BIOSCAN5M_USAGE',
  );
}

const decoded = (input: ImageInput): Promise<RgbImage> =>
  typeof input === 'string' ? decodeImage(input) : Promise.resolve(input);

/** Runs a one-image encoder over a batch, in order, into one Embeddings matrix. */
async function embedEach(
  batch: readonly ImageInput[],
  dim: number,
  encodeOne: (image: RgbImage) => Promise<Float32Array>,
): Promise<Embeddings> {
  const data = new Float32Array(batch.length * dim);
  for (let i = 0; i < batch.length; i++) data.set(await encodeOne(await decoded(batch[i])), i * dim);
  return embeddings(data, batch.length, dim);
}

const SIDE = 128;
const CELL = 16;
const ORIENTATIONS = 9;
const HIST_BINS = 4;
const GRID = 4;
const DESCRIPTOR_DIM = HIST_BINS ** 3 + GRID * GRID * 3 + (SIDE / CELL) ** 2 * ORIENTATIONS;

/**
 * Weight-free baseline: a Hellinger-normalised RGB colour histogram (4x4x4), a 4x4 grid of mean colours and
 * HOG-style gradient-orientation histograms (8x8 cells of 16 px, 9 unsigned bins, L2 per cell) of the image
 * resized to 128x128. Meant for cropped_256 images; a reference point for learned encoders.
 */
class DescriptorEncoder implements Encoder<ImageInput> {
  readonly name = 'descriptor';
  readonly modality = 'image' as const;
  readonly dim = DESCRIPTOR_DIM;

  embed(batch: readonly ImageInput[]): Promise<Embeddings> {
    return embedEach(batch, this.dim, async (image) =>
      describe(image.width === SIDE && image.height === SIDE ? image : await resizeRaw(image, SIDE, SIDE, 'fill')),
    );
  }

  async dispose(): Promise<void> {}
}

/** The descriptor of a 128x128 RGB image (pure). */
export function describe(img: RgbImage): Float32Array {
  const out = new Float32Array(DESCRIPTOR_DIM);
  const { data } = img;
  const n = SIDE * SIDE;
  // Colour histogram.
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const b =
      ((data[j] * HIST_BINS) >> 8) * HIST_BINS * HIST_BINS +
      ((data[j + 1] * HIST_BINS) >> 8) * HIST_BINS +
      ((data[j + 2] * HIST_BINS) >> 8);
    out[b] += 1 / n;
  }
  for (let k = 0; k < HIST_BINS ** 3; k++) out[k] = Math.sqrt(out[k]);
  // Grid of mean colours.
  let off = HIST_BINS ** 3;
  const g = SIDE / GRID;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const j = (y * SIDE + x) * 3;
      const cell = off + (Math.floor(y / g) * GRID + Math.floor(x / g)) * 3;
      out[cell] += data[j] / 255 / (g * g);
      out[cell + 1] += data[j + 1] / 255 / (g * g);
      out[cell + 2] += data[j + 2] / 255 / (g * g);
    }
  }
  off += GRID * GRID * 3;
  // HOG-style cells on luminance.
  const lum = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) lum[i] = (data[j] + data[j + 1] + data[j + 2]) / 765;
  const cells = SIDE / CELL;
  for (let y = 1; y < SIDE - 1; y++) {
    for (let x = 1; x < SIDE - 1; x++) {
      const gx = lum[y * SIDE + x + 1] - lum[y * SIDE + x - 1];
      const gy = lum[(y + 1) * SIDE + x] - lum[(y - 1) * SIDE + x];
      const mag = Math.hypot(gx, gy);
      if (mag === 0) continue;
      let ang = Math.atan2(gy, gx);
      if (ang < 0) ang += Math.PI;
      const bin = Math.min(ORIENTATIONS - 1, Math.floor((ang / Math.PI) * ORIENTATIONS));
      out[off + (Math.floor(y / CELL) * cells + Math.floor(x / CELL)) * ORIENTATIONS + bin] += mag;
    }
  }
  for (let c = 0; c < cells * cells; c++) {
    let s = 0;
    for (let k = 0; k < ORIENTATIONS; k++) s += out[off + c * ORIENTATIONS + k] ** 2;
    const norm = Math.sqrt(s) + 1e-6;
    for (let k = 0; k < ORIENTATIONS; k++) out[off + c * ORIENTATIONS + k] /= norm;
  }
  return out;
}

/** Preset normalisations for common exports. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** An image encoder from an ONNX export: shorter side resized and centre-cropped to a square, then normalised. */
class OnnxImageEncoder implements Encoder<ImageInput> {
  readonly name: string;
  readonly modality = 'image' as const;
  private released = false;
  private constructor(
    private readonly onnx: OnnxSession,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly size: number,
    readonly dim: number,
    private readonly opts: OnnxImageEncoderOptions,
    modelPath: string,
  ) {
    this.name = `onnx:${modelPath}`;
  }

  static async load(modelPath: string, options: OnnxImageEncoderOptions = {}): Promise<OnnxImageEncoder> {
    const onnx = await createSession(modelPath, options.threads);
    const { session } = onnx;
    const inputName = session.inputNames[0];
    const outputName = options.outputName ?? session.outputNames[0];
    if (!session.outputNames.includes(outputName)) {
      await session.release();
      throw new Bioscan5mError(
        `${modelPath}: no output '${outputName}' (outputs: ${session.outputNames.join(', ')})`,
        'BIOSCAN5M_USAGE',
      );
    }
    const fixed = staticInputSize(session, inputName);
    const size = options.size ?? fixed?.width ?? 224;
    const probe = new OnnxImageEncoder(onnx, inputName, outputName, size, 0, options, modelPath);
    // One dry run on a blank image fixes the embedding width.
    const blank: RgbImage = { data: new Uint8Array(size * size * 3).fill(128), width: size, height: size, channels: 3 };
    const dim = (await probe.encodeOne(blank)).length;
    return new OnnxImageEncoder(onnx, inputName, outputName, size, dim, options, modelPath);
  }

  embed(batch: readonly ImageInput[]): Promise<Embeddings> {
    // One image per run: exports often fix the batch dimension at 1.
    return embedEach(batch, this.dim, (image) => this.encodeOne(image));
  }

  private async encodeOne(image: RgbImage): Promise<Float32Array> {
    if (this.released) throw new Bioscan5mError(`${this.name}: encoder used after dispose()`);
    const resized = await resizeRaw(image, this.size, this.size, 'cover');
    const input = toNchw(this.onnx.ort, resized, this.opts.mean ?? IMAGENET_MEAN, this.opts.std ?? IMAGENET_STD);
    const res = await this.onnx.session.run({ [this.inputName]: input });
    const t = res[this.outputName];
    const data = t.data as Float32Array;
    let v: Float32Array;
    if (t.dims.length === 2) v = Float32Array.from(data.subarray(0, Number(t.dims[1])));
    else if (t.dims.length === 3) {
      const tokens = Number(t.dims[1]);
      const d = Number(t.dims[2]);
      if ((this.opts.pooling ?? 'cls') === 'cls') v = Float32Array.from(data.subarray(0, d));
      else {
        v = new Float32Array(d);
        for (let k = 0; k < tokens; k++) for (let i = 0; i < d; i++) v[i] += data[k * d + i] / tokens;
      }
    } else if (t.dims.length === 4)
      v = Float32Array.from(data); // [1,C,1,1] pooled CNN features
    else
      throw new Bioscan5mError(`${this.name}: unsupported output shape ${JSON.stringify(t.dims)}`, 'BIOSCAN5M_INPUT');
    if (this.dim && v.length !== this.dim)
      throw new Bioscan5mError(`${this.name}: output of ${v.length} values, expected ${this.dim}`, 'BIOSCAN5M_INPUT');
    if (this.opts.normalize ?? true) {
      let s = 0;
      for (const x of v) s += x * x;
      const norm = Math.sqrt(s) || 1;
      for (let i = 0; i < v.length; i++) v[i] /= norm;
    }
    return v;
  }

  async dispose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.onnx.session.release();
  }
}
