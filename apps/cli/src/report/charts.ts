/**
 * The report's charts as Vega-Lite specs (pure functions of the demo results), and their rendering to static SVG
 * with Vega's headless view in Node: the page needs no script and fetches nothing. vega, vega-lite and the
 * country outlines of world-atlas are loaded only when a report is written.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import type { ClusterResult, DemoResults, DnaModelResult, MethodScore, SplitResult, StatsResult } from './results.js';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const CONFIG: TopLevelSpec['config'] = {
  font: FONT,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 11,
    titleFontWeight: 500,
    gridColor: '#e8e8e8',
    domainColor: '#888',
    tickColor: '#888',
  },
  legend: {
    labelFontSize: 11,
    titleFontSize: 11,
    orient: 'bottom',
    direction: 'horizontal',
    columns: 2,
    labelLimit: 320,
  },
  range: { category: ['#1f6f8b', '#e07a2f', '#8b8b8b', '#4c9f38', '#b5446e', '#7a5cb0'] },
};

/** One chart of the page: its id (the test looks for it), a caption and its spec. */
export interface ChartSpec {
  id: string;
  caption: string;
  spec: TopLevelSpec;
}

const pct = { format: '.0%' };

/** Bars grouped side by side per x category, one colour per group (the layout of the split, method and AMI charts). */
function groupedBars(o: {
  id: string;
  caption: string;
  values: Record<string, unknown>[];
  x: { field: string; sort: string[] };
  group: { field: string; sort?: string[] };
  y: { field: string; title: string; share?: boolean };
}): ChartSpec {
  const y = o.y.share ? { scale: { domain: [0, 1] }, axis: pct } : {};
  return {
    id: o.id,
    caption: o.caption,
    spec: {
      config: CONFIG,
      width: 520,
      height: 200,
      data: { values: o.values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: o.x.field, type: 'nominal', sort: o.x.sort, title: null, axis: { labelAngle: 0, labelLimit: 200 } },
        xOffset: { field: o.group.field, sort: o.group.sort },
        y: { field: o.y.field, type: 'quantitative', title: o.y.title, ...y },
        color: { field: o.group.field, type: 'nominal', sort: o.group.sort, title: null },
      },
    },
  };
}

/** Samples, barcodes and species per split (the split sizes of Table 3). */
export function splitChart(split: SplitResult): ChartSpec {
  // Empty partitions (e.g. no unseen species in a small sample) stay in the table, not in the chart.
  const filled = Object.entries(split.summary.splits).filter(([, c]) => c.samples > 0);
  const values = filled.flatMap(([name, c]) => [
    { split: name, measure: 'samples', count: c.samples },
    { split: name, measure: 'barcodes', count: c.barcodes },
    { split: name, measure: 'species', count: c.species },
  ]);
  const measures = ['samples', 'barcodes', 'species'];
  return groupedBars({
    id: 'chart-splits',
    caption: 'Split sizes: samples, distinct barcodes and species per partition',
    values,
    x: { field: 'split', sort: filled.map(([name]) => name) },
    group: { field: 'measure', sort: measures },
    y: { field: 'count', title: 'count' },
  });
}

