/// <reference lib="dom" />
/**
 * `bioscan5m demo --quick` end to end: every stage's JSON, the plan, the report page, and the page itself
 * rendered in headless Chromium (skipped with a message when no Chromium is installed; CI installs it and
 * fails without it).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../test-support.js';
import { fmt } from '../report/html.js';
import type {
  ClusterResult,
  DnaModelResult,
  IdentifyResult,
  SplitResult,
  StatsResult,
  VisionResult,
} from '../report/results.js';

const STAGES = ['stats', 'clean', 'split', 'dna-identify', 'dna-model', 'vision', 'cluster', 'clip', 'report'];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cli-demo-'));
const out = path.join(tmp, 'demo');
let run: CliRun;
const json = <T>(name: string): T => JSON.parse(readFileSync(path.join(out, name), 'utf8')) as T;

beforeAll(async () => {
  run = await runCli(['demo', '--quick', '--out', out]);
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bioscan5m demo --quick', () => {
  it('says what it will do and how long it takes, then runs every stage', () => {
    // stderr holds only progress lines ('stage: done/total (pct)'), no warning or error.
    for (const line of run.err.split('\n').filter(Boolean)) expect(line).toMatch(/^[\w-]+: \d+\/\d+ \([\d.]+%\)$/);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^bioscan5m demo --quick: every capability/);
    expect(run.out).toMatch(/9 stages, about \d+ (s|min) on 2 cores/);
    STAGES.forEach((s, i) => expect(run.out).toContain(`== ${i + 1}/${STAGES.length} ${s} ==`));
    const manifest = json<{ quick: boolean; stages: { name: string }[] }>('demo.json');
    expect(manifest.quick).toBe(true);
    expect(manifest.stages.map((s) => s.name)).toEqual(STAGES);
  });

  it('stats: category sizes and sites agree with Table 2', () => {
    const s = json<StatsResult>('stats.json');
    expect(s.rows).toBe(598);
    for (const [rank, c] of Object.entries(s.categories)) {
      expect(c.categories.length + c.others.categories, rank).toBe(s.table2[rank].categories);
      expect(c.categories.reduce((a, x) => a + x.count, 0) + c.others.records, rank).toBe(s.table2[rank].labelled);
    }
    expect(s.sites.reduce((a, x) => a + x.count, 0) + s.withoutCoordinates).toBe(s.rows);
  });

  it('split: every record in one partition', () => {
    const s = json<SplitResult>('split.json');
    expect(Object.values(s.summary.splits).reduce((a, x) => a + x.samples, 0)).toBe(598);
  });

  it('identification is scored beside its baselines; the DNA model states whether it beats the k-mer baseline', () => {
    const id = json<IdentifyResult>('dna-identify.json');
    const [ours, kmer, majority] = id.methods;
    expect(id.methods.map((m) => m.kind)).toEqual(['ours', 'baseline', 'reference']);
    for (const t of id.tasks) {
      expect(ours.scores[t]!).toBeGreaterThan(0.85);
      expect(kmer.scores[t]!).toBeGreaterThan(majority.scores[t]!);
      expect(ours.scores[t]!).toBeGreaterThan(majority.scores[t]!);
    }
    const d = json<DnaModelResult>('dna-model.json');
    expect(d.quick).toBe(true);
    const ourKnn = d.methods[0].scores[d.tasks[2]]!;
    const kmerKnn = d.methods.find((m) => m.method.startsWith('4-mer'))!.scores[d.tasks[2]]!;
    expect(d.verdict.beatsKmer).toBe(ourKnn > kmerKnn);
    expect(d.verdict.text).toContain(d.verdict.beatsKmer ? 'beats' : 'does not beat');
  });

  it('vision: one entry per photo, boxes and flags against the labels, thumbnails written', () => {
    const v = json<VisionResult>('vision.json');
    expect(v.images).toHaveLength(16);
    for (const img of v.images.filter((i) => i.label === 'empty')) {
      expect(img.box).toBeNull();
      expect(img.flags).toContain('no-specimen');
    }
    for (const img of v.images) expect(existsSync(path.join(out, img.thumb))).toBe(true);
    expect(v.quality.find((q) => q.flag === 'noSpecimen')!.recall).toBe(1);
  });

  it('cluster: DNA embeddings cluster by taxonomy far above chance', () => {
    const c = json<ClusterResult>('cluster.json');
    const kmer = c.results[0];
    expect(kmer.ami.genus).toBeGreaterThan(0.4);
    expect(c.results.map((r) => r.embedding)).toEqual([
      '4-mer frequencies (DNA, no training)',
      'DNA encoder (ours, dna-model stage)',
      'image descriptor (sample photos)',
    ]);
  });

  it('writes one self-contained report page', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|(src|href)="https?:/i);
    expect(html.match(/<img src="data:image\/jpeg;base64,/g)!.length).toBeGreaterThanOrEqual(16);
  });

  it('refuses an unknown stage and a folder of other files', async () => {
    const bad = await runCli(['demo', '--only', 'stats,nope', '--out', path.join(tmp, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--only.*unknown 'nope'/);
    const other = path.join(tmp, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'notes.txt'), 'mine');
    const r = await runCli(['demo', '--only', 'stats', '--out', other]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/other: exists and holds files/);
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI)
    throw new Error(
      `CI needs Chromium at ${CHROMIUM} for the report's browser test (.ci/run installs the Debian package)`,
    );
  console.warn(
    `skipping the report's browser test: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

describe.skipIf(!hasChromium)('the report in headless Chromium', () => {
  it('draws the charts, shows the numbers of the JSON outputs, fetches nothing and logs no error', async () => {
    const puppeteer = (await import('puppeteer-core')).default;
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
      page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(`file://${path.join(out, 'report.html')}`, { waitUntil: 'load' });

      const seen = await page.evaluate(() => {
        const box = (el: Element) => el.getBoundingClientRect();
        const charts = [...document.querySelectorAll('figure.chart')].map((f) => {
          const svg = f.querySelector('svg')!;
          const bars = [...svg.querySelectorAll('[aria-roledescription="bar"]')].map((b) => box(b).height);
          return {
            id: f.id,
            width: box(svg).width,
            bars: bars.length,
            flatBars: bars.filter((h) => !(h > 0)).length,
            marks: svg.querySelectorAll('.role-mark *').length,
          };
        });
        const cells = (id: string) =>
          [...document.querySelectorAll(`#${id} tbody tr`)].map((tr) =>
            [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
          );
        const photos = [...document.querySelectorAll('#gallery img')].map((i) => (i as HTMLImageElement).naturalWidth);
        return {
          charts,
          table2: cells('table2'),
          identify: cells('table-identify'),
          dna: cells('table-dna-model'),
          ami: cells('table-ami'),
          photos,
          verdict: document.querySelector('#dna-verdict')?.textContent,
        };
      });
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);

      const ids = seen.charts.map((c) => c.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'chart-splits',
          'chart-map',
          'chart-identify',
          'chart-dna-model',
          'chart-ami',
          'chart-categories-species',
          'chart-categories-order',
        ]),
      );
      for (const c of seen.charts) {
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.marks, c.id).toBeGreaterThan(0);
        if (c.id !== 'chart-map' && c.id !== 'chart-dna-curve')
          expect(c.bars - c.flatBars, `${c.id}: bars with a height`).toBeGreaterThan(0);
        // Category sizes are >= 1 on a log scale: every bar must show (a log domain from 0 would flatten them all).
        if (c.id.startsWith('chart-categories-')) expect(c.flatBars, c.id).toBe(0);
      }

      const stats = json<StatsResult>('stats.json');
      expect(seen.table2).toEqual(
        Object.entries(stats.table2).map(([rank, r]) => [
          rank,
          fmt.int(r.categories),
          fmt.int(r.labelled),
          fmt.pct100(r.labelledPercent),
          r.imbalanceRatio === null ? '–' : r.imbalanceRatio.toFixed(1),
        ]),
      );
      const id = json<IdentifyResult>('dna-identify.json');
      expect(seen.identify.map((r) => r.slice(1))).toEqual(
        id.methods.map((m) => id.tasks.map((t) => fmt.pct(m.scores[t]))),
      );
      const d = json<DnaModelResult>('dna-model.json');
      expect(seen.dna.map((r) => r.slice(1))).toEqual(d.methods.map((m) => d.tasks.map((t) => fmt.pct(m.scores[t]))));
      expect(seen.verdict).toBe(d.verdict.text);
      const c = json<ClusterResult>('cluster.json');
      const ami = Object.values(c.results[0].ami).map((a) => a.toFixed(3));
      expect(seen.ami[0].slice(3, 3 + ami.length)).toEqual(ami);
      expect(seen.photos.length).toBeGreaterThanOrEqual(16);
      expect(seen.photos.every((w) => w > 0)).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
