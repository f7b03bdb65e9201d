/**
 * `bioscan5m vision crop | embed | quality | evaluate`: specimen detection, cropping, size, quality flags and
 * image embeddings. Argument parsing and printing only; the work is in @bioscan5m/vision.
 */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { Bioscan5mError, checkOutputPaths, createTableWriter, readTable, UsageError, writeFileAtomic } from '@bioscan5m/core';
import {
  assessQuality,
  BuiltinDetector,
  collectCandidates,
  createDetector,
  crossValidate,
  DEFAULT_TRAINING,
  trainRescorer,
  decodeImage,
  DescriptorEncoder,
  evaluateBoxes,
  listImages,
  OnnxImageEncoder,
  parseDetectorArg,
  readCocoTruth,
  runCropJob,
  runEmbedJob,
  scoreQualityFlags,
  ImageReadError,
  type ImageEncoder,
  type QualityReport,
} from '@bioscan5m/vision';
import { embedded } from '../data.js';
import { choiceArg, intArg, numberArg, numberListArg, numberListOption, numberOption, pathArg } from '../options.js';
import { progressBar } from '../progress.js';
import type { DemoStage } from './demo-stage.js';

const WORKERS = { min: 0 };
const RATIO = { min: 1, max: 10 };
const JPEG_QUALITY = { min: 1, max: 100 };
const INPUT_SIZE = { min: 16, max: 4096 };
const POOLINGS = ['cls', 'mean'] as const;
const STD = { min: 0, exclusiveMin: true };

const triple = (name: string, value: string | number[] | undefined, rule = {}) => numberListOption(name, value, 3, rule) as [number, number, number] | undefined;

function printFailures(failed: { file: string; message: string }[]): void {
  if (!failed.length) return;
  console.error(`${failed.length} image(s) could not be read (not in the output; a rerun tries them again):`);
  for (const f of failed.slice(0, 20)) console.error(`  ${f.message}`);
  if (failed.length > 20) console.error(`  ... and ${failed.length - 20} more`);
}

interface CropOpts {
  images: string;
  out: string;
  boxes?: string;
  detector: string;
  workers?: number;
  ratio?: string | number;
  jpegQuality?: string | number;
  quiet?: boolean;
}

async function cropCommand(o: CropOpts): Promise<void> {
  const bar = progressBar('crop', { quiet: o.quiet });
  const s = await runCropJob({
    imagesDir: o.images,
    outDir: o.out,
    boxesCsv: o.boxes,
    detector: parseDetectorArg(o.detector),
    workers: numberOption('workers', o.workers, { integer: true, ...WORKERS }),
    crop: { ratio: numberOption('ratio', o.ratio, RATIO), quality: numberOption('jpeg-quality', o.jpegQuality, { integer: true, ...JPEG_QUALITY }) },
    onProgress: (d, t) => bar.update(d, t),
  });
  bar.stop();
  console.log(
    `${s.total} images: ${s.processed} processed (${s.withSpecimen} cropped, ${s.noSpecimen} without a specimen), ${s.skipped} already done, ${s.failed.length} unreadable`,
  );
  console.log(`boxes: ${s.boxesCsv}`);
  console.log(`crops: ${path.join(path.resolve(o.out), 'cropped')}, ${path.join(path.resolve(o.out), 'cropped_256')}, ${path.join(path.resolve(o.out), 'original_256')}`);
  printFailures(s.failed);
  if (s.failed.length) process.exitCode = 1;
}

interface EmbedOpts {
  images: string;
  out: string;
  encoder: string;
  size?: number;
  pooling?: string;
  mean?: string | number[];
  std?: string | number[];
  raw?: boolean;
  quiet?: boolean;
}

/** Options that only an ONNX encoder reads: refused with the descriptor rather than silently ignored. */
const ONNX_ONLY = [
  ['size', '--size'],
  ['mean', '--mean'],
  ['std', '--std'],
  ['raw', '--raw'],
] as const;

