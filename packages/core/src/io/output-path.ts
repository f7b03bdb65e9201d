/**
 * The one output-path check. Every job calls `checkOutputPaths` with its inputs and outputs before any work
 * starts, so a bad output path fails in a second with a clear OutputPathError instead of after hours of work or
 * by damaging a file:
 * - an output that is an input (same real file: a symlink or a hard link to it included) is refused;
 * - only a regular file or a new name may be written: folders, devices (/dev/null, /dev/full), FIFOs and sockets
 *   are refused (a rename over them would replace them);
 * - missing parent folders are created (by the writer, so a failed check leaves nothing behind); the nearest
 *   existing one must be a writable folder;
 * - two outputs of one job may not be the same file.
 * The atomic writer (io/atomic.ts) repeats the per-path part when it opens, so no writer can skip it.
 */
import { accessSync, constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { OutputPathError } from '../errors.js';

/** Paths by role: the key names the option (`'--out'`, `'checkpoint'`), for messages. */
export type PathsByRole = Readonly<Record<string, string | readonly string[] | null | undefined>>;

export interface OutputPathCheck {
  /** Files the job reads: no output may be one of them. Missing inputs are skipped (the reader reports them). */
  inputs?: PathsByRole;
  /** Files the job writes. */
  outputs?: PathsByRole;
  /** Folders the job writes into (created when missing); none may be an input. */
  folders?: PathsByRole;
  /**
   * Folders the job fills with files named after its inputs (vision crop): like `folders`, and no input may lie
   * inside one, where an output could land on it.
   */
  trees?: PathsByRole;
}

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'already exists',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EFBIG: 'file too large',
  EMFILE: 'too many open files',
  ENOENT: 'no such file or folder',
};

/** A short, user-facing reason for a file-system error (`permission denied`, `no space left on device`, ...). */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e?.code && FS_REASONS[e.code]) ?? e?.message ?? String(err);
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function statOrNull(p: string, follow = true): Stats | null {
  try {
    return follow ? statSync(p) : lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') throw new OutputPathError(p, 'a part of the path is not a folder');
    throw new OutputPathError(p, describeFsError(err));
  }
}

/** Checks that the nearest existing folder above (or at) `dir` is a folder this process can create files in. */
function checkWritableFolder(display: string, dir: string): void {
  let d = path.resolve(dir);
  for (;;) {
    const st = statOrNull(d);
    if (st) {
      if (!st.isDirectory())
        throw new OutputPathError(display, `cannot create a folder under ${d}: it is not a folder`);
      try {
        accessSync(d, constants.W_OK | constants.X_OK);
      } catch (err) {
        throw new OutputPathError(display, `folder ${d} is not writable (${describeFsError(err)})`);
      }
      return;
    }
    const up = path.dirname(d);
    if (up === d) throw new OutputPathError(display, `no existing folder above ${dir}`);
    d = up;
  }
}

/**
 * Checks one output file without knowing the inputs, and returns where the atomic rename must land: the path
 * itself, or for a symlink to a regular file the file it points to (so the link stays a link).
 */
export function resolveOutputFile(file: string): string {
  if (!file) throw new OutputPathError('(empty)', 'no output file name given');
  if (/[\\/]$/.test(file)) throw new OutputPathError(file, 'names a folder; give a file name');
  let target = path.resolve(file);
  const link = statOrNull(target, false);
  if (link?.isSymbolicLink()) {
    const st = statOrNull(target);
    if (st) target = realpathSync(target);
  }
  const st = statOrNull(target);
  if (st && !st.isFile()) {
    throw new OutputPathError(
      file,
      `is ${kindOf(st)}; an output must be a regular file or a new name${st.isDirectory() ? ' (give a file name inside it)' : ''}`,
    );
  }
  checkWritableFolder(file, path.dirname(target));
  return target;
}

/** Checks one output folder (existing and writable, or creatable) and returns its absolute path. */
export function resolveOutputFolder(dir: string): string {
  if (!dir) throw new OutputPathError('(empty)', 'no output folder given');
  const abs = path.resolve(dir);
  const st = statOrNull(abs);
  if (st && !st.isDirectory()) throw new OutputPathError(dir, `is ${kindOf(st)}, not a folder`);
  checkWritableFolder(dir, abs);
  return abs;
}

interface Entry {
  role: string;
  path: string;
}

function entries(paths: PathsByRole | undefined): Entry[] {
  const out: Entry[] = [];
  for (const [role, v] of Object.entries(paths ?? {})) {
    if (v === undefined || v === null) continue;
    for (const p of typeof v === 'string' ? [v] : v) out.push({ role, path: p });
  }
  return out;
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The check every job runs before it starts work (see the module comment). Throws an OutputPathError naming the
 * output, its role and, for a clash, the input.
 */
export function checkOutputPaths(check: OutputPathCheck): void {
  const inputs = entries(check.inputs).map((e) => ({ ...e, st: statOrNull(e.path), real: realOrResolved(e.path) }));
  const seen: { role: string; path: string; real: string; st: Stats | null }[] = [];
  const clash = (e: Entry, real: string, st: Stats | null) => {
    for (const i of inputs) {
      if ((st && i.st && sameFile(st, i.st)) || real === i.real) {
        throw new OutputPathError(
          e.path,
          `${e.role} is the same file as the input ${i.path} (${i.role}); choose another output so the input is not overwritten`,
        );
      }
    }
    for (const o of seen) {
      if ((st && o.st && sameFile(st, o.st)) || real === o.real) {
        throw new OutputPathError(e.path, `${e.role} is the same path as ${o.role}; give each output its own name`);
      }
    }
  };
  for (const e of entries(check.outputs)) {
    const target = resolveOutputFile(e.path);
    const st = statOrNull(target);
    clash(e, target, st);
    seen.push({ ...e, real: target, st });
  }
  for (const [tree, list] of [
    [false, entries(check.folders)],
    [true, entries(check.trees)],
  ] as const) {
    for (const e of list) {
      resolveOutputFolder(e.path);
      const real = realOrResolved(e.path);
      const st = statOrNull(real);
      clash(e, real, st);
      if (tree) {
        for (const i of inputs) {
          if (isInside(i.real, real))
            throw new OutputPathError(
              e.path,
              `${e.role} contains the input ${i.path} (${i.role}); outputs written there could overwrite it`,
            );
        }
      }
      seen.push({ ...e, real, st });
    }
  }
}
