/**
 * The one atomic writer. Every output of every package goes through it: bytes go to a temp file in the output's
 * folder, which is fsynced, renamed over the output and the folder fsynced, so a crash or a kill never leaves a
 * half-written file under the final name and a finished file survives a power cut.
 *
 * Temp files are named `.<output name>.tmp-<pid>-<n>` and kept in a process-wide registry: they are removed on
 * every failure (abort), on process exit, and on SIGINT/SIGTERM (the handler removes them, then exits 130/143).
 * A SIGKILL cannot be caught, so the next writer of the same output removes the temps whose process is dead.
 *
 * Hand-written rather than `write-file-atomic`: that package has no streaming writer, no signal-time cleanup of
 * live temps and no cleanup of a killed run's temps, which are the three things the toolkit needs.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { OutputPathError } from '../errors.js';
import { describeFsError, resolveOutputFile } from './output-path.js';

// ---------------------------------------------------------------------------------------------------------------
// temp names and the registry of live temp files

const TEMP_INFIX = '.tmp-';
let tempCounter = 0;

/** Base of the temp names of `file`: `.<name>` (long names shortened with a hash so the temp name stays legal). */
function tempStem(file: string): string {
  const base = path.basename(file);
  if (base.length <= 200) return `.${base}`;
  return `.${base.slice(0, 120)}~${createHash('sha1').update(base).digest('hex').slice(0, 12)}`;
}

/** A fresh temp path beside `file`, named after it and this process. */
export function tempPathFor(file: string): string {
  tempCounter++;
  return path.join(
    path.dirname(file),
    `${tempStem(file)}${TEMP_INFIX}${process.pid}-${tempCounter.toString(36)}${Date.now().toString(36)}`,
  );
}

/** True when `name` (a file name, not a path) is a temp file of some atomic write. */
export function isTempName(name: string): boolean {
  return /^\..*\.tmp-\d+-[0-9a-z]+$/.test(name);
}

const live = new Set<string>();
const cleanups = new Set<() => void>();
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT;
let handlersInstalled = false;

function removeLiveTemps(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the next run removes what is left (removeStaleTemps)
    }
  }
  for (const tmp of live) rmSync(tmp, { force: true });
  live.clear();
}

function onSignal(signal: HandledSignal): void {
  removeLiveTemps();
  // Another listener (a job that stops gracefully on the signal) decides when to exit; otherwise exit as the
  // default action would, with the shell's 128 + signal number.
  if (process.listenerCount(signal) <= 1) process.exit(SIGNAL_EXIT[signal]);
}
const onSigint = () => onSignal('SIGINT');
const onSigterm = () => onSignal('SIGTERM');

/**
 * Installed with the first temp file and kept: removing the listeners when no temp is open could drop a signal
 * that arrived while a synchronous stretch of work was running; with no temp open the handler just exits.
 */
function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', removeLiveTemps);
  // Signals reach the main thread only; a worker's temps are removed by onInterruptCleanup hooks or the next run.
  if (isMainThread) {
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
  }
}

function register(tmp: string): void {
  live.add(tmp);
  installHandlers();
}

function unregister(tmp: string): void {
  live.delete(tmp);
}

/**
 * Runs `fn` on SIGINT/SIGTERM and on exit, beside the removal of this thread's temps: for temps this thread
 * cannot see (those of worker threads, which receive no signals). Returns the function that unregisters it.
 */
export function onInterruptCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  installHandlers();
  return () => {
    cleanups.delete(fn);
  };
}

