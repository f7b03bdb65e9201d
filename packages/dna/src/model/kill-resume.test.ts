import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { pretrainMlm } from './mlm.js';
import { readCheckpointFile } from './checkpoint-file.js';
import type { PretrainOptions } from './config.js';
import { runPretrainLoop } from './pretrain-loop.js';
import { createOrtMlmEngine } from '../train/ort-engine.js';
import { readSafetensors } from './safetensors.js';

const stepOf = (file: string) => Number(readSafetensors(file).metadata.step);

const dir = mkdtempSync(path.join(os.tmpdir(), 'dna-kill-'));
const child = fileURLToPath(new URL('./pretrain-child.fixture.ts', import.meta.url));
const seqs = (
  JSON.parse(readFileSync(new URL('../tokenizer/golden-tokens.json', import.meta.url), 'utf8')) as {
    sequences: string[];
  }
).sequences.filter((s) => s.length > 300);
const STEPS = 400;

const opts = {
  sequences: seqs,
  config: { k: 4, layers: 1, heads: 2, hidden: 16, intermediate: 32 },
  steps: STEPS,
  batchSize: 4,
  maxLr: 1e-3,
  seed: 5,
};
const engines = {
  tfjs: (o: PretrainOptions) => pretrainMlm(o),
  onnx: (o: PretrainOptions) => runPretrainLoop(o, (s) => createOrtMlmEngine(s, { threads: 2 })),
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['tfjs', 'onnx'] as const)('checkpoint survives SIGKILL (%s engine)', (engine) => {
  beforeAll(async () => {
    await initBackend();
  });

  it('a pretraining process killed mid-run resumes from its checkpoint to the uninterrupted result, bit for bit', async () => {
    const ck = path.join(dir, `${engine}-run.safetensors`);
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ck, String(STEPS), engine], { stdio: 'ignore' });
    // Kill it hard once a few checkpoints have been written.
    const t0 = Date.now();
    let killedAt = -1;
    while (Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(ck) && stepOf(ck) >= 3) {
        proc.kill('SIGKILL');
        await new Promise((r) => proc.once('exit', r));
        killedAt = stepOf(ck);
        break;
      }
    }
    expect(killedAt).toBeGreaterThanOrEqual(3);
    expect(killedAt).toBeLessThan(STEPS);
    // Resume a few steps further and compare with an uninterrupted run of the same schedule stopped there.
    const stopAt = killedAt + 3;
    const resumed = await engines[engine]({ ...opts, checkpoint: ck, resume: true, stopAfter: stopAt });
    expect(resumed.startStep).toBe(killedAt);
    const refFile = path.join(dir, `${engine}-ref.safetensors`);
    const ref = await engines[engine]({ ...opts, stopAfter: stopAt, checkpoint: refFile });
    expect(resumed.losses).toEqual(ref.losses.slice(killedAt));
    const a = readCheckpointFile(ck);
    const b = readCheckpointFile(refFile);
    expect(a.step).toBe(stopAt);
    for (const group of ['encoder', 'head', 'optimizer'] as const) {
      expect([...a[group].keys()].sort()).toEqual([...b[group].keys()].sort());
      for (const [name, v] of b[group]) expect(Array.from(a[group].get(name)!.data), name).toEqual(Array.from(v.data));
    }
  });
});
