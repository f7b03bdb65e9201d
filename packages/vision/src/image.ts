/** Decoding images to raw RGB with sharp, and the small pixel operations the detectors share. */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { Bioscan5mError } from '@bioscan5m/core';
import type { RgbImage } from './types.js';

/** Image file extensions the batch commands pick up. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff'];

/** An image that cannot be decoded (missing, not an image, truncated, corrupt). */
export class ImageReadError extends Bioscan5mError {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: cannot read image: ${reason}`, 'BIOSCAN5M_IMAGE');
    this.name = 'ImageReadError';
    this.file = file;
  }
}

/**
 * Decodes an image file (or bytes) to 8-bit RGB. `failOn: 'truncated'` makes libvips reject truncated JPEGs,
 * which it would otherwise pad with grey and hand back as if whole.
 */
export async function decodeImage(
  input: string | Uint8Array,
  name = typeof input === 'string' ? input : '<buffer>',
): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = typeof input === 'string' ? await readFile(input) : input;
  } catch (err) {
    throw new ImageReadError(
      name,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message,
    );
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated' })
      .rotate() // honour EXIF orientation so boxes refer to the upright photo
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (err) {
    throw new ImageReadError(name, explainDecodeFailure(bytes, (err as Error).message));
  }
}

/** libvips' message, made specific where it is vague (concurrent decodes can lose it to "Unknown error"). */
function explainDecodeFailure(bytes: Uint8Array, message: string): string {
  const msg = message.replace(/\s+/g, ' ').trim();
  const isJpeg = bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8;
  const hasEnd = bytes.length > 2 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
  if (isJpeg && !hasEnd) return `truncated JPEG (no end-of-image marker; ${bytes.length} bytes): ${msg}`;
  return msg;
}

/** Box-averages an RGB image by an integer factor (area resampling; edge remainders are dropped). */
export function downsample(image: RgbImage, factor: number): RgbImage {
  if (factor <= 1) return image;
  const w = Math.floor(image.width / factor);
  const h = Math.floor(image.height / factor);
  const out = new Uint8Array(w * h * 3);
  const src = image.data;
  const sw = image.width;
  const n = factor * factor;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < factor; dy++) {
        let i = ((y * factor + dy) * sw + x * factor) * 3;
        for (let dx = 0; dx < factor; dx++, i += 3) {
          r += src[i];
          g += src[i + 1];
          b += src[i + 2];
        }
      }
      const o = (y * w + x) * 3;
      out[o] = (r + n / 2) / n;
      out[o + 1] = (g + n / 2) / n;
      out[o + 2] = (b + n / 2) / n;
    }
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** Luminance (mean of R, G, B) as floats. */
export function luminance(image: RgbImage): Float32Array {
  const n = image.width * image.height;
  const out = new Float32Array(n);
  const d = image.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = (d[j] + d[j + 1] + d[j + 2]) / 3;
  return out;
}
