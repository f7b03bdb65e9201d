/**
 * Reads only the header line of a CSV/TSV file: names, delimiter and the byte offset where records start,
 * which the byte-level scanners need (the streaming table reader hides byte offsets).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { inputFileSize } from '../io/table.js';

export interface FileHeader {
  file: string;
  header: string[];
  /** ',' or '\t'. */
  delimiter: string;
  /** Byte offset of the first record (after the header's line break). */
  dataStart: number;
  totalBytes: number;
}

function splitHeader(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let j = i + 1;
      let v = '';
      while (j < line.length) {
        if (line[j] === '"') {
          if (line[j + 1] === '"') {
            v += '"';
            j += 2;
            continue;
          }
          break;
        }
        v += line[j++];
      }
      out.push(v);
      i = j + 2; // closing quote + delimiter
      continue;
    }
    const k = line.indexOf(delimiter, i);
    if (k < 0) {
      out.push(line.slice(i));
      break;
    }
    out.push(line.slice(i, k));
    i = k + 1;
  }
  return out.map((h) => h.trim());
}

export function readFileHeader(file: string, opts: { delimiter?: string } = {}): FileHeader {
  const size = inputFileSize(file);
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.alloc(Math.min(Math.max(size, 1), 1 << 16));
    let n = readSync(fd, buf, 0, buf.length, 0);
    let inQuote = false;
    let lf = -1;
    let scanned = 0;
    while (true) {
      for (let i = scanned; i < n; i++) {
        const c = buf[i];
        if (c === 34) inQuote = !inQuote;
        else if (c === 10 && !inQuote) {
          lf = i;
          break;
        }
      }
      if (lf >= 0 || n < buf.length) break;
      scanned = n;
      const bigger = Buffer.alloc(buf.length * 2);
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
      n += readSync(fd, buf, n, buf.length - n, n);
    }
    const end = lf >= 0 ? lf : n;
    let text = buf.toString('utf8', 0, end);
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') throw new InputError({ file, line: 1 }, 'empty file: expected a header row');
    const ext = path.extname(file).toLowerCase();
    const delimiter =
      opts.delimiter ?? (ext === '.tsv' || ext === '.tab' || (text.includes('\t') && !text.includes(',')) ? '\t' : ',');
    return { file, header: splitHeader(text, delimiter), delimiter, dataStart: lf >= 0 ? lf + 1 : n, totalBytes: size };
  } finally {
    closeSync(fd);
  }
}
