import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { readMetadata } from '../metadata/read.js';
import { writeMetadataParquet } from '../parquet/metadata-parquet.js';
import { runStatsJob } from './compute.js';
import { percentHalfUp, table2Json } from './tables.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const golden = path.resolve(here, '../__golden__');
const shared = path.resolve(repoRoot, '../shared/data');
const hasShared = existsSync(shared);

const cases: { name: string; file: string; golden: string; needsShared?: boolean }[] = [
  {
    name: 'embedded release-format metadata',
    file: path.join(repoRoot, 'apps/cli/data/metadata.csv'),
    golden: 'stats-metadata.json',
  },
  {
    name: 'embedded BIOSCAN-1M TSV sample',
    file: path.join(repoRoot, 'apps/cli/data/bioscan1m_sample.tsv'),
    golden: 'stats-bioscan1m_sample.json',
  },
  {
    name: 'synthetic file with quotes, CRLF, BOM, NA tokens',
    file: path.join(golden, 'stats-synthetic.csv'),
    golden: 'stats-synthetic.json',
  },
  {
    name: 'shared barcodes CSV',
    file: path.join(shared, 'dna/coi_barcodes.csv'),
    golden: 'stats-coi_barcodes.json',
    needsShared: true,
  },
  {
    name: 'shared BIOSCAN-1M TSV',
    file: path.join(shared, 'bioscan1m/bioscan1m_sample_metadata.tsv'),
    golden: 'stats-bioscan1m_sample_metadata.json',
    needsShared: true,
  },
];

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bioscan-stats-'));
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('stats --json equals pandas (golden made by scripts/stats-golden.py)', () => {
  for (const c of cases) {
    it.skipIf(c.needsShared && !hasShared)(`${c.name}: one thread`, async () => {
      const expected = JSON.parse(readFileSync(path.join(golden, c.golden), 'utf8'));
      const got = table2Json(await runStatsJob({ input: c.file, threads: 1 }));
      expect(got).toEqual(expected);
    });
    it.skipIf(c.needsShared && !hasShared)(
      `${c.name}: worker threads over byte ranges, Table 2 columns only`,
      async () => {
        const expected = JSON.parse(readFileSync(path.join(golden, c.golden), 'utf8'));
        const report = await runStatsJob({ input: c.file, threads: 3, parallelThreshold: 0, tables: 'table2' });
        expect(table2Json(report)).toEqual(expected);
      },
    );
  }
});

describe('Tables A4, A5, A11/A13 equal pandas (golden by scripts/stats-golden-tables.py)', () => {
  it('synthetic fixture', async () => {
    const g = JSON.parse(readFileSync(path.join(golden, 'stats-tables-synthetic.json'), 'utf8'));
    const r = await runStatsJob({ input: path.join(golden, 'stats-synthetic.csv'), threads: 1 });
    for (const [k, exp] of Object.entries(g.geography) as [
      keyof typeof r.geography,
      { categories: number; labelled: number; unlabelled: number; imbalanceRatio: number | null },
    ][]) {
      const got = r.geography[k];
      expect({ k, categories: got.categories, labelled: got.labelled, unlabelled: got.unlabelled }).toEqual({
        k,
        categories: exp.categories,
        labelled: exp.labelled,
        unlabelled: exp.unlabelled,
      });
      expect(got.imbalanceRatio).toBe(exp.imbalanceRatio);
    }
    for (const [k, exp] of Object.entries(g.distribution) as [string, Record<string, number | string | null>][]) {
      const got = r.distribution[k];
      expect(got.categories).toBe(exp.categories);
      expect(got.most?.size).toBe(exp.mostSize);
      expect(got.least?.size).toBe(exp.leastSize);
      if (exp.mostName !== null) expect(got.most?.name).toBe(exp.mostName);
      if (exp.leastName !== null) expect(got.least?.name).toBe(exp.leastName);
      expect(got.mean).toBeCloseTo(exp.mean as number, 9);
      expect(got.median).toBe(exp.median);
      expect(got.std).toBeCloseTo(exp.std as number, 9);
    }
    for (const rank of ['species', 'genus'] as const) {
      expect(r.overlap[rank].partitions).toEqual(g.overlap[rank].partitions);
      expect(r.overlap[rank].counts).toEqual(g.overlap[rank].counts);
    }
  });
});

