import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyRecord, TAXONOMIC_RANKS, type MetadataRecord } from '../schema.js';
import { readTable } from '../io/table.js';
import { cleanLabels } from './records.js';
import { runCleanJob } from './file.js';
import { fixMalaise, isOpenNomenclature, variantKey } from './normalize.js';
import { barcodeKey } from '../barcode/index.js';
import { synthesizeMetadata } from '../synth/generate.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const sharedData = path.resolve(repoRoot, '../shared/data');
const realBarcodes = path.join(sharedData, 'dna/coi_barcodes.csv');

let nextId = 0;
function rec(labels: Partial<MetadataRecord>): MetadataRecord {
  return {
    ...emptyRecord(),
    processid: `P${nextId++}`,
    phylum: 'Arthropoda',
    class: 'Insecta',
    order: 'Diptera',
    ...labels,
  };
}
const BC = 'ACGT'.repeat(10);

describe('string normalisers', () => {
  it('fixes misspelt and mis-cased Malaise only in code tokens', () => {
    expect(fixMalaise('Oxysarcodexia Malasie4749')).toBe('Oxysarcodexia Malaise4749');
    expect(fixMalaise('Oxysarcodexia malaise4749')).toBe('Oxysarcodexia Malaise4749');
    expect(fixMalaise('Oxysarcodexia MALAISE4749')).toBe('Oxysarcodexia Malaise4749');
    expect(fixMalaise('chalMaliase9590')).toBe('chalMalaise9590');
    expect(fixMalaise('chmaMalaise01')).toBe('chmaMalaise01');
    expect(fixMalaise('chmaMalasie01')).toBe('chmaMalaise01');
    expect(fixMalaise('Malaisea malaysiana')).toBe('Malaisea malaysiana');
    expect(fixMalaise('Megaselia sp. 11GMK')).toBe('Megaselia sp. 11GMK');
  });
  it('recognises non-unique open nomenclature but keeps coded placeholders', () => {
    for (const s of [
      'Pseudosciara sp.',
      'Olixon cf. testaceum',
      'Dacnusa nr. faeroeensis',
      'Megaselia sp',
      'Aleiodes aff. gasterator',
    ]) {
      expect(isOpenNomenclature(s), s).toBe(true);
    }
    for (const s of [
      'Psychoda sp. 11GMK',
      'Anastatus sp. GG28',
      'Gnamptogenys sulcata',
      'Orthocentrus Malaise5315',
      'Cryptophilus sp. SAEVG Morph0281',
    ]) {
      expect(isOpenNomenclature(s), s).toBe(false);
    }
  });
  it('compares variants up to case, white space and zero padding', () => {
    expect(variantKey('Megaselia  Malaise0474')).toBe(variantKey('megaselia Malaise474'));
    expect(variantKey('Megaselia Malaise474')).not.toBe(variantKey('Megaselia Malaise475'));
  });
});

