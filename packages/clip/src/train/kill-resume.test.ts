import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '@bioscan5m/dna/model';
import { loadClipCheckpoint } from './checkpoint.js';
import { syntheticPairs } from './synthetic-pairs.js';
import { trainClip } from './train-clip.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'clip-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const child = fileURLToPath(new URL('./train-child.fixture.ts', import.meta.url));
const stepOf = (file: string) => Number(readSafetensors(file).metadata.step);
const STEPS = 100_000;

describe('alignment checkpoint survives SIGKILL', () => {
  it('a training process killed mid-run resumes from its checkpoint to the uninterrupted result, bit for bit', async () => {
    const ck = path.join(dir, 'run.safetensors');
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ck, String(STEPS)], { stdio: 'ignore' });
    const t0 = Date.now();
    let killedAt = -1;
    while (Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 50));
      let step = 0;
      try {
        step = existsSync(ck) ? stepOf(ck) : 0;
      } catch {
        continue; // never a half-written file (atomic rename), but the file may be replaced while read
      }
      if (step >= 5) {
        proc.kill('SIGKILL');
        await new Promise((r) => proc.once('exit', r));
        killedAt = stepOf(ck);
        break;
      }
    }
    expect(killedAt).toBeGreaterThanOrEqual(5);
    expect(killedAt).toBeLessThan(STEPS);
    const opts = { data: syntheticPairs({ seed: 3 }), steps: STEPS, batchSize: 32, dim: 32, lr: 2e-3, seed: 9 };
    const stopAt = killedAt + 4;
    const resumed = await trainClip({ ...opts, checkpoint: ck, resume: true, stopAfter: stopAt });
    expect(resumed.startStep).toBe(killedAt);
    const ref = await trainClip({ ...opts, stopAfter: stopAt, checkpoint: path.join(dir, 'ref.safetensors') });
    expect(resumed.losses).toEqual(ref.losses);
    const a = await loadClipCheckpoint(ck);
    const b = await loadClipCheckpoint(path.join(dir, 'ref.safetensors'));
    expect(a.step).toBe(stopAt);
    expect(a.heads.logitScale).toBe(b.heads.logitScale);
    for (const [m, h] of Object.entries(b.heads.heads)) {
      expect(Array.from(a.heads.heads[m].w), m).toEqual(Array.from(h.w));
      expect(Array.from(a.heads.heads[m].b), m).toEqual(Array.from(h.b));
    }
    for (const [name, t] of b.optimizer)
      expect(Array.from(a.optimizer.get(name)!.data), name).toEqual(Array.from(t.data));
    // Resuming with other settings is refused.
    await expect(trainClip({ ...opts, lr: 1e-3, checkpoint: ck, resume: true, stopAfter: stopAt + 1 })).rejects.toThrow(
      /other settings/,
    );
  });
});
