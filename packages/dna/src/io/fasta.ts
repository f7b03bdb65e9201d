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

/** Reads FASTA records one by one. Throws an InputError for sequence text before the first header. */
export async function* readFasta(file: string): AsyncGenerator<FastaRecord> {
  checkInputFile(file, 'a FASTA file');
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  let current: FastaRecord | null = null;
  let parts: string[] = [];
  try {
    for await (const raw of rl) {
      lineNo++;
      const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (line.startsWith('>')) {
        if (current) {
          current.sequence = parts.join('');
          yield current;
        }
        const header = line.slice(1).trim();
        const space = header.search(/\s/);
        current = {
          id: space < 0 ? header : header.slice(0, space),
          description: space < 0 ? '' : header.slice(space + 1).trim(),
          sequence: '',
          line: lineNo,
        };
        parts = [];
      } else if (line.startsWith(';')) {
        continue;
      } else {
        const text = line.trim();
        if (!text) continue;
        if (!current)
          throw new InputError({ file, line: lineNo }, 'sequence text before the first FASTA header (">id")');
        parts.push(text);
      }
    }
    if (current) {
      current.sequence = parts.join('');
      yield current;
    }
  } finally {
    rl.close();
  }
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
