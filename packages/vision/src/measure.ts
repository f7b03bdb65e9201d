/** Organism size from a detector's output: the mask's pixel count, or a segmentation inside a box-only detection. */
import { analyseSpecimen, DEFAULT_BUILTIN_PARAMS, type BuiltinDetectorParams } from './builtin-detector.js';
import type { Box, Detection, RgbImage } from './types.js';

/**
 * image_measurement_value: organism pixel count in original pixels. Detectors that segment (the built-in one)
 * give it directly; for box-only detectors (DETR exports) the built-in segmentation is counted inside the box.
 */
export function measureOrganism(
  image: RgbImage,
  detection: Detection,
  params: Partial<BuiltinDetectorParams> = {},
): number | undefined {
  const best = detection.boxes[0];
  if (!best) return undefined;
  if (detection.mask) return detection.mask.pixelCount;
  return segmentedPixelsInBox(image, best, params);
}

/** Pixels of the built-in foreground map (components with a core) inside `box`, in original pixels. */
export function segmentedPixelsInBox(image: RgbImage, box: Box, params: Partial<BuiltinDetectorParams> = {}): number {
  const p = { ...DEFAULT_BUILTIN_PARAMS, ...params };
  const a = analyseSpecimen(image, p);
  const s = p.workScale;
  const { width: w, height: h } = a.work;
  const alive = new Uint8Array(a.components.length + 2);
  for (const c of a.components) if (c.coreArea > 0) alive[c.label] = 1;
  const x0 = Math.max(0, Math.floor(box.x / s));
  const y0 = Math.max(0, Math.floor(box.y / s));
  const x1 = Math.min(w, Math.ceil((box.x + box.width) / s));
  const y1 = Math.min(h, Math.ceil((box.y + box.height) / s));
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (alive[a.labels[y * w + x]]) n++;
  return n * s * s;
}
