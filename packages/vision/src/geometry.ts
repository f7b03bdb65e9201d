/**
 * Crop geometry of the BIOSCAN crop tool (reference.md "Cropping"): the best box enlarged by R about its centre,
 * i.e. (R-1)/2 * max(w, h) added on each side, and the size statistics stored in the metadata.
 */
import type { Box } from './types.js';

/** BIOSCAN-5M enlargement ratio of the detected box. */
export const CROP_RATIO = 1.4;
/** Side length the shorter side of cropped_256 / original_256 is resized to. */
export const RESIZE_SHORT_SIDE = 256;
/**
 * Pixel scale of the original 1024x768 BIOSCAN-5M photos: 0.1554 mm per pixel, horizontally and vertically (the
 * Keyence imaging system, paper section on cropping). Cropping keeps it; a cropped_256 pixel is
 * MM_PER_PIXEL * scale_factor. Photos from another rig need their own scale (the `mmPerPixel` arguments).
 */
export const MM_PER_PIXEL = 0.1554;
/** Plate background colour used to pad crops that leave the image. */
export const BACKGROUND_RGB: readonly [number, number, number] = [234, 242, 245];

/** Integer pixel rectangle; may extend past the image (then the outside is padded). */
export interface CropRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The enlarged crop rectangle of a tight box, rounded to whole pixels (at least 1x1). */
export function enlargedCrop(box: Box, ratio = CROP_RATIO): CropRect {
  const margin = ((ratio - 1) / 2) * Math.max(box.width, box.height);
  const left = Math.round(box.x - margin);
  const top = Math.round(box.y - margin);
  const right = Math.round(box.x + box.width + margin);
  const bottom = Math.round(box.y + box.height + margin);
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/** area_fraction = round(wc*hc / (W*H), 4) of the crop actually taken. */
export function areaFraction(crop: CropRect, imageWidth: number, imageHeight: number): number {
  return round4((crop.width * crop.height) / (imageWidth * imageHeight));
}

/** scale_factor = round(min(wc, hc) / 256, 4): original pixels per cropped_256 pixel. */
export function scaleFactor(crop: CropRect, shortSide = RESIZE_SHORT_SIDE): number {
  return round4(Math.min(crop.width, crop.height) / shortSide);
}

/** Size of the resized image whose shorter side is `shortSide` (aspect kept, sides rounded). */
export function resizedSize(
  width: number,
  height: number,
  shortSide = RESIZE_SHORT_SIDE,
): { width: number; height: number } {
  if (width <= height) return { width: shortSide, height: Math.max(1, Math.round((height * shortSide) / width)) };
  return { width: Math.max(1, Math.round((width * shortSide) / height)), height: shortSide };
}

/** Box size in millimetres at the original pixel scale. */
export function boxSizeMm(box: Box, mmPerPixel = MM_PER_PIXEL): { widthMm: number; heightMm: number } {
  return { widthMm: box.width * mmPerPixel, heightMm: box.height * mmPerPixel };
}

/** Organism area in mm² from its pixel count (image_measurement_value). */
export function pixelCountToMm2(pixelCount: number, mmPerPixel = MM_PER_PIXEL): number {
  return pixelCount * mmPerPixel * mmPerPixel;
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Clips a box to the image. */
export function clipBox<B extends Box>(box: B, width: number, height: number): B {
  const x0 = Math.min(Math.max(box.x, 0), width);
  const y0 = Math.min(Math.max(box.y, 0), height);
  const x1 = Math.min(Math.max(box.x + box.width, 0), width);
  const y1 = Math.min(Math.max(box.y + box.height, 0), height);
  return { ...box, x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
