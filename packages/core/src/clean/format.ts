/** The per-rule table printed after cleaning. */
import { CLEAN_RULES, type CleanSummary } from './columns.js';

export function formatCleanTable(summary: CleanSummary): string {
  const fmt = (x: number) => x.toLocaleString('en-US');
  const rows = CLEAN_RULES.map((r) => [r, fmt(summary.byRule[r].records), fmt(summary.byRule[r].cells)]);
  const head = ['rule', 'records', 'cells'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [
    line(head),
    ...rows.map(line),
    `${fmt(summary.recordsChanged)} of ${fmt(summary.rows)} records changed (${fmt(summary.cellsChanged)} cells), ` +
      `${fmt(summary.recordsInferred)} with inferred labels; no record dropped`,
  ].join('\n');
}
