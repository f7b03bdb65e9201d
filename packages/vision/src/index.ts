export * from './types.js';
export * from './geometry.js';
export { decodeImage, downsample, luminance, ImageReadError, IMAGE_EXTENSIONS } from './image.js';
export {
  BuiltinDetector,
  DEFAULT_BUILTIN_PARAMS,
  analyseSpecimen,
  detectionFromAnalysis,
  strengthMap,
  type BuiltinDetectorParams,
  type BuiltinAnalysis,
  type ScoredComponent,
} from './builtin-detector.js';
export { OnnxDetector, decodeDetrOutputs, type OnnxDetectorOptions } from './onnx-detector.js';
export { createDetector, parseDetectorArg, readWeights, type DetectorSpec } from './detectors.js';
export { cropSpecimen, extractPadded, resizeShortSide, type CropOptions, type CropResult } from './crop.js';
export { measureOrganism, segmentedPixelsInBox } from './measure.js';
export { assessQuality, edgeSharpness, countFragments, DEFAULT_QUALITY_THRESHOLDS, type QualityReport, type QualityThresholds } from './quality.js';
export { DescriptorEncoder, OnnxImageEncoder, describe, CLIP_MEAN, CLIP_STD, type OnnxEncoderOptions } from './encoders.js';
export { IMAGENET_MEAN, IMAGENET_STD } from './onnx.js';
export { readCocoTruth, evaluateBoxes, polygonArea, type CocoImageTruth, type CocoMetrics, type EvalImage } from './coco.js';
export { listImages, type ImageFile } from './files.js';
export { processImage, outputPath, BOXES_HEADER, CROP_FOLDERS, type CropRow, type ProcessOptions } from './process-image.js';
export { runCropJob, type CropJobOptions, type CropJobSummary } from './crop-job.js';
export { runEmbedJob, filesListPath, type EmbedJobOptions, type EmbedJobSummary } from './embed-job.js';
export { scoreQualityFlags, FLAG_LABEL, type FlagScore, type QualityFlag, type QualityLabel } from './quality-eval.js';
export { rankCandidates, detectionFromCandidates } from './builtin-detector.js';
export { proposeCandidates, scoreCandidate, trainRescorer, FEATURE_NAMES, CANDIDATE_REACHES, type RescorerWeights, type Candidate, type TrainingImage } from './rescorer.js';
export { SHIPPED_RESCORER } from './rescorer-weights.js';
export { collectCandidates, crossValidate, detectFromCandidates, foldOf, DEFAULT_TRAINING, type LabelledCandidates, type CrossValidation } from './train-detector.js';
export type { TrainOptions } from './rescorer.js';
