import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../rng.js';
import { readTable } from '../io/table.js';
import { synthesizeMetadata, runSynthJob } from '../synth/generate.js';
import { emptyRecord, type MetadataRecord } from '../schema.js';
import { isPlaceholderSpecies } from './placeholder.js';
import { pickTestBarcodes, pickValBarcodes, testBarcodeCap, testTarget, testUpperBound } from './allocate.js';
import { splitDataset } from './records.js';
import { runSplitJob } from './file.js';
import { formatSplitTable } from './columns.js';
import { barcodeKey } from '../barcode/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const realBarcodes = path.resolve(repoRoot, '../shared/data/dna/coi_barcodes.csv');
const bioscan1m = path.resolve(repoRoot, '../shared/data/bioscan1m/bioscan1m_sample_metadata.tsv');

describe('placeholder species names', () => {
  it('applies the paper rule', () => {
    for (const s of [
      'Orthocentrus Malaise5315',
      'Anastatus sp. GG28',
      'gelBioLep01 BioLep3792',
      'Megaselia BOLD:ACN5814',
      'Aristotelia BioLep531',
      'Psychoda malaiseana',
    ]) {
      expect(isPlaceholderSpecies(s), s).toBe(true);
    }
    for (const s of ['Gnamptogenys sulcata', 'Megaselia scalaris', 'Aleiodes aff gasterator', 'Dacnusa gentiana']) {
      expect(isPlaceholderSpecies(s), s).toBe(false);
    }
  });
  it('adds the reference patterns as whole words only', () => {
    expect(isPlaceholderSpecies('Aleiodes aff gasterator', 'reference')).toBe(true);
    expect(isPlaceholderSpecies('Xus gen sp', 'reference')).toBe(true);
    expect(isPlaceholderSpecies('Xus_yus', 'reference')).toBe(true);
    expect(isPlaceholderSpecies('Xus yus?', 'reference')).toBe(true);
    expect(isPlaceholderSpecies('Gnamptogenys sulcata', 'reference')).toBe(false);
    expect(isPlaceholderSpecies('Dacnusa gentiana', 'reference')).toBe(false);
    expect(isPlaceholderSpecies('Affinia gena', 'reference')).toBe(false);
  });
});

describe('per-species allocation rules', () => {
  it('test: flattened target, barcode cap, upper bound, floor of 3', () => {
    const rng = createRng(9);
    let gave = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const nb = rng.int(1, 40);
      const sizes = Array.from({ length: nb }, () => (rng.random() < 0.6 ? 1 : rng.int(1, 12)));
      const n = sizes.reduce((a, b) => a + b, 0);
      const picked = pickTestBarcodes(sizes, rng);
      const taken = picked.reduce((a, b) => a + sizes[b], 0);
      if (nb < 2 || n < 8) {
        expect(picked).toEqual([]);
        continue;
      }
      expect(new Set(picked).size).toBe(picked.length);
      if (picked.length === 0) continue;
      gave++;
      expect(taken).toBeGreaterThanOrEqual(3);
      expect(taken).toBeLessThanOrEqual(Math.max(testTarget(n), Math.min(testUpperBound(n), 25)));
      expect(taken).toBeLessThanOrEqual(25);
      expect(picked.length).toBeLessThanOrEqual(testBarcodeCap(nb));
      expect(picked.length).toBeLessThan(nb);
    }
    expect(gave).toBeGreaterThan(500);
    expect(testTarget(8)).toBe(4);
    expect(testTarget(92)).toBe(25);
    expect(testTarget(500)).toBe(25);
    expect(testBarcodeCap(2)).toBe(1);
    expect(testBarcodeCap(5)).toBe(2);
  });
  it('val: ~5% of big species, one single-image barcode from the tail, never a single-sample species', () => {
    const rng = createRng(4);
    expect(pickValBarcodes([1], rng)).toEqual([]);
    const tail = [3, 1, 2, 1];
    const t = pickValBarcodes(tail, rng);
    expect(t).toHaveLength(1);
    expect(tail[t[0]]).toBe(1);
    const big = Array.from({ length: 200 }, () => 1);
    expect(pickValBarcodes(big, rng)).toHaveLength(10);
  });
});

function bySpecies(records: MetadataRecord[], split: string): Map<string, MetadataRecord[]> {
  const m = new Map<string, MetadataRecord[]>();
  for (const r of records) if (r.split === split && r.species) m.set(r.species, [...(m.get(r.species) ?? []), r]);
  return m;
}

