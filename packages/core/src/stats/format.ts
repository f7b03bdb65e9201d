/** Plain-text rendering of the statistics tables for people (the CLI's `stats` without --json). */
import { LABEL_COLUMNS } from '../schema.js';
import type { MetadataStats, OverlapTable } from './tables.js';

const int = (n: number) => n.toLocaleString('en-US');
const fixed = (n: number | null, d = 1) =>
  n === null ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** Right-aligns every column but the first. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatTable2(stats: Pick<MetadataStats, 'rows' | 'ranks'>): string {
  const rows = LABEL_COLUMNS.map((c) => {
    const r = stats.ranks[c];
    return [
      c,
      int(r.categories),
      int(r.labelled),
      fixed(r.labelledPercent),
      int(stats.rows - r.labelled),
      fixed(r.imbalanceRatio),
    ];
  });
  return `Table 2: records by rank (${int(stats.rows)} records)\n${renderTable(['rank', 'categories', 'labelled', 'labelled %', 'unlabelled', 'IR'], rows)}`;
}

export function formatTableA4(stats: Pick<MetadataStats, 'geography'>): string {
  const names = {
    country: 'country',
    province_state: 'province_state',
    'coord-lat': 'coord-lat',
    'coord-lon': 'coord-lon',
    location: 'location (lat, lon)',
  } as const;
  const rows = (Object.keys(names) as (keyof typeof names)[]).map((k) => {
    const g = stats.geography[k];
    return [
      names[k],
      int(g.categories),
      int(g.labelled),
      fixed(g.labelledPercent2, 2),
      int(g.unlabelled),
      fixed(g.unlabelledPercent2, 2),
      fixed(g.imbalanceRatio),
    ];
  });
  return `Table A4: geography\n${renderTable(['column', 'categories', 'labelled', 'labelled %', 'unlabelled', 'unlabelled %', 'IR'], rows)}`;
}

export function formatTableA5(stats: Pick<MetadataStats, 'distribution'>): string {
  const rows = Object.entries(stats.distribution).map(([k, d]) => [
    k,
    int(d.categories),
    d.most ? `${d.most.name} (${int(d.most.size)})` : '-',
    d.least ? `${d.least.name} (${int(d.least.size)})` : '-',
    fixed(d.mean),
    fixed(d.median),
    fixed(d.std),
  ]);
  return `Table A5: category sizes\n${renderTable(['rank', 'categories', 'most populated', 'least populated', 'mean', 'median', 'std'], rows)}`;
}

export function formatOverlap(title: string, t: OverlapTable, percent: boolean): string {
  const rows = t.partitions.map((p, i) => [
    p,
    ...t.partitions.map((_, j) =>
      percent ? (t.percent[i][j] === null ? 'N/A' : fixed(t.percent[i][j])) : int(t.counts[i][j]),
    ),
  ]);
  return `${title}\n${renderTable(['', ...t.partitions], rows)}`;
}

/** Every table; the overlap tables only when the file has a split column with values. */
export function formatStats(stats: MetadataStats): string {
  const parts = [formatTable2(stats), formatTableA4(stats), formatTableA5(stats)];
  if (stats.overlap.species.partitions.length) {
    parts.push(
      formatOverlap('Table A11: species in common between partitions', stats.overlap.species, false),
      formatOverlap('Table A12: species in common (% of the row partition)', stats.overlap.species, true),
      formatOverlap('Table A13: genera in common between partitions', stats.overlap.genus, false),
      formatOverlap('Table A14: genera in common (% of the row partition)', stats.overlap.genus, true),
    );
  }
  return parts.join('\n\n');
}
