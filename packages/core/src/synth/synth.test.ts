import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METADATA_FIELDS } from '../schema.js';
import { readTable } from '../io/table.js';
import { synthesizeMetadataRows, synthesizeMetadata, runSynthJob, TABLE2_LABELLED_PERCENT } from './generate.js';
import { synthesizeBarcodes } from './barcodes.js';
import { pDistance } from './dna.js';

const col = (name: (typeof METADATA_FIELDS)[number]) => METADATA_FIELDS.indexOf(name);
const N = 40_000;
const rows = Array.from(synthesizeMetadataRows({ rows: N, seed: 11 }));

describe('synthesizeMetadata', () => {
  it('writes exactly the requested rows, 23 fields, unique processids', () => {
    expect(rows.length).toBe(N);
    expect(rows.every((r) => r.length === 23)).toBe(true);
    expect(new Set(rows.map((r) => r[col('processid')])).size).toBe(N);
  });

  it('is reproducible by seed and differs across seeds', () => {
    const a = Array.from(synthesizeMetadataRows({ rows: 3000, seed: 5 }));
    const b = Array.from(synthesizeMetadataRows({ rows: 3000, seed: 5 }));
    const c = Array.from(synthesizeMetadataRows({ rows: 3000, seed: 6 }));
    expect(b).toEqual(a);
    expect(c.map((r) => r[col('dna_barcode')])).not.toEqual(a.map((r) => r[col('dna_barcode')]));
  });

  it('labels each rank in the proportions of Table 2', () => {
    for (const [rank, pct] of Object.entries(TABLE2_LABELLED_PERCENT)) {
      const c = col(rank as 'phylum');
      const got = (100 * rows.filter((r) => r[c] !== '').length) / N;
      const tol = rank === 'subfamily' ? 3 : rank === 'species' || rank === 'genus' ? 2 : 1;
      expect(Math.abs(got - pct), `${rank}: ${got.toFixed(2)}% vs ${pct}%`).toBeLessThan(tol);
    }
  });

  it('has ~2 samples per barcode and power-law species sizes', () => {
    const stripped = new Set(rows.map((r) => r[col('dna_barcode')].replace(/N+$/, '')));
    const perBarcode = N / stripped.size;
    expect(perBarcode).toBeGreaterThan(1.8);
    expect(perBarcode).toBeLessThan(2.5);
    const bins = new Map<string, number>();
    for (const r of rows) if (r[col('dna_bin')]) bins.set(r[col('dna_bin')], (bins.get(r[col('dna_bin')]) ?? 0) + 1);
    const sizes = [...bins.values()].sort((x, y) => y - x);
    const median = sizes[Math.floor(sizes.length / 2)];
    expect(median).toBeLessThanOrEqual(4);
    expect(sizes[0] / median).toBeGreaterThan(100);
    const top1pc = sizes.slice(0, Math.ceil(sizes.length / 100)).reduce((a, b) => a + b, 0);
    expect(top1pc / N).toBeGreaterThan(0.15);
  });

  it('fills split and the md5 chunk rule; species-labelled rows only outside pretrain', () => {
    const counts: Record<string, number> = {};
    const bad: string[] = [];
    for (const r of rows) {
      const split = r[col('split')];
      counts[split] = (counts[split] ?? 0) + 1;
      if ((split === 'pretrain') !== (r[col('species')] === '')) bad.push(`${r[col('processid')]}: split ${split}`);
      const md5 = createHash('md5').update(r[col('processid')]).digest('hex');
      const w = split === 'pretrain' ? 2 : split === 'train' || split === 'other_heldout' ? 1 : 0;
      if (r[col('chunk')] !== md5.slice(0, w)) bad.push(`${r[col('processid')]}: chunk ${r[col('chunk')]}`);
    }
    expect(bad).toEqual([]);
    for (const s of ['pretrain', 'train', 'val', 'test', 'key_unseen', 'val_unseen', 'test_unseen', 'other_heldout']) {
      expect(counts[s], s).toBeGreaterThan(0);
    }
    const seen = counts.train + counts.val + counts.test;
    expect(counts.train / seen).toBeGreaterThan(0.75);
    expect(counts.val / seen).toBeGreaterThan(0.02);
    expect(counts.test / seen).toBeGreaterThan(0.07);
    expect(counts.test / seen).toBeLessThan(0.18);
  });

  it('gives valid typed records with in-range numbers', () => {
    let i = 0;
    for (const rec of synthesizeMetadata({ rows: 2000, seed: 2 })) {
      i++;
      expect(rec.phylum).toBe('Arthropoda');
      if (rec.area_fraction !== null) expect(rec.area_fraction).toBeGreaterThan(0);
      if (rec.area_fraction !== null) expect(rec.area_fraction).toBeLessThanOrEqual(1);
      expect(rec.inferred_ranks).toBeGreaterThanOrEqual(0);
      expect(rec.inferred_ranks).toBeLessThanOrEqual(6);
      // inferred_ranks = c: rank (7 - c) was copied, so the record is labelled at least that deep.
      const ranks = ['phylum', 'class', 'order', 'family', 'subfamily', 'genus', 'species'] as const;
      let depth = 0;
      ranks.forEach((k, r) => rec[k] !== '' && (depth = r));
      if (rec.inferred_ranks! > 0) expect(rec.inferred_ranks).toBeGreaterThanOrEqual(7 - depth);
      if (rec['coord-lat'] !== null) expect(Math.abs(rec['coord-lat'])).toBeLessThanOrEqual(90);
    }
    expect(i).toBe(2000);
  });
});

