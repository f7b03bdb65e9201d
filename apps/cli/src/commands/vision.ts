/**
 * `bioscan5m vision crop | embed | quality | evaluate | train`: specimen detection, cropping, size, quality flags
 * and image embeddings. Argument parsing and printing only; the jobs are in @bioscan5m/vision, imported when a
 * vision command runs (it loads sharp, which `bioscan5m --help` does not need); help texts take their defaults
 * from the light @bioscan5m/vision/args entry.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { Bioscan5mError, checkOutputPaths } from '@bioscan5m/core';
import type * as VisionPackage from '@bioscan5m/vision';
import { DEFAULT_TRAINING, MM_PER_PIXEL, parseDetectorArg } from '@bioscan5m/vision/args';
import { embedded } from '../data.js';
import { choiceArg, intArg, numberArg, numberListArg, pathArg } from '../options.js';
import { withProgressBar } from '../progress.js';

let loading: Promise<typeof VisionPackage> | undefined;
const vision = (): Promise<typeof VisionPackage> => (loading ??= import('@bioscan5m/vision'));

const WORKERS = { min: 0 };
const RATIO = { min: 1, max: 10 };
const JPEG_QUALITY = { min: 1, max: 100 };
const INPUT_SIZE = { min: 16, max: 4096 };
const POOLINGS = ['cls', 'mean'] as const;
const STD = { min: 0, exclusiveMin: true };

/** Parser of --detector: the package's rule (light args entry), refused at parse time. */
function detectorArg(value: string): string {
  try {
    parseDetectorArg(value);
  } catch (err) {
    if (Bioscan5mError.isInstance(err))
      throw new InvalidArgumentError("expected 'builtin', a weights .json from 'vision train' or a .onnx file");
    throw err;
  }
  return value;
}

/** --json: the job's summary as it is; otherwise the lines a person reads. */
function report(json: boolean | undefined, summary: object, lines: () => void): void {
  if (json) console.log(JSON.stringify(summary, null, 2));
  else lines();
}

function printFailures(failed: { file: string; message: string }[]): void {
  if (!failed.length) return;
  console.error(`${failed.length} image(s) could not be read (not in the output; a rerun tries them again):`);
  for (const f of failed.slice(0, 20)) console.error(`  ${f.message}`);
  if (failed.length > 20) console.error(`  ... and ${failed.length - 20} more`);
  process.exitCode = 1;
}

interface CropOpts {
  images: string;
  out: string;
  boxes?: string;
  detector: string;
  workers?: number;
  ratio: number;
  jpegQuality: number;
  json?: boolean;
  quiet?: boolean;
}

async function cropCommand(o: CropOpts): Promise<void> {
  const v = await vision();
  const crop = { ratio: o.ratio, quality: o.jpegQuality };
  const s = await withProgressBar('crop', { quiet: o.quiet || o.json }, (onProgress) =>
    v.runCropJob({
      imagesDir: o.images,
      outDir: o.out,
      boxesCsv: o.boxes,
      detector: v.parseDetectorArg(o.detector),
      workers: o.workers,
      crop,
      onProgress,
    }),
  );
  const out = path.resolve(o.out);
  report(o.json, s, () => {
    console.log(
      `${s.total} images: ${s.processed} processed (${s.withSpecimen} cropped, ${s.noSpecimen} without a specimen), ${s.skipped} already done, ${s.failed.length} unreadable`,
    );
    console.log(`boxes: ${s.boxesCsv}`);
    console.log(`crops: ${['cropped', 'cropped_256', 'original_256'].map((f) => path.join(out, f)).join(', ')}`);
  });
  printFailures(s.failed);
}

interface EmbedOpts {
  images: string;
  out: string;
  encoder: string;
  size?: number;
  pooling?: 'cls' | 'mean';
  mean?: number[];
  std?: number[];
  raw?: boolean;
  json?: boolean;
  quiet?: boolean;
}

