// Child process for kill-resume.test.ts: pretrains with a checkpoint every step until killed.
import { readFileSync } from 'node:fs';
import { initBackend } from '../backend.js';
import { pretrainMlm } from './mlm.js';

const [checkpoint, steps] = process.argv.slice(2);
const seqs = (
  JSON.parse(readFileSync(new URL('../tokenizer/golden-tokens.json', import.meta.url), 'utf8')) as {
    sequences: string[];
  }
).sequences.filter((s) => s.length > 300);
await initBackend();
await pretrainMlm({
  sequences: seqs,
  config: { k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 },
  steps: Number(steps),
  batchSize: 4,
  maxLr: 1e-3,
  seed: 5,
  checkpoint,
  checkpointEvery: 1,
  resume: true,
});