async function loadEncoder(o: EmbedOpts, explicit: (key: string) => boolean): Promise<ImageEncoder> {
  if (o.encoder === 'descriptor') {
    const given = [...ONNX_ONLY, ['pooling', '--pooling'] as const].filter(([key]) => explicit(key)).map(([, flag]) => flag);
    if (given.length) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to an ONNX --encoder, not to 'descriptor'`);
    return new DescriptorEncoder();
  }
  if (!/\.onnx$/i.test(o.encoder)) throw new UsageError(`expected 'descriptor' or a path to a .onnx file, got '${o.encoder}'`, '--encoder');
  return OnnxImageEncoder.load(o.encoder, {
    size: numberOption('size', o.size, { integer: true, ...INPUT_SIZE }),
    pooling: o.pooling as 'cls' | 'mean' | undefined,
    mean: triple('mean', o.mean),
    std: triple('std', o.std, STD),
    normalize: !o.raw,
  });
}

async function embedCommand(o: EmbedOpts, explicit: (key: string) => boolean): Promise<void> {
  if (!/\.npy$/i.test(o.out)) throw new UsageError(`expected a file name ending in .npy, got '${o.out}'`, '--out');
  const encoder = await loadEncoder(o, explicit);
  const bar = progressBar('embed', { quiet: o.quiet });
  try {
    const s = await runEmbedJob({ imagesDir: o.images, out: o.out, encoder, onProgress: (d, t) => bar.update(d, t) });
    bar.stop();
    console.log(`embedded ${s.embedded} of ${s.total} images with ${encoder.name} (${s.dim} dims${s.resumed ? `; ${s.resumed} taken over from an interrupted run` : ''})`);
    console.log(`matrix: ${s.npy} [${s.embedded}, ${s.dim}] float32; file order: ${s.filesTxt}`);
    printFailures(s.failed);
    if (s.failed.length) process.exitCode = 1;
  } finally {
    await encoder.dispose?.();
  }
}

interface QualityOpts {
  images: string;
  out: string;
  labels?: string;
  quiet?: boolean;
}

const QUALITY_HEADER = ['file', 'no_specimen', 'blurred', 'fragmented', 'sharpness', 'fragments', 'score'];

async function qualityCommand(o: QualityOpts): Promise<void> {
  checkOutputPaths({ inputs: { '--images': o.images, '--labels': o.labels }, outputs: { '--out': o.out } });
  // The labels table is read before any work, so a bad one stops the run before the flags file is written.
  const labels = o.labels ? await readTable(o.labels) : undefined;
  const [fileCol, labelCol] = labels ? [labels.header.indexOf('file_name') >= 0 ? labels.header.indexOf('file_name') : labels.header.indexOf('file'), labels.header.indexOf('quality_label')] : [-1, -1];
  if (labels && (fileCol < 0 || labelCol < 0)) throw new Bioscan5mError(`${o.labels}: needs columns file_name (or file) and quality_label`, 'BIOSCAN5M_INPUT');
  const files = listImages(o.images);
  const bar = progressBar('quality', { quiet: o.quiet });
  const writer = createTableWriter(o.out, QUALITY_HEADER);
  const reports = new Map<string, QualityReport>();
  const failed: { file: string; message: string }[] = [];
  try {
    for (const [i, f] of files.entries()) {
      try {
        const q = assessQuality(await decodeImage(f.path, f.rel));
        reports.set(f.rel, q);
        writer.write([f.rel, Number(q.noSpecimen), Number(q.blurred), Number(q.fragmented), Number.isFinite(q.sharpness) ? q.sharpness.toFixed(4) : '', q.fragments, q.box ? q.box.score.toFixed(4) : '']);
      } catch (err) {
        if (!(err instanceof ImageReadError)) throw err;
        failed.push({ file: f.rel, message: err.message });
      }
      bar.update(i + 1, files.length);
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  bar.stop();
  const count = (k: 'noSpecimen' | 'blurred' | 'fragmented') => [...reports.values()].filter((r) => r[k]).length;
  console.log(`${reports.size} images: ${count('noSpecimen')} without a specimen, ${count('blurred')} blurred, ${count('fragmented')} fragmented -> ${o.out}`);
  if (labels) {
    const items = labels.rows.filter((r) => reports.has(r[fileCol])).map((r) => ({ label: r[labelCol], report: reports.get(r[fileCol])! }));
    console.log(`against ${o.labels} (${items.length} images matched):`);
    for (const s of scoreQualityFlags(items)) {
      console.log(`  ${s.flag.padEnd(11)} vs ${s.label.padEnd(10)} precision ${s.precision.toFixed(2)}  recall ${s.recall.toFixed(2)}  (TP ${s.truePositives}, FP ${s.falsePositives}, FN ${s.falseNegatives}; prevalence ${s.prevalence.toFixed(2)})`);
    }
  }
  printFailures(failed);
  if (failed.length) process.exitCode = 1;
}

interface EvalOpts {
  images: string;
  coco: string;
  detector: string;
  quiet?: boolean;
}

async function evaluateCommand(o: EvalOpts): Promise<void> {
  const truth = await readCocoTruth(o.coco);
  const detector = await createDetector(parseDetectorArg(o.detector));
  const bar = progressBar('evaluate', { quiet: o.quiet });
  const items = [];
  let missing = 0;
  let i = 0;
  try {
    for (const [name, t] of truth) {
      const file = path.join(o.images, name);
      try {
        const det = await detector.detect(await decodeImage(file, name));
        items.push({ truth: t.boxes, detections: det.boxes });
      } catch (err) {
        if (!(err instanceof ImageReadError)) throw err;
        missing++;
        console.error(err.message);
      }
      bar.update(++i, truth.size);
    }
  } finally {
    bar.stop();
    await detector.dispose?.();
  }
  const m = evaluateBoxes(items);
  const top1 = evaluateBoxes(items, 1);
  console.log(`${detector.name} on ${m.images} images (${m.truths} annotated specimens${missing ? `, ${missing} unreadable images left out` : ''}):`);
  console.log(`  AP@0.75 ${m.ap75.toFixed(3)}  AR@[.5:.95] ${m.ar.toFixed(3)}  AP@0.5 ${m.ap50.toFixed(3)}  AP@[.5:.95] ${m.ap.toFixed(3)}  (all boxes)`);
  console.log(`  AP@0.75 ${top1.ap75.toFixed(3)}  AR@[.5:.95] ${top1.ar.toFixed(3)}  (best box only, as cropping uses)`);
}

interface TrainOpts {
  images: string;
  coco: string;
  out: string;
  hidden?: string | number;
  epochs?: string | number;
  cv?: boolean;
  quiet?: boolean;
}

async function trainCommand(o: TrainOpts): Promise<void> {
  if (!/\.json$/i.test(o.out)) throw new UsageError(`expected a file name ending in .json, got '${o.out}'`, '--out');
  checkOutputPaths({ inputs: { '--images': o.images, '--coco': o.coco }, outputs: { '--out': o.out } });
  const bar = progressBar('candidates', { quiet: o.quiet });
  const failed: { file: string; message: string }[] = [];
  const images = await collectCandidates(o.images, o.coco, { onProgress: (d, t) => bar.update(d, t), onImageError: (file, message) => failed.push({ file, message }) });
  bar.stop();
  if (!images.length) throw new Bioscan5mError(`${o.coco}: no readable images under ${o.images}`);
  const train = { ...DEFAULT_TRAINING, hidden: numberOption('hidden', o.hidden, { integer: true, min: 0 }) ?? DEFAULT_TRAINING.hidden, epochs: numberOption('epochs', o.epochs, { integer: true, min: 1 }) ?? DEFAULT_TRAINING.epochs };
  if (o.cv) {
    const cv = crossValidate(images, 5, { minScore: 0 }, train);
    console.log(`5-fold cross-validation on ${images.length} images: AP@0.75 ${cv.metrics.ap75.toFixed(3)}  AR@[.5:.95] ${cv.metrics.ar.toFixed(3)}  AP@0.5 ${cv.metrics.ap50.toFixed(3)}`);
  }
  const w = trainRescorer(images, { ...train, trainedOn: `${o.coco} (${images.length} images)` });
  writeFileAtomic(o.out, JSON.stringify(w));
  console.log(`trained the built-in detector's re-scorer on ${images.length} images -> ${o.out} (use: --detector ${o.out})`);
  printFailures(failed);
}

/** Parser of --detector: 'builtin', a weights .json or a .onnx model (the package's rule, refused at parse time). */
function detectorArg(value: string): string {
  try {
    parseDetectorArg(value);
  } catch (err) {
    if (Bioscan5mError.isInstance(err)) throw new InvalidArgumentError("expected 'builtin', a weights .json from 'vision train' or a .onnx file");
    throw err;
  }
  return value;
}

/** Registers `bioscan5m vision ...`. */
export function registerVisionCommands(program: Command): void {
  const vision = program.command('vision').description('specimen images: detection, cropping, size, quality flags and embeddings');
  const imgs = embedded.images;

  vision
    .command('crop')
    .description('detect the specimen in every image under --images and write cropped/, cropped_256/, original_256/ and BOXES.csv (resumable)')
    .requiredOption('--images <dir>', 'folder of photos (searched recursively)', pathArg)
    .requiredOption('--out <dir>', 'output folder (cropped/, cropped_256/, original_256/ mirror the input paths)', pathArg)
    .option('--boxes <csv>', 'BOXES.csv to write (default OUT/boxes.csv); rows already there are kept and not redone', pathArg)
    .option('--detector <builtin|weights.json|model.onnx>', "'builtin' (shipped weights), re-scorer weights from 'vision train', or a DETR-style ONNX export", detectorArg, 'builtin')
    .option('--workers <n>', 'worker threads (default: all cores; 0 = this thread)', intArg(WORKERS))
    .option('--ratio <r>', 'box enlargement ratio, 1..10', numberArg(RATIO), 1.4)
    .option('--jpeg-quality <q>', 'JPEG quality of the crops, 1..100', intArg(JPEG_QUALITY), 90)
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nBOXES.csv columns: file,x,y,width,height (tight box, original pixels),score,area_fraction,scale_factor,image_measurement_value
(organism pixel count). Box and size columns are empty when no specimen is found. Real size: 0.1554 mm per original pixel.

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
    .option('--encoder <descriptor|model.onnx>', "'descriptor' (weight-free colour + gradient baseline) or an ONNX image encoder (ViT, DINO, CLIP)", pathArg, 'descriptor')
    .option('--size <px>', 'ONNX input side, 16..4096 (default: the model\'s, else 224)', intArg(INPUT_SIZE))
    .option('--pooling <cls|mean>', 'ONNX token outputs: CLS token or mean over tokens', choiceArg(POOLINGS), 'cls')
    .option('--mean <r,g,b>', 'ONNX input normalisation mean (default ImageNet)', numberListArg(3))
    .option('--std <r,g,b>', 'ONNX input normalisation std, each > 0 (default ImageNet)', numberListArg(3, STD))
    .option('--raw', 'do not L2-normalise ONNX embeddings')
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
    .requiredOption('--out <csv>', 'per-image flags: file,no_specimen,blurred,fragmented,sharpness,fragments,score', pathArg)
    .option('--labels <csv>', 'table with file_name and quality_label (valid/empty/blurry/fragmented) to print precision/recall', pathArg)
    .option('--quiet', 'no progress bar')
    .addHelpText('after', `\nExample:\n  bioscan5m vision quality --images ${imgs} --out quality.csv --labels ${path.join(imgs, 'manifest.csv')}\n`)
    .action((o: QualityOpts) => qualityCommand(o));

  vision
    .command('evaluate')
    .description('COCO-style AP@0.75 and AR@[.5:.95] of a detector against COCO boxes (bbox [0,0,0,0] = no specimen)')
    .requiredOption('--images <dir>', 'folder holding the COCO file_name images', pathArg)
    .requiredOption('--coco <json>', 'COCO annotations', pathArg)
    .option('--detector <builtin|weights.json|model.onnx>', 'detector to evaluate', detectorArg, 'builtin')
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
    .option('--cv', 'also print 5-fold cross-validated AP/AR (5 more trainings)')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', `\nExample:\n  bioscan5m vision train --images ${imgs} --coco ${embedded.imagesCoco} --out my-detector.json --epochs 200\n  bioscan5m vision crop --images ${imgs} --out crops --detector my-detector.json\n`)
    .action((o: TrainOpts) => trainCommand(o));
}

/** Demo: crop the embedded photos, print boxes and the quality flags next to their labels. */
export const visionDemoStages: DemoStage[] = [
  {
    name: 'vision',
    async run(ctx) {
      const out = path.join(ctx.outDir, 'vision');
      const s = await runCropJob({ imagesDir: embedded.images, outDir: out });
      ctx.log(`cropped ${s.withSpecimen} of ${s.total} embedded photos (${s.noSpecimen} without a specimen) -> ${out}`);
      const boxes = await readTable(path.join(out, 'boxes.csv'));
      const man = await readTable(path.join(embedded.images, 'manifest.csv'));
      const label = new Map(man.rows.map((r) => [r[man.header.indexOf('file_name')], r[man.header.indexOf('quality_label')]]));
      const detector = new BuiltinDetector();
      const truth = await readCocoTruth(embedded.imagesCoco);
      const items = [];
      ctx.log(`${'file'.padEnd(26)}${'box x,y,w,h'.padEnd(22)}${'score'.padEnd(7)}${'size mm²'.padEnd(10)}${'flags'.padEnd(24)}label`);
      for (const r of boxes.rows) {
        const q = assessQuality(await decodeImage(path.join(embedded.images, r[0])), detector.params);
        const flags = [q.noSpecimen && 'no-specimen', q.blurred && 'blurred', q.fragmented && 'fragmented'].filter(Boolean).join(',') || '-';
        const box = r[1] ? `${r[1]},${r[2]},${r[3]},${r[4]}` : '(none)';
        const mm2 = r[8] ? (Number(r[8]) * 0.1554 ** 2).toFixed(1) : '';
        ctx.log(`${r[0].padEnd(26)}${box.padEnd(22)}${(r[5] || '').padEnd(7)}${mm2.padEnd(10)}${flags.padEnd(24)}${label.get(r[0]) ?? ''}`);
        const t = truth.get(r[0]);
        if (t) items.push({ truth: t.boxes, detections: r[1] ? [{ x: +r[1], y: +r[2], width: +r[3], height: +r[4], score: +r[5] }] : [] });
      }
      const m = evaluateBoxes(items, 1);
      ctx.log(`best box vs the embedded COCO boxes: AP@0.75 ${m.ap75.toFixed(3)}, AR@[.5:.95] ${m.ar.toFixed(3)} (${m.images} images)`);
    },
  },
];
