/** Shared types of @bioscan5m/vision. */

/** An axis-aligned box in original image pixels: top-left corner and size (floats allowed). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A detected specimen: its box and the detector's confidence in 0..1. */
export interface ScoredBox extends Box {
  score: number;
}

/** A decoded image: interleaved 8-bit pixels, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) for every image this package produces. */
  channels: number;
}

/** Binary organism mask at some working resolution; `scale` = original pixels per mask pixel along each axis. */
export interface SpecimenMask {
  data: Uint8Array;
  width: number;
  height: number;
  scale: number;
  /** Organism pixel count in original pixels (mask pixels times scale squared): `image_measurement_value`. */
  pixelCount: number;
}

export interface Detection {
  /** Candidate boxes, best first (empty when no specimen is found). */
  boxes: ScoredBox[];
  /** Organism mask of the best box, when the detector segments (the built-in one does). */
  mask?: SpecimenMask;
}

/** Anything that finds specimens in a photo: the built-in classical detector, an ONNX DETR export, ... */
export interface Detector {
  readonly name: string;
  detect(image: RgbImage): Promise<Detection>;
  /** Frees native resources (ONNX sessions). */
  dispose?(): Promise<void>;
}
