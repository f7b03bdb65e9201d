/** Detector construction from a serialisable spec (so worker threads can build their own copy). */
import { readFileSync } from 'node:fs';
import { Bioscan5mError } from '@bioscan5m/core';
import { BuiltinDetector, type BuiltinDetectorParams } from './builtin-detector.js';
import { FEATURE_NAMES, type RescorerWeights } from './rescorer.js';
import { OnnxDetector, type OnnxDetectorOptions } from './onnx-detector.js';
import type { Detector } from './types.js';

export type DetectorSpec =
  | {
      kind: 'builtin';
      params?: Partial<BuiltinDetectorParams>;
      /** Re-scorer weights JSON from `vision train`. */ weightsFile?: string;
    }
  | { kind: 'onnx'; model: string; options?: OnnxDetectorOptions };

export async function createDetector(spec: DetectorSpec): Promise<Detector> {
  if (spec.kind === 'builtin')
    return spec.weightsFile
      ? new BuiltinDetector(spec.params, readWeights(spec.weightsFile))
      : new BuiltinDetector(spec.params);
  if (spec.kind === 'onnx') return OnnxDetector.load(spec.model, spec.options);
  throw new Bioscan5mError(
    `unknown detector kind '${String((spec as { kind: unknown }).kind)}' (expected 'builtin' or 'onnx')`,
    'BIOSCAN5M_USAGE',
  );
}

/** Reads re-scorer weights written by runDetectorTrainJob (`bioscan5m vision train`), checking they fit this version's features. */
export function readWeights(file: string): RescorerWeights {
  let w: RescorerWeights;
  try {
    w = JSON.parse(readFileSync(file, 'utf8')) as RescorerWeights;
  } catch (err) {
    throw new Bioscan5mError(`${file}: cannot read detector weights: ${(err as Error).message}`, 'BIOSCAN5M_INPUT');
  }
  const d = FEATURE_NAMES.length;
  if (
    !Array.isArray(w.features) ||
    w.features.join() !== FEATURE_NAMES.join() ||
    w.w?.length !== d ||
    w.mean?.length !== d ||
    w.std?.length !== d
  ) {
    throw new Bioscan5mError(
      `${file}: not detector weights for this version (expected ${d} features: ${FEATURE_NAMES.slice(0, 3).join(', ')}, ...); retrain with 'bioscan5m vision train'`,
      'BIOSCAN5M_INPUT',
    );
  }
  return w;
}