/** The temp files this process has open now (for tests and diagnostics). */
export function liveTempFiles(): string[] {
  return [...live];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files of `file` left by killed runs (their process is gone); temps of live processes, this one's
 * included, are kept. Returns the paths removed. Called by every writer before it writes.
 */
export function removeStaleTemps(file: string): string[] {
  const dir = path.dirname(path.resolve(file));
  const prefix = `${tempStem(file)}${TEMP_INFIX}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-z]+$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const full = path.join(dir, name);
    const pid = Number(m[1]);
    if (live.has(full) || (pid !== process.pid && processAlive(pid))) continue;
    rmSync(full, { force: true });
    removed.push(full);
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------------------------
// the writer

function fsyncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems (and Windows) cannot open or fsync a folder; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, data: Uint8Array, start: number, end: number): void {
  while (start < end) start += writeSync(fd, data, start, end - start);
}

export interface TempFileOptions {
  /** File mode of the output (default 0o666 less the umask). */
  mode?: number;
}

/**
 * A reserved temp file for `file`, for writers that fill it themselves (a Parquet writer): write to `tempPath`,
 * then `commit()` (fsync, rename, fsync the folder) or `discard()`. Registered for signal-time cleanup.
 */
export class TempFile {
  /** The output as given. */
  readonly file: string;
  /** Where the rename lands: the output, or the file a symlink output points to (the link is kept). */
  readonly target: string;
  readonly tempPath: string;
  protected done = false;

  constructor(file: string, opts: TempFileOptions = {}) {
    this.file = file;
    this.target = resolveOutputFile(file);
    const dir = path.dirname(this.target);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new OutputPathError(file, `cannot create its folder ${dir}: ${describeFsError(err)}`);
    }
    removeStaleTemps(this.target);
    this.tempPath = tempPathFor(this.target);
    register(this.tempPath);
    try {
      closeSync(openSync(this.tempPath, 'wx', opts.mode ?? 0o666));
    } catch (err) {
      unregister(this.tempPath);
      throw new OutputPathError(file, `cannot write in ${dir}: ${describeFsError(err)}`);
    }
  }

  /** Makes the temp durable and moves it over the output. On failure the temp is removed and the output untouched. */
  commit(): void {
    if (this.done) throw new OutputPathError(this.file, 'already committed or discarded');
    try {
      const fd = openSync(this.tempPath, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.moveIntoPlace();
    } catch (err) {
      this.discard();
      throw asOutputError(this.file, err);
    }
  }

  protected moveIntoPlace(): void {
    renameSync(this.tempPath, this.target);
    this.done = true;
    unregister(this.tempPath);
    fsyncFolder(path.dirname(this.target));
  }

  /** Removes the temp; the output is left as it was. Safe to call twice or after commit. */
  discard(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.tempPath, { force: true });
    unregister(this.tempPath);
  }
}

function asOutputError(file: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' ? new OutputPathError(file, `cannot write: ${describeFsError(err)}`) : err;
}

export interface AtomicFileOptions extends TempFileOptions {
  /** Bytes buffered before a write to disk (default 1 MiB). */
  bufferSize?: number;
}

/**
 * A streaming atomic output: `text()`/`bytes()`/`write()` append, `close()` commits (fsync, rename, fsync the
 * folder), `abort()` drops the temp. Nothing appears under the output name before close() succeeds.
 */
export class AtomicFile extends TempFile {
  private fd: number;
  private buf: Buffer;
  private len = 0;
  private written = 0;

  constructor(file: string, opts: AtomicFileOptions = {}) {
    super(file, opts);
    this.buf = Buffer.allocUnsafe(opts.bufferSize ?? 1 << 20);
    try {
      this.fd = openSync(this.tempPath, 'r+');
    } catch (err) {
      this.discard();
      throw asOutputError(file, err);
    }
  }

  /** Bytes appended so far. */
  get bytesWritten(): number {
    return this.written + this.len;
  }

  private guard<T>(fn: () => T): T {
    if (this.done) throw new OutputPathError(this.file, 'write after close');
    try {
      return fn();
    } catch (err) {
      this.abort();
      throw asOutputError(this.file, err);
    }
  }

  private flushBuffer(): void {
    if (this.len) writeAll(this.fd, this.buf, 0, this.len);
    this.written += this.len;
    this.len = 0;
  }

  /** Appends bytes [start, end) of `src`. */
  bytes(src: Uint8Array, start = 0, end = src.byteLength): void {
    this.guard(() => {
      const n = end - start;
      if (this.len + n > this.buf.length) this.flushBuffer();
      if (n > this.buf.length) {
        writeAll(this.fd, src, start, end);
        this.written += n;
        return;
      }
      this.buf.set(src.subarray(start, end), this.len);
      this.len += n;
    });
  }

  /** Appends a string as UTF-8. */
  text(s: string): void {
    if (s.length * 3 > this.buf.length) {
      this.bytes(Buffer.from(s, 'utf8'));
      return;
    }
    this.guard(() => {
      if (this.len + s.length * 3 > this.buf.length) this.flushBuffer();
      this.len += this.buf.write(s, this.len, 'utf8');
    });
  }

  write(data: string | Uint8Array): void {
    if (typeof data === 'string') this.text(data);
    else this.bytes(data);
  }

  /** Writes what is buffered to the temp file (not needed before close()). */
  flush(): void {
    this.guard(() => this.flushBuffer());
  }

  /** Commits: flush, fsync, rename over the output, fsync the folder. Calling it again does nothing. */
  close(): void {
    if (this.done) return;
    try {
      this.flushBuffer();
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      this.moveIntoPlace();
    } catch (err) {
      this.abort();
      throw asOutputError(this.file, err);
    }
  }

  commit(): void {
    this.close();
  }

  /** Drops the partial output (closes and removes the temp). Safe to call twice or after close(). */
  abort(): void {
    if (this.done) return;
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed by a failed close(); the temp is removed below either way
      }
      this.fd = -1;
    }
    this.discard();
  }
}

/** Writes a whole file atomically (temp, fsync, rename, fsync the folder). */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: TempFileOptions = {}): void {
  const out = new AtomicFile(file, { ...opts, bufferSize: 1 << 16 });
  try {
    out.write(data);
    out.close();
  } finally {
    out.abort();
  }
}