describe('cleanLabels rules', () => {
  it('fills a missing genus from the species first word', () => {
    const { records, changes, summary } = cleanLabels([rec({ family: 'Phoridae', species: 'Megaselia scalaris' })]);
    expect(records[0].genus).toBe('Megaselia');
    expect(changes).toEqual([
      expect.objectContaining({ rank: 'genus', old: '', new: 'Megaselia', rule: 'genus-from-species' }),
      expect.objectContaining({ rank: 'subfamily', old: '', new: 'unassigned Phoridae', rule: 'fill-hole' }),
    ]);
    expect(summary.byRule['genus-from-species']).toEqual({ cells: 1, records: 1 });
  });

  it('resolves genus/species disagreement by dataset-wide usage', () => {
    const rs = [
      ...Array.from({ length: 3 }, () =>
        rec({ family: 'Phoridae', subfamily: 'Metopininae', genus: 'Megaselia', species: 'Megaselia rufipes' }),
      ),
      // species first word is a typo (never a genus): fix the species
      rec({ family: 'Phoridae', subfamily: 'Metopininae', genus: 'Megaselia', species: 'Megaslia scalaris' }),
      // genus entered wrongly but species names a genus used more often: fix the genus
      rec({ family: 'Phoridae', subfamily: 'Metopininae', genus: 'Puliciphora', species: 'Megaselia pulicaria' }),
    ];
    const { records, changes } = cleanLabels(rs);
    expect(records[3].species).toBe('Megaselia scalaris');
    expect(records[4].genus).toBe('Megaselia');
    expect(changes.filter((c) => c.rule === 'genus-species-mismatch').map((c) => [c.rank, c.old, c.new])).toEqual([
      ['species', 'Megaslia scalaris', 'Megaselia scalaris'],
      ['genus', 'Puliciphora', 'Megaselia'],
    ]);
  });

  it('normalises placeholder formats: Malaise spelling, zero padding, casing variants', () => {
    const base = { family: 'Sarcophagidae', subfamily: 'Sarcophaginae', genus: 'Oxysarcodexia' };
    const rs = [
      rec({ ...base, species: 'Oxysarcodexia Malaise4749' }),
      rec({ ...base, species: 'Oxysarcodexia Malaise1234' }),
      rec({ ...base, species: 'Oxysarcodexia Malasie4749' }),
      rec({ ...base, species: 'Oxysarcodexia Malaise474' }),
      rec({ ...base, genus: 'oxysarcodexia', species: 'Oxysarcodexia Malaise1234' }),
      rec({ ...base, species: 'Oxysarcodexia  Malaise1234 ' }),
    ];
    const { records, changes } = cleanLabels(rs);
    expect(records.map((r) => r.species)).toEqual([
      'Oxysarcodexia Malaise4749',
      'Oxysarcodexia Malaise1234',
      'Oxysarcodexia Malaise4749',
      'Oxysarcodexia Malaise0474',
      'Oxysarcodexia Malaise1234',
      'Oxysarcodexia Malaise1234',
    ]);
    expect(records[4].genus).toBe('Oxysarcodexia');
    const rules = new Set(changes.map((c) => c.rule));
    for (const r of ['malaise-spelling', 'placeholder-padding', 'variant-unify', 'whitespace'] as const)
      expect(rules.has(r), r).toBe(true);
  });

  it('accepts a >= 90% barcode majority and curtails below it, never ending on a filler', () => {
    const fam = { family: 'Phoridae', subfamily: 'Metopininae' };
    const majority = [
      ...Array.from({ length: 9 }, () => rec({ ...fam, genus: 'Megaselia', dna_barcode: BC })),
      rec({ ...fam, genus: 'Puliciphora', dna_barcode: BC + 'NNN' }), // same barcode once N is stripped
    ];
    const a = cleanLabels(majority);
    expect(a.records.every((r) => r.genus === 'Megaselia')).toBe(true);
    expect(a.changes).toEqual([
      expect.objectContaining({
        index: 9,
        rank: 'genus',
        old: 'Puliciphora',
        new: 'Megaselia',
        rule: 'barcode-majority',
      }),
    ]);

    const split = [
      ...Array.from({ length: 8 }, () =>
        rec({ family: 'Sciaridae', subfamily: 'unassigned Sciaridae', genus: 'Bradysia', dna_barcode: BC }),
      ),
      ...Array.from({ length: 2 }, () =>
        rec({ family: 'Sciaridae', subfamily: 'unassigned Sciaridae', genus: 'Corynoptera', dna_barcode: BC }),
      ),
    ];
    const b = cleanLabels(split);
    // 80% < 90%: curtail at subfamily, but subfamily is a filler, so the label ends at family.
    expect(b.records.every((r) => r.family === 'Sciaridae' && r.subfamily === '' && r.genus === '')).toBe(true);
    expect(b.summary.byRule['barcode-curtail'].records).toBe(10);
    expect(b.records).toHaveLength(10);
  });

  it('resolves a same-barcode disagreement that is only a misspelling by dataset-wide usage', () => {
    const fam = { family: 'Phoridae', subfamily: 'Metopininae' };
    const rs = [
      ...Array.from({ length: 6 }, () => rec({ ...fam, genus: 'Megaselia', dna_barcode: 'GGGG' })),
      ...Array.from({ length: 3 }, () => rec({ ...fam, genus: 'Megaselia', dna_barcode: BC })),
      ...Array.from({ length: 3 }, () => rec({ ...fam, genus: 'Megasalia', dna_barcode: BC })),
    ];
    const { records, summary } = cleanLabels(rs);
    expect(records.every((r) => r.genus === 'Megaselia')).toBe(true);
    expect(summary.byRule['barcode-typo']).toEqual({ cells: 3, records: 3 });
    expect(summary.byRule['barcode-curtail'].cells).toBe(0);
  });

  it('infers finer ranks from same-barcode samples labelled deeper and records inferred_ranks', () => {
    const full = { family: 'Phoridae', subfamily: 'Metopininae', genus: 'Megaselia', species: 'Megaselia scalaris' };
    const rs = [
      rec({ ...full, dna_barcode: BC }),
      rec({ family: 'Phoridae', subfamily: 'Metopininae', genus: 'Megaselia', dna_barcode: BC }),
      rec({ family: 'Phoridae', dna_barcode: BC }),
      rec({ order: '', class: '', dna_barcode: BC }),
      rec({ family: 'Phoridae', dna_barcode: 'TTTT' }),
    ];
    const { records, summary } = cleanLabels(rs);
    expect(records.slice(0, 4).every((r) => r.species === 'Megaselia scalaris')).toBe(true);
    expect(records.map((r) => r.inferred_ranks)).toEqual([0, 1, 3, 6, 0]);
    expect(records[4].species).toBe('');
    expect(summary.recordsInferred).toBe(3);
    expect(records[3].taxon).toBe('Megaselia scalaris');
  });

  it('fills taxonomic holes as "unassigned <Family>"', () => {
    const { records } = cleanLabels([rec({ family: 'Sciaridae', genus: 'Alpinosciara' })]);
    expect(records[0].subfamily).toBe('unassigned Sciaridae');
    const { records: r2 } = cleanLabels([rec({ family: 'Sciaridae' })]);
    expect(r2[0].subfamily).toBe('');
    // Other ranks only on request: a genus without family gets "unassigned Diptera" as family then.
    const noFamily = rec({ genus: 'Megaselia' });
    expect(cleanLabels([noFamily]).records[0].family).toBe('');
    const all = cleanLabels([noFamily], { fillAllHoles: true }).records[0];
    expect([all.family, all.subfamily]).toEqual(['unassigned Diptera', 'unassigned Diptera']);
  });

  it('blanks non-unique open nomenclature species and keeps the record', () => {
    const rs = [
      rec({
        family: 'Sciaridae',
        subfamily: 'unassigned Sciaridae',
        genus: 'Pseudosciara',
        species: 'Pseudosciara sp.',
      }),
      rec({ family: 'Braconidae', subfamily: 'Alysiinae', genus: 'Dacnusa', species: 'Dacnusa nr. faeroeensis' }),
      rec({ family: 'Psychodidae', subfamily: 'Psychodinae', genus: 'Psychoda', species: 'Psychoda sp. 11GMK' }),
    ];
    const { records, summary } = cleanLabels(rs);
    expect(records.map((r) => r.species)).toEqual(['', '', 'Psychoda sp. 11GMK']);
    expect(records.map((r) => r.genus)).toEqual(['Pseudosciara', 'Dacnusa', 'Psychoda']);
    expect(summary.byRule['open-nomenclature']).toEqual({ cells: 2, records: 2 });
  });

  it('leaves already clean data untouched', () => {
    const rs = [
      rec({
        family: 'Phoridae',
        subfamily: 'Metopininae',
        genus: 'Megaselia',
        species: 'Megaselia scalaris',
        dna_barcode: BC,
        inferred_ranks: 0,
      }),
    ];
    const { changes, records } = cleanLabels(rs);
    expect(changes).toEqual([]);
    expect(records[0]).toEqual(rs[0]);
  });
});

