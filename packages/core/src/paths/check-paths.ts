/**
 * Lists or checks the image files of a metadata file (`bioscan5m paths`): streams the records, builds each
 * path, and with `check` tests that the file exists, counting (and listing the first) missing ones.
 */
import { statSync } from 'node:fs';
import { readMetadata, type ReadMetadataOptions, type ReadSummary } from '../metadata/read.js';
import type { ImagePackage } from '../schema.js';
import { assertImagePackage, imagePath, isSplit } from './image-path.js';

export interface ImagePathsOptions extends Pick<ReadMetadataOptions, 'skipInvalid' | 'onWarning' | 'onProgress'> {
  /** Test that each file exists. */
  check?: boolean;
  /** Called with every path (and whether it exists, when checking). */
  onPath?: (file: string, exists: boolean | undefined) => void;
  /** How many missing files / path-less records to keep in the report (default 20). */
  maxListed?: number;
}

export interface ImagePathsReport {
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

export async function imagePaths(
  metadata: string,
  root: string,
  pkg: ImagePackage,
  opts: ImagePathsOptions = {},
): Promise<ImagePathsReport> {
  assertImagePackage(pkg);
  const max = opts.maxListed ?? 20;
  const stream = readMetadata(metadata, opts);
  const report: ImagePathsReport = {
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
