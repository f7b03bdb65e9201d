/**
 * The optional heavy engines, each loaded on first use (never when the package is imported): onnxruntime-node
 * runs ONNX encoders, onnx-proto reads and writes ONNX files, @tensorflow/tfjs trains. They are optional peer
 * dependencies, so identification installs without them; a missing one is a MissingDependencyError naming it.
 */
import { optionalPackage } from '@bioscan5m/core';
import { onnxRuntimeDefaults } from '@bioscan5m/core/internal';

export type Ort = typeof import('onnxruntime-node');
export type OnnxProto = (typeof import('onnx-proto'))['onnx'];

export const loadOrt = optionalPackage<Ort>('onnxruntime-node', 'running an ONNX DNA encoder', () => {
  onnxRuntimeDefaults();
  return import('onnxruntime-node');
});

// onnx-proto is CommonJS: Node's ESM loader sees only its default export.
export const loadOnnxProto = optionalPackage<OnnxProto>(
  'onnx-proto',
  'reading or writing an ONNX DNA encoder',
  async () => {
    const m = (await import('onnx-proto')) as { default?: { onnx: OnnxProto }; onnx?: OnnxProto };
    return m.onnx ?? m.default!.onnx;
  },
);

/** The tfjs side of the package (training, fine-tuning, probes, tfjs embedding), a chunk that imports tfjs. */
export const loadModelCode = optionalPackage(
  '@tensorflow/tfjs',
  'training or running the tfjs DNA encoder',
  () => import('./jobs/model-jobs.js'),
);
