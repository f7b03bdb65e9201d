/**
 * Errors that bioscan5m raises for problems a user can fix (bad input, missing files).
 * The CLI prints their message alone, without a stack trace.
 */
export class Bioscan5mError extends Error {
  readonly code: string;
  constructor(message: string, code = 'BIOSCAN5M_ERROR') {
    super(message);
    this.name = 'Bioscan5mError';
    this.code = code;
  }
}

/** Where in an input file a problem sits. Lines are 1-based and count the header. */
export interface InputLocation {
  file: string;
  line?: number;
  column?: string;
  value?: string;
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

export function formatLocation(loc: InputLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  s += ': ';
  if (loc.column !== undefined) s += `column '${loc.column}'`;
  if (loc.value !== undefined) s += `${loc.column !== undefined ? ' ' : ''}value '${truncate(loc.value, 60)}'`;
  if (loc.column !== undefined || loc.value !== undefined) s += ': ';
  return s;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

export function isBioscan5mError(err: unknown): err is Bioscan5mError {
  return err instanceof Bioscan5mError;
}
