/**
 * runQualityJob (`vision quality`): the quality flags of every image of a folder tree into one CSV, and, given a
 * table of labelled photos (Bioscan-ImgFilter style), the precision and recall of each flag against it.
 */
import {
  checkOutputPaths,
  createTableWriter,
  InputError,
  openTable,
  throwIfAborted,
  type JobControl,
} from '@bioscan5m/core';
import type { BuiltinDetectorParams } from './builtin-detector.js';
import { listImages } from './files.js';
import { decodeImage, ImageReadError } from './image.js';
import { assessQuality, type QualityReport, type QualityThresholds } from './quality.js';
import { scoreQualityFlags, type FlagScore } from './quality-eval.js';

/** Columns of the quality CSV, in order. */
export const QUALITY_HEADER = [
  'file',
  'no_specimen',
  'blurred',
  'fragmented',
  'sharpness',
  'fragments',
  'score',
] as const;

export interface QualityJobOptions extends JobControl {
  imagesDir: string;
  /** Output CSV (QUALITY_HEADER columns), written atomically. */
  out: string;
  /** Optional table with `file_name` (or `file`) and `quality_label` (valid/empty/blurry/fragmented): scores the flags. */
  labels?: string;
  thresholds?: Partial<QualityThresholds>;
  params?: Partial<BuiltinDetectorParams>;
  /** Called for each image that cannot be read; the job carries on. */
  onImageError?: (rel: string, message: string) => void;
}

export interface QualityJobSummary {
  total: number;
  /** Images assessed (rows of the CSV). */
  assessed: number;
  flagged: { noSpecimen: number; blurred: number; fragmented: number };
  failed: { file: string; message: string }[];
  out: string;
  /** With `labels`: the table, how many assessed images it labels, and each flag's precision and recall. */
  scores?: { labels: string; matched: number; flags: FlagScore[] };
}

/** file -> quality_label of a labels table. */
async function readQualityLabels(file: string): Promise<Map<string, string>> {
  const t = await openTable(file);
  const fileColumn = t.header.includes('file_name') ? 'file_name' : 'file';
  if (!t.header.includes(fileColumn) || !t.header.includes('quality_label')) {
    throw new InputError(
      { file, line: 1 },
      `needs columns file_name (or file) and quality_label (header has: ${t.header.join(', ')})`,
    );
  }
  const [fi, li] = t.requireColumns([fileColumn, 'quality_label']);
  const out = new Map<string, string>();
  for await (const row of t) {
    t.assertWidth(row);
    out.set(row.fields[fi], row.fields[li].trim());
  }
  return out;
}

const cell = (q: QualityReport) => [
  Number(q.noSpecimen),
  Number(q.blurred),
  Number(q.fragmented),
  Number.isFinite(q.sharpness) ? q.sharpness.toFixed(4) : '',
  q.fragments,
  q.box ? q.box.score.toFixed(4) : '',
];

export async function runQualityJob(opts: QualityJobOptions): Promise<QualityJobSummary> {
  checkOutputPaths({ inputs: { images: opts.imagesDir, labels: opts.labels }, outputs: { out: opts.out } });
  const files = listImages(opts.imagesDir);
  // Labels first: a bad table fails before the slow part.
  const labels = opts.labels ? await readQualityLabels(opts.labels) : undefined;
  const scored: { label: string; report: QualityReport }[] = [];
  const summary: QualityJobSummary = {
    total: files.length,
    assessed: 0,
    flagged: { noSpecimen: 0, blurred: 0, fragmented: 0 },
    failed: [],
    out: opts.out,
  };
  const writer = createTableWriter(opts.out, [...QUALITY_HEADER]);
  try {
    opts.onProgress?.(0, files.length);
    for (const [i, f] of files.entries()) {
      throwIfAborted(opts.signal);
      try {
        const q = assessQuality(await decodeImage(f.path, f.rel), opts.params, opts.thresholds);
        writer.write([f.rel, ...cell(q)]);
        summary.assessed++;
        for (const k of ['noSpecimen', 'blurred', 'fragmented'] as const) if (q[k]) summary.flagged[k]++;
        const label = labels?.get(f.rel);
        if (label !== undefined) scored.push({ label, report: q });
      } catch (err) {
        if (!(err instanceof ImageReadError)) throw err;
        summary.failed.push({ file: f.rel, message: err.message });
        opts.onImageError?.(f.rel, err.message);
      }
      opts.onProgress?.(i + 1, files.length);
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  if (opts.labels) summary.scores = { labels: opts.labels, matched: scored.length, flags: scoreQualityFlags(scored) };
  return summary;
}
