import { describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { BarcodeIdentifier, CHANCE_MARGIN, WEAK_HIT_BELOW } from './identifier.js';
import { syntheticSplit, toReference, HAVE_REAL, REAL_BARCODES } from './fixtures/data.js';
import { buildIdentifyProtocol } from './protocol.js';
import { IDENTIFY_RANKS } from './reference.js';

const SPECIES = 6;
const GENUS = 5;

describe('BarcodeIdentifier on generated barcodes', () => {
  const { reference, closed, open } = syntheticSplit(3);
  const identifier = BarcodeIdentifier.build(toReference(reference), { seed: 1 });

  it('learns a species threshold inside the generated barcode gap', () => {
    // Generated intraspecific distances are <= ~1%, congeneric species 2.5-7.5% from the genus root.
    expect(identifier.info.thresholdSource).toBe('learned');
    expect(identifier.info.speciesThreshold).toBeGreaterThan(0.95);
    expect(identifier.info.speciesThreshold).toBeLessThan(0.995);
  });

  it('identifies held-out barcodes of seen species', () => {
    expect(closed.length).toBeGreaterThan(50);
    const preds = identifier.identifyMany(closed.map((r) => r.dna_barcode));
    const correct = preds.filter((p, i) => p.lineage[SPECIES] === closed[i].species).length;
    expect(correct / closed.length).toBeGreaterThan(0.95);
    expect(preds.filter((p) => p.novel).length / closed.length).toBeLessThan(0.05);
    // Lineages are consistent: higher ranks are those of the predicted species.
    const byName = new Map(reference.map((r) => [r.species, r]));
    for (const p of preds.filter((x) => x.lineage[SPECIES])) {
      const r = byName.get(p.lineage[SPECIES])!;
      expect(p.lineage).toEqual(IDENTIFY_RANKS.map((k) => r[k]));
    }
  });

  it('a random query (658 or 5,000 nt) has "no similar reference": no genus, however weak its best hit', () => {
    const rng = createRng(42);
    const random = (n: number) => Array.from({ length: n }, () => 'ACGT'[rng.int(0, 3)]).join('');
    const preds = identifier.identifyMany([random(5000), random(5000), random(658), random(658), random(300)]);
    for (const p of preds) {
      expect(p.status).toBe('no-hit');
      expect(p.lineage.every((x) => x === '')).toBe(true);
      expect(p.confidence).toBe(0);
      // The search did find something, at chance level (about half the aligned columns match).
      expect(p.identity).toBeGreaterThan(0.4);
      expect(p.identity).toBeLessThan(WEAK_HIT_BELOW);
    }
  });

  it('a distant relative below the weak-hit bound but above chance still gets a lineage', () => {
    // A reference barcode with ~30% of its positions changed: far from everything, clearly above chance.
    const rng = createRng(7);
    const base = reference[0].dna_barcode.split('');
    for (let i = 0; i < base.length; i++) if (rng.random() < 0.4) base[i] = 'ACGT'[rng.int(0, 3)];
    const p = identifier.identify(base.join(''));
    expect(p.identity).toBeLessThan(WEAK_HIT_BELOW);
    expect(p.identity).toBeGreaterThan(0.55 + CHANCE_MARGIN);
    expect(p.status).toBe('ok');
    expect(p.lineage[0]).toBe(reference[0].phylum);
  });

  it('calls unseen species novel and names their genus', () => {
    expect(open.length).toBeGreaterThan(30);
    const preds = identifier.identifyMany(open.map((r) => r.dna_barcode));
    const novel = preds.filter((p) => p.novel).length / open.length;
    const genus = preds.filter((p, i) => p.lineage[GENUS] === open[i].genus).length / open.length;
    expect(novel).toBeGreaterThan(0.9);
    expect(genus).toBeGreaterThan(0.9);
    // Default: a novel query still names the nearest species of its genus, with a low confidence; 'empty'
    // leaves it out and gives the same genus.
    const empty = BarcodeIdentifier.build(toReference(reference), { seed: 1, novelSpecies: 'empty' });
    const bare = empty.identifyMany(open.map((r) => r.dna_barcode));
    preds.forEach((p, i) => {
      if (!p.novel) return;
      expect(p.lineage[SPECIES]).not.toBe('');
      expect(p.confidence).toBeLessThan(0.5);
      expect(bare[i].novel).toBe(true);
      expect(bare[i].lineage[SPECIES]).toBe('');
      expect(bare[i].lineage.slice(0, 6)).toEqual(p.lineage.slice(0, 6));
    });
  });

  it('confidence is higher for correct answers than for wrong ones, and within 0..1', () => {
    const all = [...closed, ...open];
    const preds = identifier.identifyMany(all.map((r) => r.dna_barcode));
    const right: number[] = [];
    const wrong: number[] = [];
    preds.forEach((p, i) => {
      expect(p.confidence).toBeGreaterThanOrEqual(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
      // Right at the deepest rank given (species, or genus when species is empty).
      const ok = p.lineage[SPECIES] ? p.lineage[SPECIES] === all[i].species : p.lineage[GENUS] === all[i].genus;
      (ok ? right : wrong).push(p.confidence);
    });
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);
    if (wrong.length) expect(mean(right)).toBeGreaterThan(mean(wrong));
    expect(mean(right)).toBeGreaterThan(0.7);
  });

  it('survives gaps, lowercase, IUPAC codes, a codon deletion and the reverse strand', () => {
    const q = closed[0];
    const s = q.dna_barcode;
    const messy = '---' + s.slice(0, 100).toLowerCase() + 'RY' + s.slice(102, 300) + s.slice(303) + 'NNN--';
    const rc = [...s]
      .reverse()
      .map((c) => ({ A: 'T', C: 'G', G: 'C', T: 'A' })[c] ?? 'N')
      .join('');
    for (const variant of [messy, rc]) {
      const p = identifier.identify(variant);
      expect(p.status).toBe('ok');
      expect(p.lineage[SPECIES]).toBe(q.species);
    }
    const messyPred = identifier.identify(messy);
    expect(messyPred.cleaning).toMatchObject({ gaps: 5, lowercase: 100, ambiguous: 2, trimmedN: 3 });
  });

  it('reports unusable queries instead of guessing, and keeps input order', () => {
    const inputs = ['', 'NNNN----', closed[1].dna_barcode, 'ACGT', closed[2].dna_barcode];
    const preds = identifier.identifyMany(inputs);
    expect(preds.map((p) => p.status)).toEqual(['no-sequence', 'no-sequence', 'ok', 'no-sequence', 'ok']);
    expect(preds[2].lineage[SPECIES]).toBe(closed[1].species);
    expect(preds[4].lineage[SPECIES]).toBe(closed[2].species);
    expect(preds[0].lineage.every((x) => x === '')).toBe(true);
  });

  it('minConfidence declines the deepest rank when its confidence is too low, keeping the coarser ones', () => {
    const opts = { seed: 1, novelSpecies: 'empty' } as const;
    const strict = BarcodeIdentifier.build(toReference(reference), { ...opts, minConfidence: 0.999 });
    const qs = open.map((r) => r.dna_barcode);
    const loose = BarcodeIdentifier.build(toReference(reference), opts).identifyMany(qs);
    const preds = strict.identifyMany(qs);
    let declined = 0;
    preds.forEach((p, i) => {
      if (loose[i].confidence >= 0.999) return expect(p.lineage).toEqual(loose[i].lineage);
      declined++;
      expect(p.lineage[GENUS]).toBe(''); // novel: genus was the deepest rank
      expect(p.lineage.slice(0, 4)).toEqual(loose[i].lineage.slice(0, 4));
    });
    expect(declined).toBeGreaterThan(0);
  });

  it('a closed-world run (threshold 0) never calls novel', () => {
    const cw = BarcodeIdentifier.build(toReference(reference), { speciesThreshold: 0 });
    expect(cw.info.thresholdSource).toBe('given');
    const preds = cw.identifyMany(open.slice(0, 20).map((r) => r.dna_barcode));
    expect(preds.every((p) => !p.novel && p.lineage[SPECIES] !== '')).toBe(true);
  });

  it('buildAsync/identifyManyAsync give the same answers (on the calling thread when workers cannot load the sources)', async () => {
    const a = await BarcodeIdentifier.buildAsync(toReference(reference), { seed: 1, threads: 2 });
    expect(a.threads).toBe(0); // TypeScript sources under vitest: no worker
    const qs = [...closed.slice(0, 20), ...open.slice(0, 20)].map((r) => r.dna_barcode);
    expect(await a.identifyManyAsync(qs)).toEqual(identifier.identifyMany(qs));
    expect(a.info.speciesThreshold).toBe(identifier.info.speciesThreshold);
    await a.close();
  });

  it('lists reference rows it cannot use', () => {
    const refs = toReference(reference.slice(0, 50));
    refs.push({ id: 'empty', barcode: '---', lineage: refs[0].lineage });
    refs.push({ id: 'unlabelled', barcode: reference[60].dna_barcode, lineage: IDENTIFY_RANKS.map(() => '') });
    const id = BarcodeIdentifier.build(refs);
    expect(id.info.skipped.map((s) => [s.index, s.id, s.reason])).toEqual([
      [50, 'empty', 'no usable sequence'],
      [51, 'unlabelled', 'no taxonomic label at any rank'],
    ]);
    expect(id.info.referenceRecords).toBe(50);
  });
});

describe.skipIf(!HAVE_REAL)('BarcodeIdentifier on real COI barcodes (shared data)', () => {
  it('closed world: species of held-out barcodes; open world: genus of unseen species', async () => {
    const p = await buildIdentifyProtocol(REAL_BARCODES, 7);
    const col = (n: string) => p.header.indexOf(n);
    const ranks = IDENTIFY_RANKS.map(col);
    const refs = p.reference.map((r) => ({
      id: r[col('record_id')],
      barcode: r[col('dna_barcode')],
      lineage: ranks.map((c) => r[c]),
    }));
    const identifier = BarcodeIdentifier.build(refs);
    // The real data has a barcode gap of a few percent.
    expect(identifier.info.speciesThreshold).toBeGreaterThan(0.93);
    expect(identifier.info.speciesThreshold).toBeLessThan(0.99);
    const acc = (rows: string[][], rank: number) => {
      const preds = identifier.identifyMany(rows.map((r) => r[col('dna_barcode')]));
      return { preds, acc: preds.filter((x, i) => x.lineage[rank] === rows[i][ranks[rank]]).length / rows.length };
    };
    const closed = acc(p.closed, SPECIES);
    const open = acc(p.open, GENUS);
    // Sanity floors well under the benchmark figures (BENCHMARKS.md), above what a broken search would reach.
    expect(closed.acc).toBeGreaterThan(0.85);
    expect(open.acc).toBeGreaterThan(0.5);
    expect(open.preds.filter((x) => x.novel).length / p.open.length).toBeGreaterThan(0.7);
  });
});