/** Category sizes of one rank, largest first, on a log scale (the paper's per-rank distributions). */
export function categoryChart(stats: StatsResult, rank: string): ChartSpec {
  const c = stats.categories[rank];
  const values = c.categories.map((x, i) => ({
    order: i,
    name: x.name.length > 24 ? `${x.name.slice(0, 23)}…` : x.name,
    count: x.count,
  }));
  const shown = c.categories.length;
  const total = shown + c.others.categories;
  // Decades only on the axis; the domain runs from below 1 (a category of one record still shows a bar) to the
  // next power of ten.
  const top = 10 ** Math.max(1, Math.ceil(Math.log10(Math.max(1, ...c.categories.map((x) => x.count)))));
  const decades = Array.from({ length: Math.log10(top) + 1 }, (_, i) => 10 ** i);
  return {
    id: `chart-categories-${rank}`,
    caption: `${rank}: ${total} categor${total === 1 ? 'y' : 'ies'}${c.others.categories ? ` (largest ${shown} shown; ${c.others.categories} more hold ${c.others.records} records)` : ''}`,
    spec: {
      config: CONFIG,
      width: Math.max(80, Math.min(460, shown * 12)),
      height: 120,
      data: { values },
      mark: { type: 'bar', color: '#1f6f8b', tooltip: true },
      encoding: {
        x: {
          field: 'name',
          type: 'nominal',
          sort: { field: 'order' },
          title: null,
          axis: { labelAngle: -60, labelFontSize: 9, labelLimit: 110 },
        },
        y: {
          field: 'count',
          type: 'quantitative',
          scale: { type: 'log', domain: [0.5, top], nice: false },
          stack: null,
          axis: { values: decades, format: '~s' },
          title: 'records (log)',
        },
      },
    },
  };
}

let worldCache: Record<string, unknown> | undefined;
/** Country outlines from world-atlas (Natural Earth 1:110m), shipped in the npm package. */
function worldTopology(): Record<string, unknown> {
  worldCache ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve('world-atlas/countries-110m.json'), 'utf8'),
  ) as Record<string, unknown>;
  return worldCache;
}

/** A few round legend sizes up to the largest site. */
function sizeSteps(sites: StatsResult['sites']): number[] {
  const max = Math.max(1, ...sites.map((s) => s.count));
  return [1, 5, 10, 25, 50, 100, 250, 500, 1000]
    .filter((v) => v < max)
    .slice(-3)
    .concat(max);
}

/** Collection sites on an Equal Earth map, sized by records (the paper's Figure 3). */
export function mapChart(stats: StatsResult): ChartSpec {
  return {
    id: 'chart-map',
    caption: `Collection sites: ${stats.sites.length} coordinates in ${new Set(stats.sites.map((s) => s.country)).size} countries (${stats.withoutCoordinates} records without coordinates)`,
    spec: {
      config: CONFIG,
      width: 820,
      height: 400,
      projection: { type: 'equalEarth' },
      layer: [
        { data: { sphere: true }, mark: { type: 'geoshape', fill: '#f3f7fa', stroke: '#c9d6df', strokeWidth: 0.5 } },
        {
          data: { values: worldTopology(), format: { type: 'topojson', feature: 'countries' } },
          mark: { type: 'geoshape', fill: '#e2e2dc', stroke: '#ffffff', strokeWidth: 0.5 },
        },
        {
          data: { values: stats.sites },
          mark: { type: 'circle', opacity: 0.7, stroke: '#8a3b06', strokeWidth: 0.6 },
          encoding: {
            longitude: { field: 'lon', type: 'quantitative' },
            latitude: { field: 'lat', type: 'quantitative' },
            size: {
              field: 'count',
              type: 'quantitative',
              scale: { range: [25, 500] },
              title: 'records at the site',
              legend: {
                orient: 'bottom-left',
                direction: 'vertical',
                values: sizeSteps(stats.sites),
                fillColor: '#ffffffcc',
                padding: 6,
              },
            },
            color: { value: '#e07a2f' },
            tooltip: [{ field: 'country' }, { field: 'lat' }, { field: 'lon' }, { field: 'count', title: 'records' }],
          },
        },
      ],
    },
  };
}

/** Accuracy per task, one bar per method (ours beside its baselines). */
export function methodChart(
  id: string,
  caption: string,
  tasks: readonly string[],
  methods: readonly MethodScore[],
): ChartSpec {
  const values = methods.flatMap((m) =>
    tasks
      .filter((t) => m.scores[t] !== null && m.scores[t] !== undefined)
      .map((t) => ({ task: t, method: m.method, accuracy: m.scores[t] as number })),
  );
  return groupedBars({
    id,
    caption,
    values,
    x: { field: 'task', sort: [...tasks] },
    group: { field: 'method', sort: methods.map((m) => m.method) },
    y: { field: 'accuracy', title: 'accuracy', share: true },
  });
}

