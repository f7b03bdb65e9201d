// Child process for kill-resume.test.ts: pretrains with a checkpoint every step until killed, on the engine named
// by the third argument ('tfjs' or 'onnx').
import { readFileSync } from 'node:fs';
import { initBackend } from '../backend.js';
import { pretrainMlm } from './mlm.js';
import { runPretrainLoop } from './pretrain-loop.js';
import { createOrtMlmEngine } from '../train/ort-engine.js';

const [checkpoint, steps, engine = 'tfjs'] = process.argv.slice(2);
const seqs = (
  JSON.parse(readFileSync(new URL('../tokenizer/golden-tokens.json', import.meta.url), 'utf8')) as {
    sequences: string[];
  }
).sequences.filter((s) => s.length > 300);
const options = {
  sequences: seqs,
  config: { k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 },
  steps: Number(steps),
  batchSize: 4,
  maxLr: 1e-3,
  seed: 5,
  checkpoint,
  checkpointEvery: 1,
  resume: true,
};
if (engine === 'onnx') await runPretrainLoop(options, (s) => createOrtMlmEngine(s, { threads: 2 }));
else {
  await initBackend();
  await pretrainMlm(options);
}
