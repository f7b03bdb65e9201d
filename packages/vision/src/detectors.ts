/** Detector construction from a serialisable spec (so worker threads can build their own copy). */
import { readFileSync } from 'node:fs';
import { Bioscan5mError } from '@bioscan5m/core';
import { BuiltinDetector, type BuiltinDetectorParams } from './builtin-detector.js';
import { FEATURE_NAMES, type RescorerWeights } from './rescorer.js';
import { OnnxDetector, type OnnxDetectorOptions } from './onnx-detector.js';
import type { Detector } from './types.js';

export type DetectorSpec =
  | { kind: 'builtin'; params?: Partial<BuiltinDetectorParams>; /** Re-scorer weights JSON from `vision train`. */ weightsFile?: string }
  | { kind: 'onnx'; model: string; options?: OnnxDetectorOptions };

export async function createDetector(spec: DetectorSpec): Promise<Detector> {
  if (spec.kind === 'builtin') return spec.weightsFile ? new BuiltinDetector(spec.params, readWeights(spec.weightsFile)) : new BuiltinDetector(spec.params);
  if (spec.kind === 'onnx') return OnnxDetector.load(spec.model, spec.options);
  throw new Bioscan5mError(`unknown detector kind ${(spec as { kind: string }).kind}`);
}

/** Reads re-scorer weights written by `bioscan5m vision train`, checking they fit this version's features. */
export function readWeights(file: string): RescorerWeights {
  let w: RescorerWeights;
  try {
    w = JSON.parse(readFileSync(file, 'utf8')) as RescorerWeights;
  } catch (err) {
    throw new Bioscan5mError(`${file}: cannot read detector weights: ${(err as Error).message}`);
  }
  const d = FEATURE_NAMES.length;
  if (!Array.isArray(w.features) || w.features.join() !== FEATURE_NAMES.join() || w.w?.length !== d || w.mean?.length !== d || w.std?.length !== d) {
    throw new Bioscan5mError(`${file}: not detector weights for this version (expected ${d} features: ${FEATURE_NAMES.slice(0, 3).join(', ')}, ...); retrain with 'bioscan5m vision train'`);
  }
  return w;
}

/** CLI-style detector argument: "builtin", re-scorer weights (.json from `vision train`) or a .onnx DETR export. */
export function parseDetectorArg(arg: string | undefined): DetectorSpec {
  if (!arg || arg === 'builtin') return { kind: 'builtin' };
  if (/\.onnx$/i.test(arg)) return { kind: 'onnx', model: arg };
  if (/\.json$/i.test(arg)) return { kind: 'builtin', weightsFile: arg };
  throw new Bioscan5mError(`--detector must be 'builtin', a weights .json from 'vision train' or a .onnx file, got '${arg}'`);
}
