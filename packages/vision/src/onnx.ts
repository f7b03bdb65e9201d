/** Shared onnxruntime-node plumbing: sessions, and image -> normalised NCHW tensors. */
import { existsSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { Bioscan5mError } from '@bioscan5m/core';
import { loadOrt, type Ort } from './engines.js';
import type { RgbImage } from './types.js';

/** An ONNX session with the onnxruntime module it came from (to build its input tensors). */
export interface OnnxSession {
  ort: Ort;
  session: InferenceSession;
}

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

export async function createSession(modelPath: string, threads?: number): Promise<OnnxSession> {
  if (!existsSync(modelPath)) throw new Bioscan5mError(`${modelPath}: ONNX model not found`, 'BIOSCAN5M_IO');
  const ort = await loadOrt();
  try {
    const session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return { ort, session };
  } catch (err) {
    throw new Bioscan5mError(`${modelPath}: cannot load ONNX model: ${(err as Error).message}`, 'BIOSCAN5M_INPUT');
  }
}

/** Fixed spatial size of a model input [N,3,H,W], or undefined where the export leaves it dynamic. */
export function staticInputSize(
  session: InferenceSession,
  inputName: string,
): { width: number; height: number } | undefined {
  const meta = (session as unknown as { inputMetadata?: { name: string; shape?: (number | string)[] }[] })
    .inputMetadata;
  const m = Array.isArray(meta) ? meta.find((x) => x.name === inputName) : undefined;
  const shape = m?.shape;
  if (
    shape &&
    shape.length === 4 &&
    typeof shape[2] === 'number' &&
    typeof shape[3] === 'number' &&
    shape[2] > 0 &&
    shape[3] > 0
  ) {
    return { height: shape[2], width: shape[3] };
  }
  return undefined;
}

/** Raw RGB resized to exactly width x height (fill) or with the shorter side to `size` and a centre crop. */
export async function resizeRaw(
  image: RgbImage,
  width: number,
  height: number,
  mode: 'fill' | 'cover' = 'fill',
): Promise<RgbImage> {
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: mode, kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: 3,
  };
}

/** HWC uint8 -> NCHW float32, (x/255 - mean) / std. */
export function toNchw(
  ort: Ort,
  image: RgbImage,
  mean: readonly number[] = IMAGENET_MEAN,
  std: readonly number[] = IMAGENET_STD,
): Tensor {
  const { width: w, height: h, data } = image;
  const plane = w * h;
  const out = new Float32Array(3 * plane);
  for (let i = 0, j = 0; i < plane; i++, j += 3) {
    out[i] = (data[j] / 255 - mean[0]) / std[0];
    out[plane + i] = (data[j + 1] / 255 - mean[1]) / std[1];
    out[2 * plane + i] = (data[j + 2] / 255 - mean[2]) / std[2];
  }
  return new ort.Tensor('float32', out, [1, 3, h, w]);
}