async function embedCommand(o: EmbedOpts, explicit: (key: string) => boolean): Promise<void> {
  const v = await vision();
  // Only the ONNX options the user gave: the package refuses them with the descriptor rather than ignore them.
  const given = <T>(key: string, value: T): T | undefined => (explicit(key) ? value : undefined);
  const encoder = v.parseImageEncoderArg(o.encoder, {
    size: given('size', o.size),
    pooling: given('pooling', o.pooling),
    mean: given('mean', o.mean),
    std: given('std', o.std),
    normalize: given('raw', o.raw ? false : undefined),
  });
  const s = await withProgressBar('embed', { quiet: o.quiet || o.json }, (onProgress) =>
    v.runImageEmbedJob({ imagesDir: o.images, out: o.out, encoder, onProgress }),
  );
  report(o.json, s, () => {
    console.log(
      `embedded ${s.embedded} of ${s.total} images with ${s.encoder} (${s.dim} dims${s.resumed ? `; ${s.resumed} taken over from an interrupted run` : ''})`,
    );
    console.log(`matrix: ${s.npy} [${s.embedded}, ${s.dim}] float32; file order: ${s.filesTxt}`);
  });
  printFailures(s.failed);
}

interface QualityOpts {
  images: string;
  out: string;
  labels?: string;
  json?: boolean;
  quiet?: boolean;
}

async function qualityCommand(o: QualityOpts): Promise<void> {
  checkOutputPaths({ inputs: { '--images': o.images, '--labels': o.labels }, outputs: { '--out': o.out } });
  const v = await vision();
  const s = await withProgressBar('quality', { quiet: o.quiet || o.json }, (onProgress) =>
    v.runQualityJob({
      imagesDir: o.images,
      out: o.out,
      labels: o.labels,
      onProgress,
    }),
  );
  report(o.json, s, () => {
    console.log(
      `${s.assessed} images: ${s.flagged.noSpecimen} without a specimen, ${s.flagged.blurred} blurred, ${s.flagged.fragmented} fragmented -> ${s.out}`,
    );
    if (!s.scores) return;
    console.log(`against ${s.scores.labels} (${s.scores.matched} images matched):`);
    for (const f of s.scores.flags) {
      console.log(
        `  ${f.flag.padEnd(11)} vs ${f.label.padEnd(10)} precision ${f.precision.toFixed(2)}  recall ${f.recall.toFixed(2)}  (TP ${f.truePositives}, FP ${f.falsePositives}, FN ${f.falseNegatives}; prevalence ${f.prevalence.toFixed(2)})`,
      );
    }
  });
  printFailures(s.failed);
}

interface EvalOpts {
  images: string;
  coco: string;
  detector: string;
  json?: boolean;
  quiet?: boolean;
}

async function evaluateCommand(o: EvalOpts): Promise<void> {
  const v = await vision();
  const detector = v.parseDetectorArg(o.detector);
  const s = await withProgressBar('evaluate', { quiet: o.quiet || o.json }, (onProgress) =>
    v.runDetectorEvalJob({
      imagesDir: o.images,
      coco: o.coco,
      detector,
      onProgress,
    }),
  );
  const { metrics: m, bestBox: top1 } = s;
  report(o.json, s, () => {
    console.log(
      `${s.detector} on ${m.images} images (${m.truths} annotated specimens${s.failed.length ? `, ${s.failed.length} unreadable images left out` : ''}):`,
    );
    console.log(
      `  AP@0.75 ${m.ap75.toFixed(3)}  AR@[.5:.95] ${m.ar.toFixed(3)}  AP@0.5 ${m.ap50.toFixed(3)}  AP@[.5:.95] ${m.ap.toFixed(3)}  (all boxes)`,
    );
    console.log(
      `  AP@0.75 ${top1.ap75.toFixed(3)}  AR@[.5:.95] ${top1.ar.toFixed(3)}  (best box only, as cropping uses)`,
    );
  });
  // The metrics are of the readable images: the others are named, and the exit says some were left out.
  printFailures(s.failed);
}

