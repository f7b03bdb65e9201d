/** Detector construction from a serialisable spec (so worker threads can build their own copy). */
import { Bioscan5mError } from '@bioscan5m/core';
import { BuiltinDetector, type BuiltinDetectorParams } from './builtin-detector.js';
import { OnnxDetector, type OnnxDetectorOptions } from './onnx-detector.js';
import type { Detector } from './types.js';

export type DetectorSpec =
  | { kind: 'builtin'; params?: Partial<BuiltinDetectorParams> }
  | { kind: 'onnx'; model: string; options?: OnnxDetectorOptions };

export async function createDetector(spec: DetectorSpec): Promise<Detector> {
  if (spec.kind === 'builtin') return new BuiltinDetector(spec.params);
  if (spec.kind === 'onnx') return OnnxDetector.load(spec.model, spec.options);
  throw new Bioscan5mError(`unknown detector kind ${(spec as { kind: string }).kind}`);
}

/** CLI-style detector argument: "builtin" or a path to a .onnx DETR export. */
export function parseDetectorArg(arg: string | undefined): DetectorSpec {
  if (!arg || arg === 'builtin') return { kind: 'builtin' };
  if (/\.onnx$/i.test(arg)) return { kind: 'onnx', model: arg };
  throw new Bioscan5mError(`--detector must be 'builtin' or a path to a .onnx file, got '${arg}'`);
}