describe('synthetic barcode gap', () => {
  const recs = synthesizeBarcodes({ species: 120, perSpecies: [4, 10], seed: 3 });

  it('keeps within-species divergence at 0-2% and between congeners at ~5-15%, more between genera', () => {
    const bySpecies = new Map<string, typeof recs>();
    for (const r of recs) bySpecies.set(r.species, [...(bySpecies.get(r.species) ?? []), r]);
    const within: number[] = [];
    for (const rs of bySpecies.values()) {
      const u = [...new Set(rs.map((r) => r.dna_barcode))];
      for (let i = 0; i < u.length; i++) for (let j = i + 1; j < u.length; j++) within.push(pDistance(u[i], u[j]));
    }
    const reps = [...bySpecies.values()].map((rs) => rs[0]);
    const congeners: number[] = [];
    const otherGenera: number[] = [];
    for (let i = 0; i < reps.length; i++) {
      for (let j = i + 1; j < reps.length; j++) {
        const d = pDistance(reps[i].dna_barcode, reps[j].dna_barcode);
        (reps[i].genus === reps[j].genus ? congeners : otherGenera).push(d);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(within.length).toBeGreaterThan(50);
    expect(Math.max(...within)).toBeLessThanOrEqual(0.021);
    expect(congeners.length).toBeGreaterThan(20);
    expect(mean(congeners)).toBeGreaterThan(0.05);
    expect(mean(congeners)).toBeLessThan(0.15);
    expect(Math.min(...congeners)).toBeGreaterThan(Math.max(...within));
    expect(mean(otherGenera)).toBeGreaterThan(mean(congeners));
  });

  it('labels every record to species and is seeded', () => {
    expect(recs.every((r) => r.species.startsWith(`${r.genus} `))).toBe(true);
    expect(synthesizeBarcodes({ species: 5, perSpecies: 3, seed: 3 })).toEqual(
      synthesizeBarcodes({ species: 5, perSpecies: 3, seed: 3 }),
    );
    expect(synthesizeBarcodes({ species: 5, perSpecies: 3, seed: 3 }).length).toBe(15);
  });
});

describe('runSynthJob', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a CSV with the release header that reads back, reporting progress', async () => {
    const file = path.join(dir, 'meta.csv');
    const seen: number[] = [];
    const { rows: n } = await runSynthJob({ out: file, rows: 1500, seed: 4, onProgress: (d) => seen.push(d) });
    expect(n).toBe(1500);
    expect(seen.at(-1)).toBe(1500);
    expect(readFileSync(file, 'utf8').split('\n', 1)[0]).toBe(METADATA_FIELDS.join(','));
    const t = await readTable(file);
    expect(t.rows.length).toBe(1500);
    expect(t.rows[0]).toEqual(Array.from(synthesizeMetadataRows({ rows: 1500, seed: 4 }))[0]);
  });
});