describe.skipIf(!existsSync(realBarcodes))('runCleanJob on the real barcode table', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clean-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every row, makes same-barcode labels consistent, and logs every change', async () => {
    const out = path.join(dir, 'clean.csv');
    const changesFile = path.join(dir, 'changes.csv');
    const progress: number[] = [];
    const summary = await runCleanJob({
      input: realBarcodes,
      out,
      changes: changesFile,
      onProgress: (d, t) => progress.push(d / t),
    });
    const input = await readTable(realBarcodes);
    const output = await readTable(out);
    expect(output.rows.length).toBe(input.rows.length);
    expect(summary.rows).toBe(input.rows.length);
    expect(output.header).toEqual([...input.header, 'inferred_ranks']);
    expect(progress.at(-1)).toBe(1);
    const h = (name: string) => output.header.indexOf(name);
    // Same (N-stripped) barcode -> same labels at every rank (the paper's first cleaning claim).
    const byBarcode = new Map<string, string>();
    const bad: string[] = [];
    for (const row of output.rows) {
      const b = barcodeKey(row[h('dna_barcode')]);
      if (!b) continue;
      const labels = TAXONOMIC_RANKS.map((r) => row[h(r)]).join('|');
      const prev = byBarcode.get(b);
      if (prev !== undefined && labels !== prev) bad.push(`${b.slice(0, 20)}: ${labels} vs ${prev}`);
      else byBarcode.set(b, labels);
    }
    for (const row of output.rows) {
      const sp = row[h('species')];
      if (sp && sp.split(' ')[0] !== row[h('genus')]) bad.push(`${sp} in genus ${row[h('genus')]}`);
      if (isOpenNomenclature(sp)) bad.push(`open nomenclature kept: ${sp}`);
      if (!(Number(row[h('inferred_ranks')]) >= 0)) bad.push(`inferred_ranks ${row[h('inferred_ranks')]}`);
    }
    expect(bad).toEqual([]);
    const log = await readTable(changesFile);
    expect(log.rows.length).toBe(summary.cellsChanged);
    expect(summary.cellsChanged).toBeGreaterThan(0);
    // Every logged change is visible in the output: the new value sits in that rank of that line.
    const lineIndex = new Map(output.lines.map((l, i) => [l, i]));
    const lastByCell = new Map<string, string>();
    for (const [, line, rank, , now] of log.rows) lastByCell.set(`${line}:${rank}`, now);
    for (const [cell, now] of lastByCell) {
      const [line, rank] = cell.split(':');
      expect(output.rows[lineIndex.get(Number(line))!][h(rank)]).toBe(now);
    }
    expect(readFileSync(out, 'utf8').length).toBeGreaterThan(1000);
  });
});

