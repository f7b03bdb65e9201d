/**
 * Typed errors. Every problem a user can fix (bad input file, bad flag, unwritable output, missing optional
 * package) is a Bioscan5mError with a code from ERROR_CODES; the CLI prints its message alone (exit 1, or 2
 * for usage errors) and keeps "unexpected error, please report it" for real bugs.
 *
 * `Bioscan5mError.isInstance` checks a `Symbol.for` marker rather than `instanceof`, so an error thrown by one
 * installed copy of @bioscan5m/core is recognised by another (the pattern of vercel/ai's AISDKError).
 */
export const ERROR_CODES = [
  /** A generic user-fixable problem. */
  'BIOSCAN5M_ERROR',
  /** A malformed input file: a value, a row, a header (InputError). */
  'BIOSCAN5M_INPUT',
  /** A file or folder that cannot be read or written (missing, permissions, a folder where a file is needed). */
  'BIOSCAN5M_IO',
  /** An image that cannot be decoded (missing, not an image, truncated, corrupt). */
  'BIOSCAN5M_IMAGE',
  /** An output path that would damage an input or a special file, or cannot be created (OutputPathError). */
  'BIOSCAN5M_OUTPUT',
  /** A bad option value or a missing required option (UsageError; the CLI exits 2). */
  'BIOSCAN5M_USAGE',
  /** An optional package needed for this call is not installed (MissingDependencyError). */
  'BIOSCAN5M_MISSING_DEPENDENCY',
  /** The job was stopped by SIGINT/SIGTERM or an AbortSignal; its temp files are removed. */
  'BIOSCAN5M_INTERRUPTED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const MARKER = Symbol.for('bioscan5m.error');

export class Bioscan5mError extends Error {
  readonly code: ErrorCode;
  private readonly [MARKER] = true;
  constructor(message: string, code: ErrorCode = 'BIOSCAN5M_ERROR', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Bioscan5mError';
    this.code = code;
  }

  /** True for a Bioscan5mError from any installed copy of @bioscan5m/core. */
  static isInstance(err: unknown): err is Bioscan5mError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Where in an input file a problem sits. Lines are 1-based and count the header. */
export interface InputLocation {
  file: string;
  line?: number;
  column?: string;
  value?: string;
}

/** A record a reader skipped (with skipInvalid): where, and why. Every reader reports skipped rows in this shape. */
export interface SkippedRow {
  line: number;
  reason: string;
  column?: string;
  value?: string;
}

/** The SkippedRow of an InputError. */
export function skippedRow(err: InputError, line = err.location.line ?? 0): SkippedRow {
  const row: SkippedRow = { line, reason: err.reason };
  if (err.location.column !== undefined) row.column = err.location.column;
  if (err.location.value !== undefined) row.value = err.location.value;
  return row;
}

/** A malformed value in an input file: the message names file, line, column and value. */
export class InputError extends Bioscan5mError {
  readonly location: InputLocation;
  readonly reason: string;
  constructor(location: InputLocation, reason: string) {
    super(formatLocation(location) + reason, 'BIOSCAN5M_INPUT');
    this.name = 'InputError';
    this.location = location;
    this.reason = reason;
  }
}

/** A bad option (flag) value: names the option and the values it accepts. The CLI exits 2. */
export class UsageError extends Bioscan5mError {
  readonly option: string | undefined;
  constructor(message: string, option?: string) {
    super(option ? `${option}: ${message}` : message, 'BIOSCAN5M_USAGE');
    this.name = 'UsageError';
    this.option = option;
  }
}

/** An output path that must not be written (it is an input, a special file, a folder) or cannot be. */
export class OutputPathError extends Bioscan5mError {
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`, 'BIOSCAN5M_OUTPUT');
    this.name = 'OutputPathError';
    this.path = path;
  }
}

/** An optional peer package (tfjs, onnxruntime-node, faiss-node, ...) is needed but not installed. */
export class MissingDependencyError extends Bioscan5mError {
  readonly packageName: string;
  constructor(packageName: string, neededFor: string) {
    super(
      `${neededFor} needs the optional package '${packageName}': install it with \`npm install ${packageName}\``,
      'BIOSCAN5M_MISSING_DEPENDENCY',
    );
    this.name = 'MissingDependencyError';
    this.packageName = packageName;
  }
}

export function formatLocation(loc: InputLocation): string {
  let s = printable(loc.file);
  if (loc.line !== undefined) s += `:${loc.line}`;
  s += ': ';
  if (loc.column !== undefined) s += `column '${printable(loc.column)}'`;
  if (loc.value !== undefined)
    s += `${loc.column !== undefined ? ' ' : ''}value '${printable(truncate(loc.value, 60))}'`;
  if (loc.column !== undefined || loc.value !== undefined) s += ': ';
  return s;
}

/**
 * Escapes what a terminal must not receive raw (control characters, invalid UTF-16, the replacement character of
 * undecodable bytes) so that an error about a binary file never prints its bytes.
 */
export function printable(s: string): string {
  return s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u{${c.charCodeAt(0).toString(16)}}`),
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** @deprecated use Bioscan5mError.isInstance */
export function isBioscan5mError(err: unknown): err is Bioscan5mError {
  return Bioscan5mError.isInstance(err);
}