describe('splitDataset on synthetic BIOSCAN-5M metadata', () => {
  const input = Array.from(synthesizeMetadata({ rows: 30_000, seed: 21 })).map((r) => ({ ...r, split: '', chunk: '' }));
  const { records, summary } = splitDataset(input, { seed: 3 });

  it('keeps every record and puts each barcode in one split', () => {
    expect(records).toHaveLength(input.length);
    const where = new Map<string, string>();
    const bad: string[] = [];
    for (const r of records) {
      const b = barcodeKey(r.dna_barcode);
      const prev = where.get(b);
      if (prev !== undefined && r.split !== prev) bad.push(`${r.processid}: ${r.split} vs ${prev}`);
      else where.set(b, r.split);
    }
    expect(bad).toEqual([]);
  });

  it('sends unlabelled samples to pretrain and unseen species only from seen genera', () => {
    const bad: string[] = [];
    for (const r of records)
      if (!r.species && r.split !== 'pretrain') bad.push(`${r.processid}: unlabelled in ${r.split}`);
    const seenGenera = new Set(records.filter((r) => ['train', 'val', 'test'].includes(r.split)).map((r) => r.genus));
    for (const s of ['key_unseen', 'val_unseen', 'test_unseen']) {
      expect(summary.splits[s as 'key_unseen'].samples, s).toBeGreaterThan(0);
      for (const r of records)
        if (r.split === s && !seenGenera.has(r.genus)) bad.push(`${r.species}: genus ${r.genus} not seen`);
    }
    for (const r of records) {
      if (['train', 'val', 'test'].includes(r.split) && isPlaceholderSpecies(r.species))
        bad.push(`${r.species} in ${r.split}`);
      if ((r.split.endsWith('unseen') || r.split === 'other_heldout') && !isPlaceholderSpecies(r.species))
        bad.push(`${r.species} in ${r.split}`);
    }
    expect(bad).toEqual([]);
  });

  it('keeps test per-species counts within the flattened rule', () => {
    const all = new Map<string, number>();
    for (const r of records) if (r.species) all.set(r.species, (all.get(r.species) ?? 0) + 1);
    for (const split of ['test', 'test_unseen']) {
      const test = bySpecies(records, split);
      expect(test.size).toBeGreaterThan(5);
      for (const [sp, rs] of test) {
        const n = all.get(sp)!;
        expect(rs.length).toBeGreaterThanOrEqual(3);
        expect(rs.length).toBeLessThanOrEqual(Math.min(25, Math.max(testTarget(n), testUpperBound(n))));
        expect(n).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it('gives the paper-like ratio among seen samples and fills chunks', () => {
    const seen = summary.splits.train.samples + summary.splits.val.samples + summary.splits.test.samples;
    expect(summary.splits.train.samples / seen).toBeGreaterThan(0.78);
    expect(summary.splits.val.samples / seen).toBeGreaterThan(0.025);
    expect(summary.splits.val.samples / seen).toBeLessThan(0.06);
    expect(summary.splits.test.samples / seen).toBeGreaterThan(0.07);
    expect(summary.splits.test.samples / seen).toBeLessThan(0.17);
    const unseenRest = summary.splits.key_unseen.samples + summary.splits.val_unseen.samples;
    expect(summary.splits.val_unseen.samples / unseenRest).toBeGreaterThan(0.12);
    expect(summary.splits.val_unseen.samples / unseenRest).toBeLessThan(0.22);
    const badChunks = records.filter(
      (r) =>
        r.chunk.length !== (r.split === 'pretrain' ? 2 : r.split === 'train' || r.split === 'other_heldout' ? 1 : 0),
    );
    expect(badChunks).toEqual([]);
    const table = formatSplitTable(summary);
    expect(table).toMatch(/^split\s+samples\s+barcodes\s+species/);
    expect(table).toContain('test_unseen');
  });

  it('is reproducible by seed', () => {
    const again = splitDataset(input, { seed: 3 });
    expect(again.splits).toEqual(records.map((r) => r.split));
    const other = splitDataset(input, { seed: 4 });
    expect(other.splits).not.toEqual(records.map((r) => r.split));
  });

  it('does not depend on the row order of the input', () => {
    const rng = createRng(77);
    const shuffled = rng.shuffle([...input]);
    const again = splitDataset(shuffled, { seed: 3 });
    const byId = new Map(again.records.map((r) => [r.processid, r.split]));
    const moved = records.filter((r) => byId.get(r.processid) !== r.split);
    expect(moved).toEqual([]);
  });

  it('groups samples whose barcodes differ only by trailing N, and follows the majority species of a barcode', () => {
    const mk = (species: string, barcode: string): MetadataRecord => ({
      ...emptyRecord(),
      processid: `${species}${barcode.length}${Math.random()}`,
      genus: species.split(' ')[0],
      species,
      dna_barcode: barcode,
    });
    const rs: MetadataRecord[] = [];
    for (let b = 0; b < 12; b++) rs.push(mk('Aus bus', `ACGT${b}`), mk('Aus bus', `ACGT${b}`));
    rs.push(mk('', 'ACGT0NNN'), mk('Aus cus', 'ACGT1'));
    const res = splitDataset(rs, { seed: 1 });
    expect(res.summary.conflictingBarcodes).toBe(1);
    expect(res.splits[24]).toBe(res.splits[0]);
    expect(res.splits[25]).toBe(res.splits[2]);
  });
});

describe('runSplitJob', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'split-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a file to the same split as splitDataset and keeps every column', async () => {
    const file = path.join(dir, 'in.csv');
    await runSynthJob({ out: file, rows: 6000, seed: 8 });
    const out = path.join(dir, 'out.csv');
    const summary = await runSplitJob({ input: file, out, seed: 5 });
    const inRecs = Array.from(synthesizeMetadata({ rows: 6000, seed: 8 }));
    const mem = splitDataset(inRecs, { seed: 5 });
    const t = await readTable(out);
    const sc = t.header.indexOf('split');
    const cc = t.header.indexOf('chunk');
    expect(t.rows.map((r) => r[sc])).toEqual(mem.splits);
    expect(t.rows.map((r) => r[cc])).toEqual(mem.records.map((r) => r.chunk));
    expect(summary.splits).toEqual(mem.summary.splits);
  });

  it.skipIf(!existsSync(bioscan1m))('splits BIOSCAN-1M metadata without barcodes, saying so', async () => {
    const out = path.join(dir, 'b1m.tsv');
    const summary = await runSplitJob({ input: bioscan1m, out, seed: 1 });
    expect(summary.notes).toEqual([
      expect.stringMatching(/no 'dna_barcode' column: every row is its own barcode group/),
    ]);
    expect(summary.rowsWithoutBarcode).toBe(summary.rows);
    const t = await readTable(out);
    expect(t.rows.length).toBe(summary.rows);
    expect(t.header.slice(-2)).toEqual(['split', 'chunk']);
    expect(summary.speciesSets.seen.species).toBeGreaterThan(50);
  });

  it.skipIf(!existsSync(realBarcodes))(
    'splits the real barcode table with barcode-grouped, complete output',
    async () => {
      const out = path.join(dir, 'real.csv');
      const summary = await runSplitJob({ input: realBarcodes, out, seed: 1 });
      const t = await readTable(out);
      const input = await readTable(realBarcodes);
      expect(t.rows.length).toBe(input.rows.length);
      expect(t.header).toEqual([...input.header, 'split', 'chunk']);
      const total = Object.values(summary.splits).reduce((a, s) => a + s.samples, 0);
      expect(total).toBe(input.rows.length);
      expect(summary.speciesSets.seen.species).toBeGreaterThan(100);
      const bc = t.header.indexOf('dna_barcode');
      const sc = t.header.indexOf('split');
      const where = new Map<string, string>();
      for (const r of t.rows) {
        const b = barcodeKey(r[bc]);
        if (!b) continue;
        if (where.has(b)) expect(r[sc]).toBe(where.get(b));
        else where.set(b, r[sc]);
      }
    },
  );
});

describe('barcode hashing', () => {
  it('separates barcodes that differ at one site and ignores trailing N only', async () => {
    const { barcodeHash, barcodeHashBytes } = await import('../barcode/index.js');
    const base = 'ACGT'.repeat(165) + 'AC';
    const seen = new Set<number>();
    for (let i = 0; i < base.length; i++) {
      for (const b of 'ACGT') {
        if (b === base[i]) continue;
        const v = base.slice(0, i) + b + base.slice(i + 1);
        const h = barcodeHash(v);
        expect(barcodeHashBytes(Buffer.from(v), 0, v.length)).toBe(h);
        seen.add(h);
      }
    }
    expect(seen.size).toBe(base.length * 3);
    expect(seen.has(barcodeHash(base))).toBe(false);
    expect(barcodeHash(base + 'NNN')).toBe(barcodeHash(base));
    expect(barcodeHash('N' + base)).not.toBe(barcodeHash(base));
    expect(barcodeHash('NNN')).toBe(-1);
  });
});
