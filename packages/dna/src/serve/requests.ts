/**
 * Request bodies of the identification service -> queries, checked: a JSON list of {id, sequence} or FASTA text.
 * Every problem is a RequestError (HTTP status, stable code, message naming the record) so that a client learns
 * which record to fix; nothing here does I/O.
 */
import { Bioscan5mError } from '@bioscan5m/core';
import { BARCODE_BYTE_CLASS, BARCODE_INVALID } from '@bioscan5m/core/internal';
import { cleanBarcode, type CleanedBarcode } from '../identify/clean.js';
import { parseFastaText } from '../io/fasta.js';

/** One query of a request. */
export interface ServiceQuery {
  /** The record's id, or its 0-based position in the request when it has none. */
  id: string;
  sequence: string;
  cleaned: CleanedBarcode;
}

export type RequestErrorCode =
  | 'INVALID_JSON'
  | 'INVALID_FASTA'
  | 'INVALID_RECORD'
  | 'EMPTY_SEQUENCE'
  | 'INVALID_CHARACTER'
  | 'NO_QUERY'
  | 'TOO_MANY_QUERIES'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_CONTENT_TYPE';

/** A request the service refuses: HTTP status, code and a message naming the record at fault. */
export class RequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export interface QueryLimits {
  /** Most queries in one request (more: 413). */
  maxQueries: number;
}

const JSON_SHAPE = 'expected a JSON list of {"id": "...", "sequence": "ACGT..."} records';

/** `record 3 (id "x")`: how errors name a record (1-based position). */
function recordName(index: number, id: string | undefined, line?: number): string {
  const where = line !== undefined ? `record ${index + 1} (line ${line}` : `record ${index + 1} (`;
  if (id === undefined || id === '') return line !== undefined ? `${where})` : `record ${index + 1}`;
  return `${where}${line !== undefined ? ', ' : ''}id ${JSON.stringify(id)})`;
}

/**
 * A query's sequence, checked: it must hold at least one A/C/G/T base, and only nucleotide codes (A C G T U, the
 * IUPAC ambiguity codes, either case) and gap or padding characters (- . ~ ? whitespace). A sequence with a few
 * bases only is still a query: it is answered as `dna identify` answers it (no lineage, note "too few bases").
 */
function checkedQuery(id: string, sequence: string, name: string): ServiceQuery {
  for (let i = 0; i < sequence.length; i++) {
    const c = sequence.charCodeAt(i);
    if (c >= 128 || BARCODE_BYTE_CLASS[c] === BARCODE_INVALID) {
      const ch = String.fromCodePoint(sequence.codePointAt(i)!);
      throw new RequestError(
        400,
        'INVALID_CHARACTER',
        `${name}: ${JSON.stringify(ch)} at position ${i + 1} of the sequence is no nucleotide code ` +
          '(A C G T U, IUPAC ambiguity codes, gaps)',
      );
    }
  }
  const cleaned = cleanBarcode(sequence);
  if (cleaned.acgt === 0)
    throw new RequestError(
      400,
      'EMPTY_SEQUENCE',
      `${name}: ${sequence.trim() ? 'the sequence has no A/C/G/T base' : 'the sequence is empty'}`,
    );
  return { id, sequence, cleaned };
}

function checkCount(n: number, limits: QueryLimits): void {
  if (n === 0) throw new RequestError(400, 'NO_QUERY', 'the request holds no query');
  if (n > limits.maxQueries)
    throw new RequestError(
      413,
      'TOO_MANY_QUERIES',
      `the request holds ${n} queries, more than the limit of ${limits.maxQueries} per request: split it`,
    );
}

/** Queries of a parsed JSON body: a list of {id?, sequence} (id a string or a number). */
export function queriesFromJson(body: unknown, limits: QueryLimits): ServiceQuery[] {
  if (!Array.isArray(body)) throw new RequestError(400, 'INVALID_RECORD', `${JSON_SHAPE}, got ${describe(body)}`);
  checkCount(body.length, limits);
  return body.map((rec: unknown, i) => {
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec))
      throw new RequestError(400, 'INVALID_RECORD', `record ${i + 1}: ${JSON_SHAPE}, got ${describe(rec)}`);
    const { id, sequence } = rec as { id?: unknown; sequence?: unknown };
    if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number')
      throw new RequestError(400, 'INVALID_RECORD', `record ${i + 1}: "id" must be a string or a number`);
    const key = id === undefined || id === null ? undefined : String(id);
    const name = recordName(i, key);
    if (typeof sequence !== 'string')
      throw new RequestError(
        400,
        sequence === undefined ? 'EMPTY_SEQUENCE' : 'INVALID_RECORD',
        `${name}: ${sequence === undefined ? 'no "sequence" field' : '"sequence" must be a string'}`,
      );
    return checkedQuery(key ?? String(i), sequence, name);
  });
}

/** Queries of a FASTA body (ids: the first word of each header, or the record's 0-based position). */
export function queriesFromFasta(text: string, limits: QueryLimits): ServiceQuery[] {
  let records;
  try {
    records = parseFastaText(text, 'request body');
  } catch (err) {
    if (Bioscan5mError.isInstance(err)) throw new RequestError(400, 'INVALID_FASTA', err.message);
    throw err;
  }
  checkCount(records.length, limits);
  return records.map((r, i) => checkedQuery(r.id || String(i), r.sequence, recordName(i, r.id, r.line)));
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  return typeof x === 'object' ? 'an object' : `a ${typeof x}`;
}
