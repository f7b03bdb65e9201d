/**
 * `vision crop` over a folder tree: every image -> OUT/cropped, OUT/cropped_256, OUT/original_256 and a BOXES.csv
 * row. Parallel over worker threads, resumable (finished rows are journalled as they complete, so a killed run
 * loses nothing), and robust to unreadable images (reported by name, retried on the next run).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  Bioscan5mError,
  checkOutputPaths,
  createTableWriter,
  formatCell,
  onInterruptCleanup,
  readTable,
  removeStaleTemps,
  throwIfAborted,
  type JobControl,
} from '@bioscan5m/core';
import type { CropOptions } from './crop.js';
import { createDetector, type DetectorSpec } from './detectors.js';
import { listImages } from './files.js';
import { ImageReadError } from './image.js';
import {
  BOXES_HEADER,
  CROP_FOLDERS,
  outputPath,
  processImage,
  rowToFields,
  type CropRow,
  type ProcessOptions,
} from './process-image.js';
import type { Detector, ScoredBox } from './types.js';

export interface CropJobOptions extends JobControl {
  imagesDir: string;
  outDir: string;
  /** BOXES.csv path (default OUT/boxes.csv). */
  boxesCsv?: string;
  /** Detector spec (runs in worker threads) or a ready Detector instance (runs in this thread). */
  detector?: DetectorSpec | Detector;
  /** Parallel workers (default: available cores). 0 or 1 processes in this thread. */
  workers?: number;
  crop?: CropOptions;
  /** Skip detection: crop these boxes (keyed by relative path; null = no specimen). Images not listed are detected. */
  boxes?: Map<string, ScoredBox | null>;
  /** Compute image_measurement_value (default true; with given boxes it runs the built-in segmentation). */
  measure?: boolean;
  /** Called for each image that cannot be read; the job carries on. */
  onImageError?: (rel: string, message: string) => void;
}

export interface CropJobSummary {
  total: number;
  /** Already in BOXES.csv (or its journal) from an earlier run. */
  skipped: number;
  processed: number;
  withSpecimen: number;
  noSpecimen: number;
  failed: { file: string; message: string }[];
  boxesCsv: string;
}

const journalPath = (boxes: string) => `${boxes}.partial`;

function isDetector(d: unknown): d is Detector {
  return typeof (d as Detector)?.detect === 'function';
}

/** Rows kept from earlier runs: the finished BOXES.csv plus the journal of an interrupted run. */
async function loadDone(boxes: string): Promise<Map<string, string[]>> {
  const done = new Map<string, string[]>();
  if (existsSync(boxes)) {
    const t = await readTable(boxes);
    if (t.header.join(',') !== BOXES_HEADER.join(',')) {
      throw new Bioscan5mError(
        `${boxes}: existing file has header '${t.header.join(',')}', expected '${BOXES_HEADER.join(',')}' (move it away or pick another --boxes)`,
      );
    }
    for (const r of t.rows) done.set(r[0], r);
  }
  const journal = journalPath(boxes);
  if (existsSync(journal)) {
    // Lenient: the last line of a killed run may be cut short; such rows are simply redone.
    const lines = readFileSync(journal, 'utf8').split('\n').slice(1);
    for (const line of lines) {
      const t = parseCsvLine(line);
      if (t && t.length === BOXES_HEADER.length) done.set(t[0], t);
    }
  }
  return done;
}

/** Parses one journal line written by formatCell (quotes only around fields that need them). */
function parseCsvLine(line: string): string[] | null {
  if (!line) return null;
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= line.length) return null;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            s += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else s += line[i++];
      }
      out.push(s);
      if (i < line.length && line[i] !== ',') return null;
      i++;
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

function workerScript(): string | null {
  const here = fileURLToPath(import.meta.url);
  const ext = path.extname(here);
  if (ext === '.ts') return null; // running from source (tests): no compiled worker
  const file = path.join(path.dirname(here), `crop-worker${ext}`);
  return existsSync(file) ? file : null;
}

