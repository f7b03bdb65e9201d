/** Cropping and resizing as the BIOSCAN crop tool does, with sharp (libvips). */
import sharp from 'sharp';
import {
  BACKGROUND_RGB,
  CROP_RATIO,
  RESIZE_SHORT_SIDE,
  areaFraction,
  enlargedCrop,
  resizedSize,
  scaleFactor,
  type CropRect,
} from './geometry.js';
import type { Box, RgbImage } from './types.js';

export interface CropOptions {
  /** Enlargement ratio of the tight box (BIOSCAN-5M: 1.4). */
  ratio?: number;
  /** Shorter side of the resized outputs (256). */
  shortSide?: number;
  /** Padding colour where the enlarged box leaves the image. */
  background?: readonly [number, number, number];
  /** JPEG quality of the written crops. */
  quality?: number;
}

export interface CropResult {
  /** The enlarged crop rectangle in original pixels (may extend past the image; that part is padded). */
  rect: CropRect;
  areaFraction: number;
  scaleFactor: number;
  /** JPEG of the full-resolution crop. */
  cropped: Buffer;
  /** JPEG of the crop resized to shorter side 256. */
  cropped256: Buffer;
}

function rawInput(image: RgbImage) {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Raw pixels of the enlarged crop, padded with the background colour outside the image. */
export async function extractPadded(
  image: RgbImage,
  rect: CropRect,
  background: readonly [number, number, number] = BACKGROUND_RGB,
): Promise<RgbImage> {
  const x0 = Math.max(0, rect.left);
  const y0 = Math.max(0, rect.top);
  const x1 = Math.min(image.width, rect.left + rect.width);
  const y1 = Math.min(image.height, rect.top + rect.height);
  const bg = { r: background[0], g: background[1], b: background[2] };
  let pipeline;
  if (x1 <= x0 || y1 <= y0) {
    // Entirely outside the photo: all padding.
    pipeline = sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: bg } });
  } else {
    pipeline = rawInput(image)
      .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
      .extend({
        left: x0 - rect.left,
        top: y0 - rect.top,
        right: rect.left + rect.width - x1,
        bottom: rect.top + rect.height - y1,
        background: bg,
      });
  }
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: 3,
  };
}

/** Resizes so the shorter side is `shortSide` (Lanczos, as PIL's default for BIOSCAN's resize tool). */
export async function resizeShortSide(image: RgbImage, shortSide = RESIZE_SHORT_SIDE, quality = 90): Promise<Buffer> {
  const size = resizedSize(image.width, image.height, shortSide);
  return rawInput(image)
    .resize(size.width, size.height, { kernel: 'lanczos3', fit: 'fill' })
    .jpeg({ quality })
    .toBuffer();
}

export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  return rawInput(image).jpeg({ quality }).toBuffer();
}

/** Crops a specimen: enlarged box, background padding, full-resolution and shorter-side-256 JPEGs, and the stats. */
export async function cropSpecimen(image: RgbImage, box: Box, opts: CropOptions = {}): Promise<CropResult> {
  const rect = enlargedCrop(box, opts.ratio ?? CROP_RATIO);
  const quality = opts.quality ?? 90;
  const crop = await extractPadded(image, rect, opts.background ?? BACKGROUND_RGB);
  const [cropped, cropped256] = await Promise.all([
    encodeJpeg(crop, quality),
    resizeShortSide(crop, opts.shortSide ?? RESIZE_SHORT_SIDE, quality),
  ]);
  return {
    rect,
    areaFraction: areaFraction(rect, image.width, image.height),
    scaleFactor: scaleFactor(rect, opts.shortSide ?? RESIZE_SHORT_SIDE),
    cropped,
    cropped256,
  };
}
