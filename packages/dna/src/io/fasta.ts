/**
 * Streaming FASTA reader. Hand-written (a few lines over node:readline) because no maintained npm FASTA parser
 * reports the line of each record, which every error message here must name, and multi-line records, blank lines,
 * CRLF and `;` comments are all it needs to handle.
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Bioscan5mError, InputError } from '@bioscan5m/core';

export interface FastaRecord {
  /** First word of the header line (after `>`). */
  id: string;
  /** The rest of the header line. */
  description: string;
  /** Sequence lines joined, as written (no cleaning). */
  sequence: string;
  /** 1-based line of the header. */
  line: number;
}

/** A missing file or a folder, named, before anything reads it. */
function checkInputFile(file: string, expected: string): void {
  try {
    if (statSync(file).isDirectory())
      throw new Bioscan5mError(`${file}: is a directory, expected ${expected}`, 'BIOSCAN5M_IO');
  } catch (err) {
    if (err instanceof Bioscan5mError) throw err;
    throw new Bioscan5mError(
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'BIOSCAN5M_IO',
    );
  }
}

/**
 * FASTA records from lines pushed one by one (a file's lines, or a request body's): push() returns the record a
 * header line completes, end() the last one. `where` names the input in errors ("request body", a file path).
 */
export class FastaLineParser {
  private lineNo = 0;
  private current: FastaRecord | null = null;
  private parts: string[] = [];

  constructor(private readonly where: string) {}

  push(raw: string): FastaRecord | undefined {
    this.lineNo++;
    const line = this.lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.startsWith('>')) {
      const done = this.end();
      const header = line.slice(1).trim();
      const space = header.search(/\s/);
      this.current = {
        id: space < 0 ? header : header.slice(0, space),
        description: space < 0 ? '' : header.slice(space + 1).trim(),
        sequence: '',
        line: this.lineNo,
      };
      return done;
    }
    if (line.startsWith(';')) return undefined;
    const text = line.trim();
    if (!text) return undefined;
    if (!this.current)
      throw new InputError(
        { file: this.where, line: this.lineNo },
        'sequence text before the first FASTA header (">id")',
      );
    this.parts.push(text);
    return undefined;
  }

  /** The record in progress, finished (undefined when there is none). */
  end(): FastaRecord | undefined {
    const done = this.current ?? undefined;
    if (done) done.sequence = this.parts.join('');
    this.current = null;
    this.parts = [];
    return done;
  }
}

/** Reads FASTA records one by one. Throws an InputError for sequence text before the first header. */
export async function* readFasta(file: string): AsyncGenerator<FastaRecord> {
  checkInputFile(file, 'a FASTA file');
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  const parser = new FastaLineParser(file);
  try {
    for await (const raw of rl) {
      const rec = parser.push(raw);
      if (rec) yield rec;
    }
    const last = parser.end();
    if (last) yield last;
  } finally {
    rl.close();
  }
}

/** FASTA records of a text held in memory (a request body); `where` names it in errors. */
export function parseFastaText(text: string, where: string): FastaRecord[] {
  const parser = new FastaLineParser(where);
  const out: FastaRecord[] = [];
  for (const line of text.split(/\r?\n/)) {
    const rec = parser.push(line);
    if (rec) out.push(rec);
  }
  const last = parser.end();
  if (last) out.push(last);
  return out;
}

/** Whether a file looks like FASTA: its first non-blank character is `>`. */
export function looksLikeFasta(file: string): boolean {
  checkInputFile(file, 'a CSV/TSV or FASTA file');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf
      .subarray(0, n)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return text.trimStart().startsWith('>');
  } finally {
    closeSync(fd);
  }
}
