/**
 * The report page: one self-contained HTML string from the demo results and their pre-rendered SVG charts.
 * Pure: no I/O, no script, nothing fetched (styles inline, charts inline SVG, photos as data: URIs).
 */
import type { ChartSpec } from './charts.js';
import type { ClipResult, DemoResults, MethodScore, VisionImage } from './results.js';

/** HTML text escaping (five characters; a template engine would be a dependency for this alone). */
export function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Numbers as the tables print them (the browser test reads them back with the same rules). */
export const fmt = {
  int: (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US')),
  pct: (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}%`),
  /** Already a percentage (0..100). */
  pct100: (x: number | null | undefined) => (x === null || x === undefined ? '–' : `${x.toFixed(1)}%`),
  dec: (x: number | null | undefined, d = 3) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d)),
};

function table(
  id: string,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  opts: { numericFrom?: number; highlight?: (row: number) => boolean } = {},
): string {
  const from = opts.numericFrom ?? 1;
  const th = head.map((h, i) => `<th${i >= from ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r, ri) =>
        `<tr${opts.highlight?.(ri) ? ' class="ours"' : ''}>${r.map((c, i) => `<td${i >= from ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table id="${esc(id)}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function figure(c: ChartSpec | undefined, svgs: Record<string, string>, cls = ''): string {
  if (!c || !svgs[c.id]) return '';
  return `<figure class="chart ${cls}" id="${esc(c.id)}">${svgs[c.id]}<figcaption>${esc(c.caption)}</figcaption></figure>`;
}

function methodTable(id: string, tasks: readonly string[], methods: readonly MethodScore[]): string {
  return table(
    id,
    ['method', ...tasks],
    methods.map((m) => [
      m.method + (m.kind === 'baseline' ? ' (baseline)' : ''),
      ...tasks.map((t) => fmt.pct(m.scores[t])),
    ]),
    { highlight: (i) => methods[i].kind === 'ours' },
  );
}

function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

function statsSection(
  r: DemoResults,
  chart: (id: string) => ChartSpec | undefined,
  svgs: Record<string, string>,
): string {
  const s = r.stats!;
  const t2 = table(
    'table2',
    ['rank', 'categories', 'labelled', 'labelled %', 'imbalance ratio'],
    Object.entries(s.table2).map(([rank, x]) => [
      rank,
      fmt.int(x.categories),
      fmt.int(x.labelled),
      fmt.pct100(x.labelledPercent),
      x.imbalanceRatio === null ? '–' : fmt.dec(x.imbalanceRatio, 1),
    ]),
  );
  const cats = Object.keys(s.categories)
    .map((rank) => figure(chart(`chart-categories-${rank}`), svgs, 'small'))
    .join('\n');
  return [
    section(
      'data',
      'The data: Table 2',
      `<p>${fmt.int(s.rows)} records of <code>${esc(s.file)}</code>. ${esc(s.bioscan1m)}</p>\n${t2}`,
    ),
    section('categories', 'Category sizes per rank', `<div class="grid">${cats}</div>`),
    s.sites.length
      ? section('map', 'Where the specimens were collected', figure(chart('chart-map'), svgs, 'wide'))
      : '',
  ].join('\n');
}

function partitionSection(
  r: DemoResults,
  chart: (id: string) => ChartSpec | undefined,
  svgs: Record<string, string>,
): string {
  const parts: string[] = [];
  if (r.clean) {
    const c = r.clean.summary;
    const rows = Object.entries(c.byRule).map(([rule, n]) => [rule, fmt.int(n.records), fmt.int(n.cells)]);
    parts.push(
      `<p>Label cleaning changed ${fmt.int(c.recordsChanged)} of ${fmt.int(c.rows)} records (${fmt.int(c.cellsChanged)} cells); no record is dropped.</p>`,
    );
    parts.push(table('table-clean', ['rule', 'records', 'cells'], rows));
  }
  if (r.split) {
    const s = r.split.summary;
    const rows = Object.entries(s.splits).map(([name, x]) => [
      name,
      fmt.int(x.samples),
      fmt.int(x.barcodes),
      fmt.int(x.species),
    ]);
    parts.push(
      `<div class="pair">${table('table-splits', ['split', 'samples', 'barcodes', 'species'], rows)}${figure(chart('chart-splits'), svgs)}</div>`,
    );
    const sets = Object.entries(s.speciesSets).map(
      ([set, x]) => `${esc(set)}: ${fmt.int(x.species)} species, ${fmt.int(x.samples)} samples`,
    );
    parts.push(`<p class="note">Species sets (seed ${r.split.seed}): ${sets.join('; ')}.</p>`);
  }
  return parts.length ? section('splits', 'Cleaning and splits (Table 3)', parts.join('\n')) : '';
}

function identifySection(
  r: DemoResults,
  chart: (id: string) => ChartSpec | undefined,
  svgs: Record<string, string>,
): string {
  const i = r.identify!;
  const intro = `<p>${fmt.int(i.reference)} reference barcodes; ${fmt.int(i.queries.seen)} queries of species in the reference and ${fmt.int(i.queries.unseen)} of species absent from it (seed ${i.seed}). Species threshold learned from the reference: ${fmt.pct(i.speciesThreshold)} identity; called novel: ${fmt.int(i.novel.seen)} of the seen, ${fmt.int(i.novel.unseen)} of the unseen.</p>`;
  return section(
    'identify',
    'Barcode identification',
    `${intro}\n<div class="pair">${methodTable('table-identify', i.tasks, i.methods)}${figure(chart('chart-identify'), svgs)}</div>`,
  );
}

function dnaModelSection(
  r: DemoResults,
  chart: (id: string) => ChartSpec | undefined,
  svgs: Record<string, string>,
): string {
  const d = r.dnaModel!;
  const c = d.config;
  const intro =
    `<p>Encoder k=${c.k}, ${c.layers} layer(s), ${c.heads} heads, hidden ${c.hidden}; pretrained by masked k-mer prediction for ${fmt.int(d.pretrain.steps)} steps of ${d.pretrain.batchSize} ` +
    `(${fmt.int(d.pretrain.tokensSeen)} tokens, loss ${fmt.dec(d.pretrain.firstLoss)} → ${fmt.dec(d.pretrain.finalLoss)}, ${fmt.dec(d.pretrain.seconds, 0)} s), fine-tuned ${d.finetune.epochs} epoch(s). ` +
    `Seen species: ${fmt.int(d.data.train)} train / ${fmt.int(d.data.testSeen)} test barcodes; unseen species: ${fmt.int(d.data.testUnseen)} test barcodes.${d.quick ? ' <strong>Quick run: small budgets.</strong>' : ''}</p>`;
  const verdict = `<p class="verdict ${d.verdict.beatsKmer ? 'yes' : 'no'}" id="dna-verdict">${esc(d.verdict.text)}</p>`;
  return section(
    'dna-model',
    'DNA encoder: pretraining, fine-tuning, probes (Table 4)',
    `${intro}\n${methodTable('table-dna-model', d.tasks, d.methods)}\n${verdict}\n<div class="pair">${figure(chart('chart-dna-model'), svgs)}${figure(chart('chart-dna-curve'), svgs)}</div>`,
  );
}

function galleryItem(img: VisionImage, images: Record<string, string>): string {
  const box = (b: { x: number; y: number; width: number; height: number }, cls: string) =>
    `<span class="box ${cls}" style="left:${(100 * b.x) / img.width}%;top:${(100 * b.y) / img.height}%;width:${(100 * b.width) / img.width}%;height:${(100 * b.height) / img.height}%"></span>`;
  const photo = images[img.thumb]
    ? `<img src="${images[img.thumb]}" alt="${esc(img.file)}">`
    : '<div class="missing">photo not found</div>';
  const crop =
    img.crop && images[img.crop] ? `<img class="crop" src="${images[img.crop]}" alt="crop of ${esc(img.file)}">` : '';
  const flags = img.flags.length
    ? img.flags.map((f) => `<span class="flag">${esc(f)}</span>`).join(' ')
    : '<span class="flag ok">no flag</span>';
  const size = img.sizeMm2 === null ? '' : ` · ${fmt.dec(img.sizeMm2, 1)} mm²`;
  return (
    `<figure class="photo"><div class="frame">${photo}${img.truth.map((b) => box(b, 'truth')).join('')}${img.box ? box(img.box, 'pred') : ''}</div>${crop}` +
    `<figcaption><b>${esc(img.file.replace(/\.1024px\.jpg$/, ''))}</b> label <i>${esc(img.label || '–')}</i>${img.score === null ? '' : ` · score ${fmt.dec(img.score, 2)}`}${size}<br>${flags}</figcaption></figure>`
  );
}

function visionSection(r: DemoResults): string {
  const v = r.vision!;
  const q = table(
    'table-quality',
    ['flag', 'precision', 'recall', 'labelled photos'],
    v.quality.map((f) => [f.flag, fmt.dec(f.precision, 2), fmt.dec(f.recall, 2), fmt.int(f.support)]),
  );
  const intro = `<p>${v.images.length} photos; best box against the annotators' boxes: AP@0.75 <b id="vision-ap">${fmt.dec(v.ap75)}</b>, AR@[.5:.95] <b id="vision-ar">${fmt.dec(v.ar)}</b>. Boxes: <span class="key pred">detected</span> <span class="key truth">annotated</span>.</p>`;
  return section(
    'vision',
    'Photos: crops, sizes and quality flags',
    `${intro}\n${q}\n<div class="gallery" id="gallery">${v.images.map((i) => galleryItem(i, r.images)).join('\n')}</div>`,
  );
}

function clusterSection(
  r: DemoResults,
  chart: (id: string) => ChartSpec | undefined,
  svgs: Record<string, string>,
): string {
  const c = r.cluster!;
  const ranks = [...new Set(c.results.flatMap((x) => Object.keys(x.ami)))];
  const rows = c.results.map((x) => [
    x.embedding,
    fmt.int(x.dims),
    fmt.int(x.rows),
    ...ranks.map((k) => fmt.dec(x.ami[k])),
  ]);
  const notes = c.results
    .filter((x) => x.note)
    .map((x) => `<p class="note">${esc(x.embedding)}: ${esc(x.note)}.</p>`)
    .join('');
  return section(
    'cluster',
    'Zero-shot clustering (AMI per rank)',
    `<div class="pair">${table('table-ami', ['embedding', 'dims', 'rows', ...ranks.map((k) => `AMI ${k}`)], rows)}${figure(chart('chart-ami'), svgs)}</div>${notes}`,
  );
}

/** Table 5's layout: per data set and query -> key, species top-1 (micro and macro) of seen, unseen and H.M., before and after alignment. */
function clipSection(clip: ClipResult): string {
  const rows: string[][] = [];
  for (const [data, pairs] of Object.entries(clip)) {
    for (const [pair, runs] of Object.entries(pairs)) {
      for (const [name, t] of [
        ['no alignment', runs.baseline],
        ['aligned', runs.aligned],
      ] as const) {
        const at = (set: string) => t.rows.find((x) => x.rank === 'species' && x.k === 1 && x.set === set);
        const hm = t.harmonicMean?.find((x) => x.rank === 'species' && x.k === 1);
        rows.push([
          data,
          pair.replace('->', ' → '),
          name,
          fmt.pct100(at('seen')?.macro),
          fmt.pct100(at('unseen')?.macro),
          fmt.pct100(hm?.macro),
          fmt.pct100(at('seen')?.micro),
          fmt.pct100(at('unseen')?.micro),
          fmt.pct100(hm?.micro),
        ]);
      }
    }
  }
  const note =
    '<p class="note">Species, top-1 accuracy (%) of the nearest key, queries test + test_unseen, keys train + key_unseen. The synthetic rows use generated paired features (not real specimens): the embedded data has too few photos to pair.</p>';
  return section(
    'retrieval',
    'Retrieval after alignment (Table 5)',
    table(
      'table-retrieval',
      [
        'data',
        'query → key',
        'heads',
        'seen macro',
        'unseen macro',
        'H.M. macro',
        'seen micro',
        'unseen micro',
        'H.M. micro',
      ],
      rows,
      { numericFrom: 3, highlight: (i) => rows[i][2] === 'aligned' },
    ) + note,
  );
}

const STYLE = `
:root{--ink:#1d2327;--muted:#5b6670;--line:#e3e6e8;--accent:#1f6f8b;--bg:#fbfbfa}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 28px 48px}
header{border-bottom:3px solid var(--accent);margin-bottom:8px;padding-bottom:10px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.sub{color:var(--muted);margin:0}code{font-size:12px}
table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums;background:#fff}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}th{font-weight:600;background:#f1f3f4}
.num{text-align:right}tr.ours td{font-weight:600;background:#eef6f9}
.pair{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.grid{display:flex;flex-wrap:wrap;gap:10px 22px}
figure{margin:6px 0}figcaption{color:var(--muted);font-size:12px;max-width:560px}
figure.chart svg{display:block;max-width:100%;height:auto}
.note{color:var(--muted);font-size:13px}
.verdict{padding:8px 12px;border-left:4px solid #e07a2f;background:#fff6ee}.verdict.yes{border-color:#4c9f38;background:#f1f8ee}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:14px}
.photo{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px;margin:0}
.frame{position:relative;line-height:0}.frame img{width:100%;border-radius:3px}
.crop{width:64px;height:64px;object-fit:cover;float:right;margin:6px 0 0 6px;border-radius:3px;border:1px solid var(--line)}
.box{position:absolute;border:2px solid;border-radius:2px}.box.pred{border-color:#e07a2f}.box.truth{border-color:#4c9f38;border-style:dashed}
.key{padding:0 5px;border:2px solid}.key.pred{border-color:#e07a2f}.key.truth{border-color:#4c9f38;border-style:dashed}
.flag{display:inline-block;font-size:11px;padding:0 6px;border-radius:9px;background:#fde3d0;color:#8a3b06;margin-top:3px}.flag.ok{background:#e3f1de;color:#2e6a1f}
nav{font-size:13px;color:var(--muted)}nav a{color:var(--accent);margin-right:10px;text-decoration:none}
footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
`;

/** The whole page. `svgs` holds the rendered charts keyed by chart id. */
export function reportHtml(r: DemoResults, charts: readonly ChartSpec[], svgs: Record<string, string>): string {
  const byId = new Map(charts.map((c) => [c.id, c]));
  const chart = (id: string) => byId.get(id);
  const m = r.manifest;
  const sections = [
    r.stats ? statsSection(r, chart, svgs) : '',
    partitionSection(r, chart, svgs),
    r.identify ? identifySection(r, chart, svgs) : '',
    r.dnaModel ? dnaModelSection(r, chart, svgs) : '',
    r.vision ? visionSection(r) : '',
    r.cluster ? clusterSection(r, chart, svgs) : '',
    r.clip ? clipSection(r.clip) : '',
  ].filter(Boolean);
  const nav = [...sections.join('').matchAll(/<section id="([^"]+)"><h2>([^<]+)<\/h2>/g)]
    .map((x) => `<a href="#${x[1]}">${x[2].replace(/ \(.*\)$/, '').replace(/:.*$/, '')}</a>`)
    .join('');
  const run = m
    ? `bioscan5m ${esc(m.version)} · ${m.quick ? 'quick run (small budgets)' : 'full run'} · ${esc(m.started.slice(0, 16).replace('T', ' '))} UTC · ${fmt.dec(m.seconds, 0)} s: ${m.stages.map((s) => `${esc(s.name)} ${fmt.dec(s.seconds, 0)} s`).join(', ')}`
    : 'bioscan5m demo results';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>BIOSCAN-5M toolkit: demo report</title><style>${STYLE}</style></head>
<body><main>
<header><h1>BIOSCAN-5M toolkit: the paper's tables and figures on the embedded sample</h1><p class="sub">${run}</p></header>
<nav>${nav}</nav>
${sections.join('\n')}
<footer>Data: 598 public BOLD barcode records and 16 BIOSCAN-1M photos (Centre for Biodiversity Genomics, CC BY), see the CLI's data/ATTRIBUTION.md. Figures and tables follow Gharaee et al., BIOSCAN-5M (2024). Country outlines: Natural Earth via world-atlas. Charts: Vega-Lite.</footer>
</main></body></html>
`;
}