export async function runCropJob(opts: CropJobOptions): Promise<CropJobSummary> {
  throwIfAborted(opts.signal);
  const outDir = path.resolve(opts.outDir);
  const boxes = path.resolve(opts.boxesCsv ?? path.join(outDir, 'boxes.csv'));
  // No input may sit in a folder the crops go to, nor be the output folder itself.
  const written = Object.values(CROP_FOLDERS).map((f) => path.join(outDir, f));
  checkOutputPaths({
    inputs: { images: opts.imagesDir },
    folders: { out: outDir },
    trees: { out: written },
    outputs: { boxes },
  });
  const files = listImages(opts.imagesDir, [outDir]);
  const done = await loadDone(boxes);
  const todo = files.filter((f) => !done.has(f.rel));
  const summary: CropJobSummary = {
    total: files.length,
    skipped: files.length - todo.length,
    processed: 0,
    withSpecimen: 0,
    noSpecimen: 0,
    failed: [],
    boxesCsv: boxes,
  };
  const journal = journalPath(boxes);
  // The journal is started by the first finished row, so a run that fails before any (a bad detector file)
  // leaves nothing behind.
  let journalStarted = existsSync(journal);
  const inFlight = new Set<string>();
  // Worker threads get no signals: on SIGINT/SIGTERM their in-flight crops' temp files are removed from here.
  const stopCleanup = onInterruptCleanup(() => removeInFlightTemps());
  const finish = (rel: string, row?: CropRow, error?: string) => {
    inFlight.delete(rel);
    if (row) {
      // Raw values in memory (the final writer quotes them once); quoted in the journal line.
      const fields = rowToFields(row).map((v) => (v === undefined ? '' : String(v)));
      if (!journalStarted) {
        mkdirSync(path.dirname(boxes), { recursive: true });
        appendFileSync(journal, BOXES_HEADER.join(',') + '\n');
        journalStarted = true;
      }
      appendFileSync(journal, fields.map((v) => formatCell(v)).join(',') + '\n');
      done.set(rel, fields);
      summary.processed++;
      if (row.x === undefined) summary.noSpecimen++;
      else summary.withSpecimen++;
    } else {
      summary.failed.push({ file: rel, message: error ?? 'unknown error' });
      opts.onImageError?.(rel, error ?? 'unknown error');
    }
    opts.onProgress?.(summary.skipped + summary.processed + summary.failed.length, files.length);
  };
  opts.onProgress?.(summary.skipped, files.length);

  const removeInFlightTemps = () => {
    for (const rel of inFlight)
      for (const f of Object.values(CROP_FOLDERS)) removeStaleTemps(outputPath(outDir, f, rel));
  };
  try {
    const spec: DetectorSpec | Detector = opts.detector ?? { kind: 'builtin' };
    const nWorkers = Math.min(opts.workers ?? os.availableParallelism(), todo.length);
    const script = workerScript();
    if (isDetector(spec) || nWorkers <= 1 || !script) {
      const detector = isDetector(spec) ? spec : await createDetector(spec);
      // Two images in flight: sharp's decode/encode (libuv threads) overlaps the detector's JS.
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          throwIfAborted(opts.signal);
          const f = todo[next++];
          inFlight.add(f.rel);
          try {
            finish(
              f.rel,
              await processImage(f.path, f.rel, outDir, detector, {
                ...opts.crop,
                measure: opts.measure,
                box: opts.boxes?.get(f.rel),
              }),
            );
          } catch (err) {
            if (!(err instanceof ImageReadError)) throw err;
            finish(f.rel, undefined, err.message);
          }
        }
      };
      try {
        await Promise.all([lane(), lane()]);
      } finally {
        if (!isDetector(spec)) await detector.dispose?.();
      }
    } else {
      await runWorkers(
        script,
        spec,
        nWorkers,
        todo,
        outDir,
        { ...opts.crop, measure: opts.measure },
        finish,
        opts.boxes,
        inFlight,
        opts.signal,
      );
    }

    // Final BOXES.csv: every row, sorted by file, written atomically; then the journal goes.
    const writer = createTableWriter(boxes, [...BOXES_HEADER]);
    for (const rel of [...done.keys()].sort()) writer.write(done.get(rel)!);
    writer.close();
    rmSync(journal, { force: true });
  } finally {
    stopCleanup();
    removeInFlightTemps();
  }
  return summary;
}

function runWorkers(
  script: string,
  spec: DetectorSpec,
  n: number,
  todo: { path: string; rel: string }[],
  outDir: string,
  crop: ProcessOptions,
  finish: (rel: string, row?: CropRow, error?: string) => void,
  boxes?: Map<string, ScoredBox | null>,
  inFlight?: Set<string>,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let active = n;
    let failed = false;
    const workers: Worker[] = [];
    // Interrupted: stop every worker; rows finished so far stay in the journal for the next run.
    const onAbort = () => {
      if (failed) return;
      failed = true;
      for (const x of workers) void x.terminate();
      try {
        throwIfAborted(signal);
      } catch (err) {
        reject(err);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const feed = (w: Worker) => {
      if (failed) return;
      if (next < todo.length) {
        const id = next++;
        inFlight?.add(todo[id].rel);
        w.postMessage({ id, path: todo[id].path, rel: todo[id].rel, box: boxes?.get(todo[id].rel) });
      } else {
        w.postMessage(null);
      }
    };
    for (let k = 0; k < n; k++) {
      const w = new Worker(script, { workerData: { spec, outDir, crop } });
      workers.push(w);
      w.on('message', (msg: { id: number; row?: CropRow; error?: string; unreadable?: boolean }) => {
        const rel = todo[msg.id].rel;
        if (msg.error !== undefined && !msg.unreadable) {
          failed = true;
          for (const x of workers) void x.terminate();
          reject(new Bioscan5mError(`${rel}: ${msg.error}`));
          return;
        }
        finish(rel, msg.row, msg.error);
        feed(w);
      });
      w.on('error', (err) => {
        failed = true;
        for (const x of workers) void x.terminate();
        reject(err);
      });
      w.on('exit', () => {
        if (--active === 0) {
          signal?.removeEventListener('abort', onAbort);
          if (!failed) resolve();
        }
      });
      feed(w);
    }
  });
}
