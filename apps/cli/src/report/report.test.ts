import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Bioscan5mError, createRng } from '@bioscan5m/core';
import { runCli } from '../test-support.js';
import { renderReport } from './index.js';
import { esc, fmt } from './html.js';
import { loadDemoResults } from './load.js';
import type { DemoResults } from './results.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Results of every kind, with numbers drawn from a seeded generator (so no figure is typed in twice). */
function generatedResults(seed: number): DemoResults {
  const rng = createRng(seed);
  const int = (n: number) => 1 + Math.floor(rng.random() * n);
  const acc = () => Math.round(rng.random() * 1000) / 1000;
  const ranks = ['phylum', 'class', 'order', 'family', 'subfamily', 'genus', 'species'];
  const table2 = Object.fromEntries(
    [...ranks, 'dna_bin', 'dna_barcode'].map((r) => [
      r,
      {
        categories: int(90),
        labelled: int(900),
        labelledPercent: Math.round(rng.random() * 1000) / 10,
        imbalanceRatio: int(500),
      },
    ]),
  );
  const categories = Object.fromEntries(
    ranks.map((r) => [
      r,
      {
        categories: Array.from({ length: int(30) }, (_, i) => ({
          name: i === 0 ? `<b>${r}</b> & co` : `${r}-${i}`,
          count: int(300),
        })).sort((a, b) => b.count - a.count),
        others: { categories: 0, records: 0 },
      },
    ]),
  );
  const tasks = ['seen: species', 'unseen: genus'];
  return {
    manifest: {
      version: '0.0.0-test',
      quick: true,
      started: '2026-01-01T00:00:00.000Z',
      seconds: 12.5,
      stages: [{ name: 'stats', seconds: 1, ok: true }],
    },
    stats: {
      file: 'data/metadata.csv',
      rows: 1000,
      table2,
      categories,
      sites: Array.from({ length: 12 }, () => ({
        lat: rng.random() * 140 - 70,
        lon: rng.random() * 340 - 170,
        country: 'Norway',
        count: int(50),
      })),
      withoutCoordinates: int(20),
      bioscan1m: 'BIOSCAN-1M sample: 600 records',
    },
    split: {
      file: 'metadata.split.csv',
      seed: 0,
      summary: {
        rows: 1000,
        splits: Object.fromEntries(
          ['pretrain', 'train', 'val', 'test', 'key_unseen', 'val_unseen', 'test_unseen', 'other_heldout'].map((s) => [
            s,
            { samples: int(400), barcodes: int(300), species: int(100) },
          ]),
        ),
        speciesSets: {
          seen: { species: 10, samples: 100 },
          unseen: { species: 0, samples: 0 },
          heldout: { species: 1, samples: 2 },
          unknown: { species: 0, samples: 5 },
        },
        conflictingBarcodes: 0,
        rowsWithoutBarcode: 0,
      } as never,
    },
    identify: {
      seed: 7,
      reference: int(500),
      queries: { seen: int(100), unseen: int(100) },
      speciesThreshold: 0.95,
      tasks,
      methods: [
        { method: 'identifier', kind: 'ours', scores: { [tasks[0]]: acc(), [tasks[1]]: acc() } },
        { method: '4-mer 1-NN', kind: 'baseline', scores: { [tasks[0]]: acc(), [tasks[1]]: null } },
      ],
      novel: { seen: 1, unseen: 2 },
      queriesPerSecond: 100,
    },
    cluster: {
      results: [
        {
          embedding: '4-mer',
          dims: 256,
          rows: 400,
          clusters: { genus: 60, species: 100 },
          ami: { genus: acc(), species: acc() },
        },
      ],
    },
    clip: {
      synthetic: {
        'image->dna': {
          baseline: {
            rows: [
              { rank: 'species', k: 1, set: 'seen', micro: 5.25, macro: 4.5 },
              { rank: 'species', k: 1, set: 'unseen', micro: 2.75, macro: 1.5 },
            ],
            harmonicMean: [{ rank: 'species', k: 1, micro: 3.6, macro: 2.25 }],
          },
          aligned: {
            rows: [
              { rank: 'species', k: 1, set: 'seen', micro: 55.25, macro: 40.5 },
              { rank: 'species', k: 1, set: 'unseen', micro: 12.75, macro: 9.5 },
            ],
            harmonicMean: [{ rank: 'species', k: 1, micro: 20.7, macro: 15.3 }],
          },
        },
      },
    },
    images: {},
  };
}

/** Text of the cells of table `id`, row by row (tbody only). */
function tableCells(html: string, id: string): string[][] {
  const t = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html);
  expect(t, `table ${id}`).not.toBeNull();
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(t![1])![1];
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]),
  );
}

