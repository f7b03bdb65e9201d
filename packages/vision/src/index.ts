/**
 * `@bioscan5m/vision`: specimen detection, cropping, size, quality flags and image embeddings for BIOSCAN-5M
 * photos, and the file-level jobs of the `bioscan5m vision` commands. Importing it loads sharp but not
 * onnxruntime-node: that is an optional peer dependency, loaded when an ONNX detector or encoder is created
 * (a MissingDependencyError names it when it is missing).
 */

// Shared shapes.
export type { Box, ScoredBox, RgbImage, SpecimenMask, Detection, Detector } from './types.js';

// Images.
export { decodeImage, ImageReadError } from './image.js';

// Detectors (createDetector(spec), beside createImageEncoder).
export { createDetector, type DetectorSpec } from './detectors.js';
export { BuiltinDetector, DEFAULT_BUILTIN_PARAMS, type BuiltinDetectorParams } from './builtin-detector.js';
export type { OnnxDetectorOptions } from './onnx-detector.js';
export { parseDetectorArg, parseImageEncoderArg } from './args.js';

// Image encoders (core's Encoder contract).
export {
  createImageEncoder,
  CLIP_MEAN,
  CLIP_STD,
  type ImageEncoderSpec,
  type ImageInput,
  type OnnxImageEncoderOptions,
} from './encoders.js';
export { IMAGENET_MEAN, IMAGENET_STD } from './onnx.js';

// Cropping, size and quality of one image.
export { cropSpecimen, type CropOptions, type CropResult } from './crop.js';
export { MM_PER_PIXEL, pixelCountToMm2, iou } from './geometry.js';
export { measureOrganism } from './measure.js';
export { assessQuality, DEFAULT_QUALITY_THRESHOLDS, type QualityReport, type QualityThresholds } from './quality.js';
export { scoreQualityFlags, type FlagScore } from './quality-eval.js';

// COCO boxes and detection metrics.
export { readCocoTruth, evaluateBoxes, type CocoImageTruth, type CocoMetrics, type EvalImage } from './coco.js';

// File-level jobs.
export { runCropJob, type CropJobOptions, type CropJobSummary } from './crop-job.js';
export { BOXES_HEADER } from './process-image.js';
export { runImageEmbedJob, type ImageEmbedJobOptions, type ImageEmbedJobSummary } from './embed-job.js';
export { runQualityJob, QUALITY_HEADER, type QualityJobOptions, type QualityJobSummary } from './quality-job.js';
export { runDetectorEvalJob, type DetectorEvalJobOptions, type DetectorEvalJobSummary } from './detector-eval-job.js';
export {
  runDetectorTrainJob,
  DEFAULT_TRAINING,
  type DetectorTrainJobOptions,
  type DetectorTrainJobSummary,
} from './train-detector.js';