describe('stats on Parquet input (typed records path)', () => {
  it('equals the pandas golden of the same data in CSV form', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bioscan-stats-pq-'));
    const pq = path.join(dir, 'metadata.parquet');
    await writeMetadataParquet(pq, readMetadata(cases[0].file));
    const report = await runStatsJob({ input: pq });
    expect(report.format).toBe('parquet');
    expect(table2Json(report)).toEqual(JSON.parse(readFileSync(path.join(golden, 'stats-metadata.json'), 'utf8')));
    const csv = await runStatsJob({ input: cases[0].file, threads: 1 });
    expect(report.geography).toEqual(csv.geography);
    expect(report.distribution).toEqual(csv.distribution);
  });
});

describe('stats scanner details', () => {
  const header = 'processid,species,genus,dna_barcode,coord-lat,coord-lon,split';

  it('reports a malformed row with file, line and reason, or counts it with skipInvalid', async () => {
    const f = tmpFile(
      'bad.csv',
      `${header}\nA,Aus bus,Aus,ACGT,1,2,train\nB,Aus bus,Aus,ACGT,1,2\nC,Aus cus,Aus,ACGG,x1,2,test\n`,
    );
    await expect(runStatsJob({ input: f, threads: 1 })).rejects.toThrow(InputError);
    await expect(runStatsJob({ input: f, threads: 1 })).rejects.toThrow(
      `${f}:3: expected 7 fields as in the header, found 6`,
    );
    const r = await runStatsJob({ input: f, threads: 1, skipInvalid: true });
    expect(r.rows).toBe(1);
    expect(r.skipped.count).toBe(2);
    expect(r.skipped.examples).toEqual([
      { line: 3, reason: 'expected 7 fields as in the header, found 6', column: undefined, value: undefined },
      { line: 4, reason: 'expected a number', column: 'coord-lat', value: 'x1' },
    ]);
  });

  it('checks the width of rows past the last counted column (Table 2 only)', async () => {
    const f = tmpFile(
      'tail.csv',
      `${header}\nA,Aus bus,Aus,ACGT,1,2,train\nB,Aus bus,Aus,ACGT,1,2,train,extra\nC,Aus bus,Aus,ACGT,1\n`,
    );
    const r = await runStatsJob({ input: f, threads: 1, tables: 'table2', skipInvalid: true });
    expect(r.rows).toBe(1);
    expect(r.skipped.examples.map((e) => [e.line, e.reason])).toEqual([
      [3, 'expected 7 fields as in the header, found 8'],
      [4, 'expected 7 fields as in the header, found 5'],
    ]);
  });

  it('names the right line when a worker thread finds the malformed row', async () => {
    const rows: string[] = [header];
    for (let i = 0; i < 3000; i++) rows.push(`P${i},Sp ${i % 13},G${i % 5},AC${i % 17},${i % 9},${i % 4},train`);
    rows[2500] = 'P2499,Sp x,G,AC,1,2'; // line 2501, in the last third of the file
    const f = tmpFile('deep.csv', rows.join('\n') + '\n');
    await expect(runStatsJob({ input: f, threads: 3, parallelThreshold: 0 })).rejects.toThrow(
      `${f}:2501: expected 7 fields as in the header, found 6`,
    );
    const r = await runStatsJob({ input: f, threads: 3, parallelThreshold: 0, skipInvalid: true });
    expect(r.threads).toBe(3);
    expect(r.rows).toBe(2999);
    expect(r.skipped.examples.map((e) => e.line)).toEqual([2501]);
  });

  it('names the line of a bad coordinate after a multi-line quoted field', async () => {
    const f = tmpFile('q.csv', `${header}\nA,"Aus\nbus",Aus,ACGT,1,2,train\nB,Aus bus,Aus,ACGT,north,2,train\n`);
    await expect(runStatsJob({ input: f, threads: 1 })).rejects.toThrow(
      `${f}:4: column 'coord-lat' value 'north': expected a number`,
    );
  });

  it('falls back to one pass when a quoted field holds a line break at a range boundary', async () => {
    const rows: string[] = [header];
    for (let i = 0; i < 400; i++)
      rows.push(
        `P${i},"Sp ${i % 7}\n${'x'.repeat(i % 50)}",G${i % 3},AC${i % 11},${i % 5},${i % 4},${i % 2 ? 'train' : 'test'}`,
      );
    const f = tmpFile('multi.csv', rows.join('\n') + '\n');
    const one = await runStatsJob({ input: f, threads: 1 });
    const many = await runStatsJob({ input: f, threads: 4, parallelThreshold: 0 });
    expect(many.threads).toBe(1);
    expect(table2Json(many)).toEqual(table2Json(one));
    expect(one.rows).toBe(400);
    expect(one.ranks.species.categories).toBe(350); // (i % 7, i % 50) pairs for i < 400: lcm(7, 50) = 350
  });

  it('builds geography, distribution and partition-overlap tables', async () => {
    const body = [
      'A,Aus bus,Aus,AC,1.50,2,train',
      'B,Aus bus,Aus,AC,1.5,2,train',
      'C,Aus cus,Aus,AG,1.5,3,test',
      'D,Bus dus,Bus,AG,,3,test',
      'E,Cus eus,Cus,TT,7,8,key_unseen',
      'F,,Cus,TT,7,8,pretrain',
    ];
    const f = tmpFile('geo.csv', `${header}\n${body.join('\n')}\n`);
    const r = await runStatsJob({ input: f, threads: 1 });
    // "1.50" and "1.5" are one latitude, as pandas floats
    expect(r.geography['coord-lat'].categories).toBe(2);
    expect(r.geography['coord-lat'].labelled).toBe(5);
    expect(r.geography.location.categories).toBe(3);
    expect(r.geography.location.imbalanceRatio).toBe(2);
    expect(r.distribution.species.most).toEqual({ name: 'Aus bus', size: 2 });
    expect(r.distribution.species.least).toEqual({ name: 'Aus cus', size: 1 });
    expect(r.distribution.species.median).toBe(1);
    expect(r.distribution.genus.mean).toBe(2);
    expect(r.distribution.genus.std).toBeCloseTo(Math.sqrt(((3 - 2) ** 2 + (1 - 2) ** 2 + 0) / 3), 12);
    const sp = r.overlap.species;
    expect(sp.partitions).toEqual(['pretrain', 'train', 'test', 'key_unseen']);
    expect(sp.counts[1]).toEqual([0, 1, 0, 0]); // train has Aus bus; test has Aus cus and Bus dus
    expect(sp.counts[2]).toEqual([0, 0, 2, 0]);
    expect(sp.percent[0]).toEqual([null, null, null, null]);
    const ge = r.overlap.genus;
    expect(ge.counts[0]).toEqual([1, 0, 0, 1]);
    expect(ge.percent[2]).toEqual([0, 50, 100, 0]);
  });

  it('rounds percentages half up in exact arithmetic', () => {
    expect(percentHalfUp(1, 8)).toBe(12.5);
    expect(percentHalfUp(1, 16)).toBe(6.3); // 6.25 -> 6.3 (Python round() would give 6.2)
    expect(percentHalfUp(5137441, 5150850)).toBe(99.7);
    expect(percentHalfUp(1, 3, 2)).toBe(33.33);
    expect(percentHalfUp(0, 0)).toBe(0);
  });
});