describe('report page (pure: results -> HTML)', () => {
  const results = generatedResults(3);
  let html = '';

  it('renders every section, self-contained: no script, nothing fetched', async () => {
    html = await renderReport(results);
    for (const id of ['data', 'categories', 'map', 'splits', 'identify', 'cluster', 'retrieval'])
      expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    expect(html).not.toMatch(/@import/);
  });

  it('tables hold the numbers of the results', () => {
    const t2 = tableCells(html, 'table2');
    expect(t2.map((r) => r[0])).toEqual(Object.keys(results.stats!.table2));
    for (const row of t2) {
      const r = results.stats!.table2[row[0]];
      expect(row.slice(1)).toEqual([
        fmt.int(r.categories),
        fmt.int(r.labelled),
        fmt.pct100(r.labelledPercent),
        fmt.dec(r.imbalanceRatio!, 1),
      ]);
    }
    const splits = tableCells(html, 'table-splits');
    expect(splits.map((r) => [r[0], Number(r[1].replace(/,/g, ''))])).toEqual(
      Object.entries(results.split!.summary.splits).map(([k, v]) => [k, v.samples]),
    );
    const ident = tableCells(html, 'table-identify');
    expect(ident[0].slice(1)).toEqual(
      results.identify!.tasks.map((t) => fmt.pct(results.identify!.methods[0].scores[t])),
    );
    expect(ident[1][2]).toBe('–'); // a task a method did not run
    const ami = tableCells(html, 'table-ami');
    expect(ami[0].slice(3)).toEqual(['genus', 'species'].map((k) => results.cluster!.results[0].ami[k].toFixed(3)));
    expect(tableCells(html, 'table-retrieval')).toEqual([
      ['synthetic', 'image → dna', 'no alignment', '4.5%', '1.5%', '2.3%', '5.3%', '2.8%', '3.6%'],
      ['synthetic', 'image → dna', 'aligned', '40.5%', '9.5%', '15.3%', '55.3%', '12.8%', '20.7%'],
    ]);
  });

  it('draws every chart as SVG with visible marks (log-scale bars have height)', () => {
    const charts = [...html.matchAll(/<figure class="chart[^"]*" id="([^"]+)">(<svg[\s\S]*?<\/svg>)/g)];
    const ids = charts.map((c) => c[1]);
    expect(ids).toEqual(
      expect.arrayContaining(['chart-splits', 'chart-map', 'chart-identify', 'chart-ami', 'chart-categories-species']),
    );
    for (const [, id, svg] of charts) {
      const bars = [...svg.matchAll(/aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h[-\d.e]+v([-\d.e]+)h/g)].map((m) =>
        Math.abs(Number(m[1])),
      );
      if (id === 'chart-map') {
        const countries = /class="mark-shape role-mark layer_1_marks"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1];
        expect(countries.match(/<path [^>]*d="M/g)?.length ?? 0, 'country outlines').toBeGreaterThan(150);
        expect(svg.match(/aria-roledescription="circle"/g)?.length).toBe(results.stats!.sites.length);
      } else {
        expect(bars.length, id).toBeGreaterThan(0);
        expect(
          bars.every((h) => h > 0),
          `${id}: every bar has a height`,
        ).toBe(true);
      }
    }
    const species = results.stats!.categories.species.categories;
    const bars = /id="chart-categories-species">(<svg[\s\S]*?<\/svg>)/
      .exec(html)![1]
      .match(/aria-roledescription="bar"/g);
    expect(bars).toHaveLength(species.length);
  });

  it('escapes names taken from the data', () => {
    expect(html).not.toContain('<b>phylum</b>');
    expect(esc('<b>"x" & \'y\'</b>')).toBe('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;');
  });
});

describe('report from a folder', () => {
  it('loads the stage files present and inlines the images they name', async () => {
    const dir = path.join(tmp, 'partial');
    const r = generatedResults(5);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(dir, 'vision', 'thumbs'), { recursive: true });
    writeFileSync(path.join(dir, 'stats.json'), JSON.stringify(r.stats));
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    writeFileSync(path.join(dir, 'vision', 'thumbs', 'a.jpg'), jpeg);
    const vision = {
      images: [
        {
          file: 'a.jpg',
          width: 100,
          height: 50,
          box: { x: 10, y: 5, width: 20, height: 10 },
          score: 0.5,
          truth: [],
          flags: ['blurred'],
          label: 'blurry',
          sizeMm2: 1.5,
          thumb: 'vision/thumbs/a.jpg',
          crop: '../outside.jpg',
        },
      ],
      ap75: 0.25,
      ar: 0.5,
      quality: [],
    };
    writeFileSync(path.join(dir, 'vision.json'), JSON.stringify(vision));
    const loaded = loadDemoResults(dir);
    expect(Object.keys(loaded).sort()).toEqual(['images', 'stats', 'vision']);
    expect(loaded.images).toEqual({ 'vision/thumbs/a.jpg': `data:image/jpeg;base64,${jpeg.toString('base64')}` }); // nothing outside the folder
    const r2 = await runCli(['report', '--from', dir]);
    expect(r2.code).toBe(0);
    const page = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(page).toContain('<section id="vision">');
    expect(page).not.toContain('<section id="identify">');
    expect(page).toContain('left:10%;top:10%;width:20%;height:20%');
  });

  it('names the file and line of a broken result, and refuses bad paths', async () => {
    const dir = path.join(tmp, 'broken');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    expect(() => loadDemoResults(dir)).toThrow(/no demo results here/);
    writeFileSync(path.join(dir, 'stats.json'), '{\n  "rows": 1,\n  oops\n}');
    try {
      loadDemoResults(dir);
      expect.unreachable();
    } catch (err) {
      expect(Bioscan5mError.isInstance(err) && err.code === 'BIOSCAN5M_INPUT').toBe(true);
      expect(String((err as Error).message)).toMatch(/stats\.json:3/);
    }
    const missing = await runCli(['report', '--from', path.join(tmp, 'nope')]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/nope: no such folder/);
    const input = path.join(dir, 'keep.html');
    writeFileSync(input, 'my notes');
    const r = await runCli(['report', '--from', dir, '--out', input]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/keep\.html.*not overwriting/);
    expect(readFileSync(input, 'utf8')).toBe('my notes');
    const csv = await runCli(['report', '--from', dir, '--out', path.join(dir, 'x.csv')]);
    expect(csv.err).toMatch(/ending in \.html/);
  });
});