/** 1-NN genus accuracy of unseen species along the pretraining, with the 4-mer baseline as a rule. */
export function curveChart(d: DnaModelResult): ChartSpec {
  const points = d.curve.filter((p) => p.knnGenus !== null);
  const y = {
    field: 'accuracy',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    axis: pct,
    title: '1-NN genus, unseen species',
  };
  return {
    id: 'chart-dna-curve',
    caption: 'Open-world 1-NN probe along the pretraining (steps), against the 4-mer baseline (dashed)',
    spec: {
      config: CONFIG,
      width: 360,
      height: 200,
      layer: [
        {
          data: { values: points.map((p) => ({ steps: p.steps, accuracy: p.knnGenus })) },
          mark: { type: 'line', point: true, color: '#1f6f8b', tooltip: true },
          encoding: {
            x: { field: 'steps', type: 'quantitative', title: 'pretraining steps', scale: { domainMin: 0 } },
            y,
          },
        },
        {
          data: { values: d.kmerKnnGenus === null ? [] : [{ accuracy: d.kmerKnnGenus, label: '4-mer 1-NN' }] },
          mark: { type: 'rule', color: '#e07a2f', strokeDash: [5, 4], strokeWidth: 2 },
          encoding: { y },
        },
      ],
    },
  };
}

/** AMI of zero-shot clustering per rank, one bar per embedding. */
export function amiChart(cluster: ClusterResult): ChartSpec {
  const values = cluster.results.flatMap((r) =>
    Object.entries(r.ami).map(([rank, ami]) => ({ rank, embedding: r.embedding, ami })),
  );
  return groupedBars({
    id: 'chart-ami',
    caption: 'Zero-shot clustering: adjusted mutual information between clusters and labels, per rank',
    values,
    x: { field: 'rank', sort: [...new Set(values.map((v) => v.rank))] },
    group: { field: 'embedding', sort: cluster.results.map((r) => r.embedding) },
    y: { field: 'ami', title: 'AMI', share: true },
  });
}

/** Every chart the results allow, in page order. */
export function reportCharts(r: DemoResults): ChartSpec[] {
  const charts: ChartSpec[] = [];
  if (r.split) charts.push(splitChart(r.split));
  if (r.stats) {
    for (const rank of Object.keys(r.stats.categories))
      if (r.stats.categories[rank].categories.length) charts.push(categoryChart(r.stats, rank));
    if (r.stats.sites.length) charts.push(mapChart(r.stats));
  }
  if (r.identify)
    charts.push(
      methodChart(
        'chart-identify',
        'Barcode identification beside its baselines',
        r.identify.tasks,
        r.identify.methods,
      ),
    );
  if (r.dnaModel) {
    charts.push(
      methodChart(
        'chart-dna-model',
        'DNA encoder (Table 4 tasks) beside the CNN and k-mer baselines',
        r.dnaModel.tasks,
        r.dnaModel.methods,
      ),
    );
    if (r.dnaModel.curve?.length) charts.push(curveChart(r.dnaModel));
  }
  if (r.cluster) charts.push(amiChart(r.cluster));
  return charts;
}

/** Renders Vega-Lite specs to SVG strings (keyed by chart id) with Vega's headless view. */
export async function renderCharts(charts: readonly ChartSpec[]): Promise<Record<string, string>> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const out: Record<string, string> = {};
  for (const c of charts) {
    const view = new vega.View(vega.parse(vl.compile(c.spec).spec), { renderer: 'none' });
    try {
      out[c.id] = await view.toSVG();
    } finally {
      view.finalize();
    }
  }
  return out;
}
