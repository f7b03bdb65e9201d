/**
 * `bioscan5m report`: the demo's results as one self-contained HTML page (the paper's tables and figures).
 * loadDemoResults reads a demo folder; renderReport turns results into the page; writeReport does both.
 */
import path from 'node:path';
import { writeFileAtomic } from '@bioscan5m/core';
import { renderCharts, reportCharts } from './charts.js';
import { reportHtml } from './html.js';
import { loadDemoResults } from './load.js';
import type { DemoResults } from './results.js';

export async function renderReport(results: DemoResults): Promise<string> {
  const charts = reportCharts(results);
  return reportHtml(results, charts, await renderCharts(charts));
}

/** Reads the demo folder `dir` and writes the page to `out` (default `<dir>/report.html`) atomically. */
export async function writeReport(
  dir: string,
  out = path.join(dir, 'report.html'),
): Promise<{ out: string; bytes: number }> {
  const html = await renderReport(loadDemoResults(dir));
  writeFileAtomic(out, html);
  return { out, bytes: Buffer.byteLength(html) };
}