interface TrainOpts {
  images: string;
  coco: string;
  out: string;
  hidden: number;
  epochs: number;
  seed: number;
  cv?: boolean;
  json?: boolean;
  quiet?: boolean;
}

async function trainCommand(o: TrainOpts): Promise<void> {
  checkOutputPaths({ inputs: { '--images': o.images, '--coco': o.coco }, outputs: { '--out': o.out } });
  const v = await vision();
  const s = await withProgressBar('candidates', { quiet: o.quiet || o.json }, (onProgress) =>
    v.runDetectorTrainJob({
      imagesDir: o.images,
      coco: o.coco,
      out: o.out,
      hidden: o.hidden,
      epochs: o.epochs,
      seed: o.seed,
      crossValidateFolds: o.cv ? 5 : undefined,
      onProgress,
    }),
  );
  const cv = s.crossValidation;
  report(o.json, s, () => {
    if (cv)
      console.log(
        `${cv.folds}-fold cross-validation on ${s.images} images: AP@0.75 ${cv.metrics.ap75.toFixed(3)}  AR@[.5:.95] ${cv.metrics.ar.toFixed(3)}  AP@0.5 ${cv.metrics.ap50.toFixed(3)}`,
      );
    console.log(
      `trained the built-in detector's re-scorer on ${s.images} images -> ${s.out} (use: --detector ${s.out})`,
    );
  });
  printFailures(s.failed);
}

