/** Image encoders for embeddings: a weight-free descriptor baseline and ONNX exports (ViT, DINO, CLIP ...). */
import { Bioscan5mError } from '@bioscan5m/core';
import { createSession, IMAGENET_MEAN, IMAGENET_STD, ort, resizeRaw, staticInputSize, toNchw } from './onnx.js';
import type { ImageEncoder, RgbImage } from './types.js';

const SIDE = 128;
const CELL = 16;
const ORIENTATIONS = 9;
const HIST_BINS = 4;
const GRID = 4;

/**
 * Weight-free baseline: a Hellinger-normalised RGB colour histogram (4x4x4), a 4x4 grid of mean colours and
 * HOG-style gradient-orientation histograms (8x8 cells of 16 px, 9 unsigned bins, L2 per cell) of the image
 * resized to 128x128. Meant for cropped_256 images; a reference point for learned encoders.
 */
export class DescriptorEncoder implements ImageEncoder {
  readonly name = 'descriptor';
  readonly dim = HIST_BINS ** 3 + GRID * GRID * 3 + (SIDE / CELL) ** 2 * ORIENTATIONS;

  async encode(image: RgbImage): Promise<Float32Array> {
    const img = image.width === SIDE && image.height === SIDE ? image : await resizeRaw(image, SIDE, SIDE, 'fill');
    return describe(img);
  }
}

/** The descriptor of a 128x128 RGB image (pure). */
export function describe(img: RgbImage): Float32Array {
  const out = new Float32Array(HIST_BINS ** 3 + GRID * GRID * 3 + (SIDE / CELL) ** 2 * ORIENTATIONS);
  const { data } = img;
  const n = SIDE * SIDE;
  // Colour histogram.
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const b = ((data[j] * HIST_BINS) >> 8) * HIST_BINS * HIST_BINS + ((data[j + 1] * HIST_BINS) >> 8) * HIST_BINS + ((data[j + 2] * HIST_BINS) >> 8);
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

export interface OnnxEncoderOptions {
  /** Square input side; default: the export's static size, else 224. */
  size?: number;
  mean?: readonly number[];
  std?: readonly number[];
  /** Output to read; default: the first. */
  outputName?: string;
  /** For [1,T,D] outputs: the CLS token (default) or the mean over tokens. */
  pooling?: 'cls' | 'mean';
  /** L2-normalise the embedding (default true, as for cosine / inner-product search). */
  normalize?: boolean;
  threads?: number;
}

/** Preset normalisations for common exports. */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** An image encoder from an ONNX export: shorter side resized and centre-cropped to a square, then normalised. */
export class OnnxImageEncoder implements ImageEncoder {
  readonly name: string;
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly size: number,
    readonly dim: number,
    private readonly opts: OnnxEncoderOptions,
    modelPath: string,
  ) {
    this.name = `onnx:${modelPath}`;
  }

  static async load(modelPath: string, options: OnnxEncoderOptions = {}): Promise<OnnxImageEncoder> {
    const session = await createSession(modelPath, options.threads);
    const inputName = session.inputNames[0];
    const outputName = options.outputName ?? session.outputNames[0];
    if (!session.outputNames.includes(outputName)) {
      throw new Bioscan5mError(`${modelPath}: no output '${outputName}' (outputs: ${session.outputNames.join(', ')})`);
    }
    const fixed = staticInputSize(session, inputName);
    const size = options.size ?? fixed?.width ?? 224;
    const probe = new OnnxImageEncoder(session, inputName, outputName, size, 0, options, modelPath);
    // One dry run on a blank image fixes the embedding width.
    const blank: RgbImage = { data: new Uint8Array(size * size * 3).fill(128), width: size, height: size, channels: 3 };
    const dim = (await probe.encode(blank)).length;
    return new OnnxImageEncoder(session, inputName, outputName, size, dim, options, modelPath);
  }

  async encode(image: RgbImage): Promise<Float32Array> {
    const resized = await resizeRaw(image, this.size, this.size, 'cover');
    const res = await this.session.run({ [this.inputName]: toNchw(resized, this.opts.mean ?? IMAGENET_MEAN, this.opts.std ?? IMAGENET_STD) });
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
    } else if (t.dims.length === 4) v = Float32Array.from(data); // [1,C,1,1] pooled CNN features
    else throw new Bioscan5mError(`${this.name}: unsupported output shape ${JSON.stringify(t.dims)}`);
    if (this.opts.normalize ?? true) {
      let s = 0;
      for (const x of v) s += x * x;
      const norm = Math.sqrt(s) || 1;
      for (let i = 0; i < v.length; i++) v[i] /= norm;
    }
    return v;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
