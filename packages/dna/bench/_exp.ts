import { runDnaBenchmarkJob } from '../src/index.js';
import { readFileSync } from 'node:fs';
const [outDir, steps, epochs, encLr, headLr] = process.argv.slice(2);
const r = await runDnaBenchmarkJob({
  data: '/work/shared/data/dna/coi_barcodes.csv',
  outDir,
  pretrainSteps: Number(steps),
  curvePoints: 2,
  finetuneEpochs: Number(epochs),
  encoderLr: Number(encLr),
  headLr: Number(headLr),
  cnnEpochs: 1,
  skip: ['cnn'],
  onLog: (l) => console.log(new Date().toISOString().slice(11, 19), l),
});
console.log(readFileSync(r.markdown, 'utf8'));
