import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipDemoStages } from './demo-clip.js';
import { demoStages } from './demo.js';

describe('clip demo stage', () => {
  it('aligns, prints the baseline beside the aligned table, says what it trained on, and writes files clip eval reads', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'cli-clip-demo-'));
    try {
      const lines: string[] = [];
      await clipDemoStages[0].run({ outDir: out, log: (l) => lines.push(l) });
      const text = lines.join('\n');
      expect(text).toMatch(/real data: \d+ embedded barcodes of \d+ species/);
      expect(text).toContain('synthetic data (not real specimens)');
      expect(text).toMatch(/image -> dna: macro top-1 accuracy/);
      expect(text).toMatch(/no alignment +aligned/);
      const res = JSON.parse(readFileSync(path.join(out, 'clip-retrieval.json'), 'utf8'));
      const top1 = (acc: { rows: { rank: string; set: string; macro: number }[] }, set: string) =>
        acc.rows.find((r) => r.rank === 'species' && r.set === set)!.macro;
      // Alignment lifts image->DNA over random heads on the held-out synthetic records.
      expect(top1(res.synthetic['image->dna'].aligned, 'seen')).toBeGreaterThan(
        top1(res.synthetic['image->dna'].baseline, 'seen') + 20,
      );
      for (const f of [
        'clip-aligned-dna-keys.npy',
        'clip-aligned-image-queries.npy',
        'clip-key-labels.csv',
        'clip-query-labels.csv',
        'clip-synth-image.npy',
      ])
        expect(existsSync(path.join(out, f)), f).toBe(true);
      expect(demoStages().map((s) => s.name)).toContain('clip');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
