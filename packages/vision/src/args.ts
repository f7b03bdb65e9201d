/**
 * `@bioscan5m/vision/args`: parsers of the detector and image-encoder arguments a command line (or a config
 * file) gives as text, into the specs createDetector and createImageEncoder take, and the defaults a help text
 * shows. Pure and light: this entry loads neither sharp nor onnxruntime, so a CLI can use it while parsing.
 */
import { UsageError } from '@bioscan5m/core';

export { MM_PER_PIXEL } from './geometry.js';
export { DEFAULT_TRAINING } from './rescorer.js';
import type { DetectorSpec } from './detectors.js';
import type { ImageEncoderSpec, OnnxImageEncoderOptions } from './encoders.js';

/** Detector argument: "builtin", re-scorer weights (.json from runDetectorTrainJob) or a .onnx DETR export. */
export function parseDetectorArg(arg: string | undefined): DetectorSpec {
  if (!arg || arg === 'builtin') return { kind: 'builtin' };
  if (/\.onnx$/i.test(arg)) return { kind: 'onnx', model: arg };
  if (/\.json$/i.test(arg)) return { kind: 'builtin', weightsFile: arg };
  throw new UsageError(
    `expected 'builtin', a weights .json from 'vision train' or a .onnx file, got '${arg}'`,
    '--detector',
  );
}

/** The command-line flag of each ONNX encoder option (the `bioscan5m vision embed` names). */
const ONNX_OPTION_FLAGS: Record<keyof OnnxImageEncoderOptions, string> = {
  size: '--size',
  mean: '--mean',
  std: '--std',
  outputName: '--output-name',
  pooling: '--pooling',
  normalize: '--raw',
  threads: '--threads',
};

/**
 * Encoder argument: "descriptor" (the default) or the path of a .onnx image encoder, with the ONNX options that go
 * with it. Options given with the descriptor are refused rather than silently ignored; bad values are
 * UsageErrors naming the option.
 */
export function parseImageEncoderArg(arg: string | undefined, options: OnnxImageEncoderOptions = {}): ImageEncoderSpec {
  const given = (Object.keys(options) as (keyof OnnxImageEncoderOptions)[]).filter((k) => options[k] !== undefined);
  if (!arg || arg === 'descriptor') {
    if (given.length) {
      const names = given.map((k) => ONNX_OPTION_FLAGS[k] ?? k);
      throw new UsageError(
        `${names.join(', ')} ${names.length === 1 ? 'applies' : 'apply'} only to an ONNX --encoder, not to 'descriptor'`,
      );
    }
    return { kind: 'descriptor' };
  }
  if (!/\.onnx$/i.test(arg))
    throw new UsageError(`expected 'descriptor' or the path of a .onnx image encoder, got '${arg}'`, '--encoder');
  const { size, pooling, mean, std, threads } = options;
  if (size !== undefined && !(Number.isInteger(size) && size >= 16 && size <= 4096))
    throw new UsageError(`expected an integer in 16..4096, got ${size}`, '--size');
  if (pooling !== undefined && pooling !== 'cls' && pooling !== 'mean')
    throw new UsageError(`expected 'cls' or 'mean', got '${String(pooling)}'`, '--pooling');
  checkTriple('--mean', mean, false);
  checkTriple('--std', std, true);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1))
    throw new UsageError(`expected an integer >= 1, got ${threads}`, '--threads');
  return { kind: 'onnx', model: arg, ...Object.fromEntries(given.map((k) => [k, options[k]])) };
}

function checkTriple(option: string, v: readonly number[] | undefined, positive: boolean): void {
  if (v === undefined) return;
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x) || (positive && x <= 0))) {
    throw new UsageError(`expected three${positive ? ' positive' : ''} numbers (r,g,b), got ${v.join(',')}`, option);
  }
}
