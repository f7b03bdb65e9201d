import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Modality } from '@bioscan5m/core';
import { evaluateHeads } from '../retrieval/evaluate-heads.js';
import { loadClipCheckpoint, saveClipCheckpoint } from './checkpoint.js';
import { initHeads, INIT_LOGIT_SCALE, MAX_LOGIT_SCALE, type ClipHeads } from './heads.js';
import { batchAt, pairBySpecies, selectRows } from './paired-data.js';
import { splitBySpecies } from './species-split.js';
import { syntheticPairs } from './synthetic-pairs.js';
import { trainClip } from './train-clip.js';

const all = syntheticPairs({ seed: 1 });
const train = selectRows(
  all,
  all.split.map((s, i) => (s === 'train' ? i : -1)).filter((i) => i >= 0),
);

/** Macro top-1 species accuracy (seen, unseen) of `q` queries against `k` keys through the heads. */
async function speciesTop1(heads: ClipHeads, q: Modality, k: Modality): Promise<[number, number]> {
  const acc = await evaluateHeads({ data: all, heads, query: q, key: k, ranks: ['species'], ks: [1] });
  return [acc.rows[0].macro!, acc.rows[1].macro!];
}

describe('trainClip', () => {
  it('lifts DNA->DNA, image->image and image->DNA retrieval over the frozen baseline (random heads) on held-out records', async () => {
    const res = await trainClip({ data: train, steps: 150, batchSize: 64, dim: 48, lr: 2e-3, seed: 0 });
    expect(res.losses[res.losses.length - 1]).toBeLessThan(res.losses[0] * 0.5);
    const baseline = initHeads(
      (['image', 'dna', 'text'] as Modality[]).map((m) => ({ modality: m, inDim: all.features[m]!.dim })),
      48,
      0,
    );
    for (const [q, k] of [
      ['dna', 'dna'],
      ['image', 'image'],
      ['image', 'dna'],
    ] as [Modality, Modality][]) {
      const [bs, bu] = await speciesTop1(baseline, q, k);
      const [as, au] = await speciesTop1(res.heads, q, k);
      expect(as, `${q}->${k} seen`).toBeGreaterThan(bs + 10);
      expect(au, `${q}->${k} unseen`).toBeGreaterThan(bu + 10);
    }
    expect(res.heads.logitScale).toBeLessThanOrEqual(MAX_LOGIT_SCALE);
    expect(res.pairsPerSecond).toBeGreaterThan(0);
  });

  it('fixed temperature keeps the logit scale at 1/0.07; the learnable one is clamped at 100', async () => {
    const fixed = await trainClip({
      data: train,
      steps: 5,
      batchSize: 32,
      dim: 16,
      temperature: 'fixed',
      pairs: [['image', 'dna']],
    });
    expect(fixed.heads.logitScale).toBe(Math.fround(INIT_LOGIT_SCALE));
    expect(Object.keys(fixed.heads.heads).sort()).toEqual(['dna', 'image']);
    // A checkpoint whose scale was pushed past 100 comes back clamped after the next step.
    const ck = path.join(mkdtempSync(path.join(tmpdir(), 'clip-clamp-')), 'ck.safetensors');
    const opts = { data: train, steps: 3, batchSize: 32, dim: 16, pairs: [['image', 'dna']] as const, checkpoint: ck };
    await trainClip({ ...opts, stopAfter: 2 });
    const saved = await loadClipCheckpoint(ck);
    await saveClipCheckpoint(ck, { ...saved, heads: { ...saved.heads, logitScale: 10 } });
    const hot = await trainClip({ ...opts, resume: true });
    expect(hot.startStep).toBe(2);
    expect(hot.heads.logitScale).toBe(Math.fround(MAX_LOGIT_SCALE));
    rmSync(path.dirname(ck), { recursive: true, force: true });
  });

  it('refuses a pair whose features are missing', async () => {
    const dnaOnly = { ...train, features: { dna: train.features.dna } };
    await expect(trainClip({ data: dnaOnly, steps: 1 })).rejects.toThrow(/at least two modalities/);
    await expect(
      trainClip({ data: train, steps: 1, pairs: [['image', 'dna']], dim: 8 }).then(() =>
        trainClip({ data: dnaOnly, steps: 1, pairs: [['image', 'dna']] }),
      ),
    ).rejects.toThrow(/no image features/);
  });
});

describe('paired data', () => {
  it('splitBySpecies holds out whole species and keeps a query and a key of each', () => {
    const species = ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c', 'd', '', 'e', 'e', 'f', 'f'];
    const { split, left } = splitBySpecies(species, { seed: 1, unseenShare: 0.4 });
    expect(left).toBe(2); // '' and the single-record species d
    const bySpecies = new Map<string, string[]>();
    species.forEach((s, i) => split[i] && bySpecies.set(s, [...(bySpecies.get(s) ?? []), split[i]]));
    let unseen = 0;
    for (const [, sp] of bySpecies) {
      const u = sp[0].includes('unseen');
      unseen += u ? 1 : 0;
      expect(sp.every((x) => x.includes('unseen') === u)).toBe(true);
      expect(sp.some((x) => x.startsWith('test'))).toBe(true);
      expect(sp.some((x) => x === 'train' || x === 'key_unseen')).toBe(true);
    }
    expect(unseen).toBe(2);
  });

  it('batches are a seeded permutation per epoch, the same for any caller', () => {
    const a = Array.from({ length: 5 }, (_, s) => Array.from(batchAt(20, 8, 3, s)));
    // 20 rows, batch 8: two batches per epoch (last partial dropped); each epoch's batches hold distinct rows.
    expect(new Set([...a[0], ...a[1]]).size).toBe(16);
    expect(Array.from(batchAt(20, 8, 3, 4))).toEqual(a[4]);
    expect(a[2]).not.toEqual(a[0]);
  });

  it('pairBySpecies rotates through the partner records of each species and counts the unpaired', () => {
    const p = pairBySpecies(['a', 'a', 'a', 'b', '', 'c'], ['a', 'b', 'a', 'b'], 1);
    expect(p.unpaired).toBe(2);
    expect(p.a).toEqual([0, 1, 2, 3]);
    const partners = p.b.slice(0, 3);
    expect(new Set(partners.slice(0, 2))).toEqual(new Set([0, 2]));
    expect(partners[2]).toBe(partners[0]);
    expect([1, 3]).toContain(p.b[3]);
  });
});