/** Registers `bioscan5m vision ...`. */
export function registerVisionCommands(program: Command): void {
  const vision = program
    .command('vision')
    .description('specimen images: detection, cropping, size, quality flags and embeddings');
  const imgs = embedded.images;

  vision
    .command('crop')
    .description(
      'detect the specimen in every image under --images and write cropped/, cropped_256/, original_256/ and BOXES.csv (resumable)',
    )
    .requiredOption('--images <dir>', 'folder of photos (searched recursively)', pathArg)
    .requiredOption(
      '--out <dir>',
      'output folder (cropped/, cropped_256/, original_256/ mirror the input paths)',
      pathArg,
    )
    .option(
      '--boxes <csv>',
      'BOXES.csv to write (default OUT/boxes.csv); rows already there are kept and not redone',
      pathArg,
    )
    .option(
      '--detector <builtin|weights.json|model.onnx>',
      "'builtin' (shipped weights), re-scorer weights from 'vision train', or a DETR-style ONNX export",
      detectorArg,
      'builtin',
    )
    .option('--workers <n>', 'worker threads (default: all cores; 0 = this thread)', intArg(WORKERS))
    .option('--ratio <r>', 'box enlargement ratio, 1..10', numberArg(RATIO), 1.4)
    .option('--jpeg-quality <q>', 'JPEG quality of the crops, 1..100', intArg(JPEG_QUALITY), 90)
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nBOXES.csv columns: file,x,y,width,height (tight box, original pixels),score,area_fraction,scale_factor,image_measurement_value
(organism pixel count). Box and size columns are empty when no specimen is found. Real size: ${MM_PER_PIXEL} mm per original pixel.

Examples:
  bioscan5m vision crop --images ${imgs} --out crops
  bioscan5m vision crop --images ${imgs} --out crops --boxes crops/boxes.csv --workers 2
  bioscan5m vision crop --images photos/ --out crops --detector bioscan_crop_detr.onnx\n`,
    )
    .action((o: CropOpts) => cropCommand(o));

  vision
    .command('embed')
    .description('encode every image under --images into an N x D float32 .npy (+ X.files.txt with the row order)')
    .requiredOption('--images <dir>', 'folder of images (typically cropped_256/)', pathArg)
    .requiredOption('--out <file.npy>', 'output matrix', pathArg)
    .option(
      '--encoder <descriptor|model.onnx>',
      "'descriptor' (weight-free colour + gradient baseline) or an ONNX image encoder (ViT, DINO, CLIP)",
      pathArg,
      'descriptor',
    )
    .option('--size <px>', "ONNX input side, 16..4096 (default: the model's, else 224)", intArg(INPUT_SIZE))
    .option('--pooling <cls|mean>', 'ONNX token outputs: CLS token or mean over tokens', choiceArg(POOLINGS), 'cls')
    .option('--mean <r,g,b>', 'ONNX input normalisation mean (default ImageNet)', numberListArg(3))
    .option('--std <r,g,b>', 'ONNX input normalisation std, each > 0 (default ImageNet)', numberListArg(3, STD))
    .option('--raw', 'do not L2-normalise ONNX embeddings')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nExamples:
  bioscan5m vision embed --images ${imgs} --out emb.npy
  bioscan5m vision embed --images crops/cropped_256 --out dino.npy --encoder dinov2-small.onnx --pooling cls
  bioscan5m vision embed --images crops/cropped_256 --out clip.npy --encoder clip-vit-b16-visual.onnx --mean 0.4815,0.4578,0.4082 --std 0.2686,0.2613,0.2758\n`,
    )
    .action((o: EmbedOpts, cmd: Command) => embedCommand(o, (key) => cmd.getOptionValueSource(key) === 'cli'));

  vision
    .command('quality')
    .description('flag images with no specimen, blurred images and fragmented specimens; --labels scores the flags')
    .requiredOption('--images <dir>', 'folder of photos', pathArg)
    .requiredOption(
      '--out <csv>',
      'per-image flags: file,no_specimen,blurred,fragmented,sharpness,fragments,score',
      pathArg,
    )
    .option(
      '--labels <csv>',
      'table with file_name and quality_label (valid/empty/blurry/fragmented) to print precision/recall',
      pathArg,
    )
    .option('--json', 'print the summary (and the scores of the flags) as JSON')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nExample:\n  bioscan5m vision quality --images ${imgs} --out quality.csv --labels ${path.join(imgs, 'manifest.csv')}\n`,
    )
    .action((o: QualityOpts) => qualityCommand(o));

  vision
    .command('evaluate')
    .description('COCO-style AP@0.75 and AR@[.5:.95] of a detector against COCO boxes (bbox [0,0,0,0] = no specimen)')
    .requiredOption('--images <dir>', 'folder holding the COCO file_name images', pathArg)
    .requiredOption('--coco <json>', 'COCO annotations', pathArg)
    .option('--detector <builtin|weights.json|model.onnx>', 'detector to evaluate', detectorArg, 'builtin')
    .option('--json', 'print the metrics as JSON')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', `\nExample:\n  bioscan5m vision evaluate --images ${imgs} --coco ${embedded.imagesCoco}\n`)
    .action((o: EvalOpts) => evaluateCommand(o));

  vision
    .command('train')
    .description("retrain the built-in detector's re-scorer on your own COCO boxes (bbox [0,0,0,0] = no specimen)")
    .requiredOption('--images <dir>', 'folder holding the COCO file_name images', pathArg)
    .requiredOption('--coco <json>', 'COCO annotations', pathArg)
    .requiredOption('--out <weights.json>', 'weights to pass as --detector', pathArg)
    .option('--hidden <n>', 'hidden tanh units (0 = logistic regression)', intArg({ min: 0 }), DEFAULT_TRAINING.hidden)
    .option('--epochs <n>', 'training epochs', intArg({ min: 1 }), DEFAULT_TRAINING.epochs)
    .option('--seed <n>', "seed of the hidden units' initial weights", intArg({ min: 0 }), 1)
    .option('--cv', 'also print 5-fold cross-validated AP/AR (5 more trainings)')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nExample:\n  bioscan5m vision train --images ${imgs} --coco ${embedded.imagesCoco} --out my-detector.json --epochs 200\n  bioscan5m vision crop --images ${imgs} --out crops --detector my-detector.json\n`,
    )
    .action((o: TrainOpts) => trainCommand(o));
}
