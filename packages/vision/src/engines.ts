/**
 * onnxruntime-node, loaded on first use (an ONNX detector or image encoder), never when the package is imported.
 * It is an optional peer dependency: the built-in detector and the descriptor encoder need only sharp, and a
 * missing onnxruntime-node is a MissingDependencyError that names it.
 */
import { optionalPackage } from '@bioscan5m/core';
import { onnxRuntimeDefaults } from '@bioscan5m/core/internal';

export type Ort = typeof import('onnxruntime-node');

export const loadOrt = optionalPackage<Ort>('onnxruntime-node', 'running an ONNX detector or image encoder', () => {
  onnxRuntimeDefaults();
  return import('onnxruntime-node');
});
