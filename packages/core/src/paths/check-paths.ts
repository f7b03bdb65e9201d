/**
 * Lists or checks the image files of a metadata file (`bioscan5m paths`): streams the records, builds each
 * path, and with `check` tests that the file exists, counting (and listing the first) missing ones.
 */
import { statSync } from 'node:fs';
import { readMetadata, type ReadMetadataOptions, type ReadSummary } from '../metadata/read.js';
import type { ImagePackage } from '../schema.js';
import { throwIfAborted, type JobControl } from '../contracts/progress.js';
import { assertImagePackage, imagePath, isSplit } from './image-path.js';

export interface ImagePathsJobOptions extends Pick<ReadMetadataOptions, 'skipInvalid' | 'onWarning'>, JobControl {
  /** Metadata file (CSV/TSV/Parquet) whose image paths to build. */
  input: string;
  /** Folder holding the image packages (BIOSCAN-5M/images/...). */
  root: string;
  /** Which image package. */
  package: ImagePackage;
  /** Test that each file exists. */
  check?: boolean;
  /** Called with every path (and whether it exists, when checking). */
  onPath?: (file: string, exists: boolean | undefined) => void;
  /** How many missing files / path-less records to keep in the report (default 20). */
  maxListed?: number;
}

export interface ImagePathsJobSummary {
  records: number;
  paths: number;
  /** With check: files not found. */
  missing: number;
  missingExamples: string[];
  /** Records without a split or processid: no path can be built; counted, never dropped silently. */
  withoutPath: number;
  withoutPathExamples: string[];
  read: ReadSummary;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** `bioscan5m paths`: the image path of every record (and, with check, whether the file is there). */
export async function runImagePathsJob(opts: ImagePathsJobOptions): Promise<ImagePathsJobSummary> {
  const { root, package: pkg } = opts;
  assertImagePackage(pkg);
  throwIfAborted(opts.signal);
  const max = opts.maxListed ?? 20;
  const stream = readMetadata(opts.input, {
    // No path without a processid: a file lacking the column is an InputError, not a run that finds nothing.
    required: ['processid'],
    skipInvalid: opts.skipInvalid,
    onWarning: opts.onWarning,
    onProgress: opts.onProgress,
  });
  const report: ImagePathsJobSummary = {
    records: 0,
    paths: 0,
    missing: 0,
    missingExamples: [],
    withoutPath: 0,
    withoutPathExamples: [],
    read: stream.summary,
  };
  for await (const rec of stream) {
    report.records++;
    if ((report.records & 4095) === 0) throwIfAborted(opts.signal);
    if (!rec.processid || !isSplit(rec.split)) {
      report.withoutPath++;
      if (report.withoutPathExamples.length < max) {
        report.withoutPathExamples.push(
          `${rec.processid || '(no processid)'}: ${rec.split ? `unknown split '${rec.split}'` : 'no split'}`,
        );
      }
      continue;
    }
    const p = imagePath(rec, pkg, root);
    report.paths++;
    let exists: boolean | undefined;
    if (opts.check) {
      exists = isFile(p);
      if (!exists) {
        report.missing++;
        if (report.missingExamples.length < max) report.missingExamples.push(p);
      }
    }
    opts.onPath?.(p, exists);
  }
  return report;
}
