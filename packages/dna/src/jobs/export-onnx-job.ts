/** runExportOnnxJob: our checkpoint -> an ONNX encoder file (needs onnx-proto, not tfjs). */
import { checkOutputPaths, writeFileAtomic } from '@bioscan5m/core';
import { readCheckpointFile } from '../model/checkpoint-file.js';
import { encoderToOnnx } from '../onnx/export.js';
import type { ExportOnnxJobOptions, ExportOnnxJobSummary } from './types.js';

export async function runExportOnnxJob(o: ExportOnnxJobOptions): Promise<ExportOnnxJobSummary> {
  checkOutputPaths({ inputs: { checkpoint: o.checkpoint }, outputs: { out: o.out } });
  const ck = readCheckpointFile(o.checkpoint);
  const bytes = await encoderToOnnx(ck.config, ck.encoder);
  writeFileAtomic(o.out, bytes);
  return { out: o.out, config: ck.config, bytes: bytes.length };
}