const bioscan1m = path.join(sharedData, 'bioscan1m/bioscan1m_sample_metadata.tsv');
describe.skipIf(!existsSync(bioscan1m))('runCleanJob on BIOSCAN-1M metadata (no barcodes)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clean1m-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('runs the label rules, reports the skipped barcode rules, keeps every row', async () => {
    const out = path.join(dir, 'clean.tsv');
    const changesFile = path.join(dir, 'changes.csv');
    const summary = await runCleanJob({ input: bioscan1m, out, changes: changesFile });
    // The paper's own examples of placeholder fixes occur in this real sample: zero padding, genus typos.
    const log = (await readTable(changesFile)).rows.map(
      ([, , rank, old, now, rule]) => `${rank}|${old}|${now}|${rule}`,
    );
    expect(log).toContain('species|Hypsicera Malaise328|Hypsicera Malaise0328|placeholder-padding');
    expect(log).toContain('genus|gelBioLep1|gelBioLep01|variant-unify');
    expect(log).toContain('species|Dalbominus Malaise5255|Dahlbominus Malaise5255|genus-species-mismatch');
    expect(summary.notes).toEqual([
      expect.stringMatching(/no 'dna_barcode' column: the per-barcode rules .* were skipped/),
    ]);
    const t = await readTable(out);
    expect(t.rows.length).toBe(summary.rows);
    expect(summary.rows).toBeGreaterThan(10_000);
    expect(summary.byRule['barcode-infer'].cells).toBe(0);
    expect(summary.byRule['fill-hole'].cells).toBeGreaterThan(0);
  });
});

describe('cleaning synthetic metadata with injected annotation errors', () => {
  const truth = Array.from(synthesizeMetadata({ rows: 20_000, seed: 31 }));
  const noisy = Array.from(synthesizeMetadata({ rows: 20_000, seed: 31, noise: 0.05 }));
  const wrong = (rs: MetadataRecord[]) => rs.filter((r, i) => TAXONOMIC_RANKS.some((k) => r[k] !== truth[i][k])).length;

  it('changes nothing on the clean synthetic release', () => {
    const { summary } = cleanLabels(truth);
    expect(summary.cellsChanged).toBe(0);
  });

  it('restores most injected errors, blanks open nomenclature and keeps every record', () => {
    const open = new Set(noisy.flatMap((r, i) => (isOpenNomenclature(r.species) ? [i] : [])));
    const restorable = (rs: MetadataRecord[]) => rs.filter((_, i) => !open.has(i));
    const before = wrong(noisy) - open.size;
    const { records, summary } = cleanLabels(noisy);
    const after = wrong(records) - open.size;
    expect(records).toHaveLength(noisy.length);
    expect(open.size).toBeGreaterThan(0);
    expect(before).toBeGreaterThan(150);
    expect(after).toBeLessThan(before * 0.1);
    expect(restorable(records).length + open.size).toBe(noisy.length);
    // A blanked open-nomenclature species comes back only when its barcode has the real one (inference).
    for (const i of open) {
      expect(['', truth[i].species]).toContain(records[i].species);
      expect(records[i].family).toBe(truth[i].family);
    }
    expect(records.filter((_, i) => open.has(i) && records[i].species !== '').length).toBeGreaterThan(0);
    expect(summary.byRule['open-nomenclature'].cells).toBe(open.size);
    expect(summary.byRule['variant-unify'].cells + summary.byRule['malaise-spelling'].cells).toBeGreaterThan(0);
    expect(summary.byRule['genus-from-species'].cells).toBeGreaterThan(0);
  });
});
