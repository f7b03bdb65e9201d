/**
 * BLAST for the benchmark scripts (never the library): Debian's ncbi-blast+, installed with apt-get when missing;
 * blastn defaults (megablast); makeblastdb not timed. Sequences are named `<prefix><index>` in the FASTA files so
 * hits map back to rows.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureDebianTool } from './debian-tool.js';

export const ensureBlast = (): boolean => ensureDebianTool('blastn', '-version', 'ncbi-blast+');

/** Writes `seqs` as FASTA records `<prefix><index>`; BLAST reads IUPAC codes itself, gaps and padding are removed. */
export function writeFastaRecords(file: string, seqs: readonly string[], prefix: string): void {
  writeFileSync(file, seqs.map((s, i) => `>${prefix}${i}\n${s.replace(/[-.~\s]/g, '').toUpperCase()}\n`).join(''));
}

/** Builds the nucleotide database `db` from FASTA file `fasta` (not timed). */
export function makeBlastDb(fasta: string, db: string): void {
  mkdirSync(path.dirname(db), { recursive: true });
  execFileSync('makeblastdb', ['-in', fasta, '-dbtype', 'nucl', '-out', db], { stdio: 'ignore' });
}

/** blastn of FASTA `query` against `db` into tabular `out` (-outfmt 6 with `fields`); returns its seconds. */
export function blastn(query: string, db: string, out: string, fields: string, threads = 2): number {
  const t0 = performance.now();
  execFileSync('blastn', [
    '-query',
    query,
    '-db',
    db,
    '-num_threads',
    String(threads),
    '-outfmt',
    `6 ${fields}`,
    '-out',
    out,
  ]);
  return (performance.now() - t0) / 1000;
}

/** Index of each query's top BLAST hit among `reference` (-1: no hit), and the blastn seconds. */
export function blastTopHits(
  dir: string,
  reference: readonly string[],
  queries: readonly string[],
  threads = 2,
): { top: Int32Array; seconds: number } {
  mkdirSync(dir, { recursive: true });
  const ref = path.join(dir, 'ref.fa');
  const qfa = path.join(dir, 'queries.fa');
  const db = path.join(dir, 'db');
  const out = path.join(dir, 'hits.tsv');
  writeFastaRecords(ref, reference, 'r');
  writeFastaRecords(qfa, queries, 'q');
  makeBlastDb(ref, db);
  const seconds = blastn(qfa, db, out, 'qseqid sseqid', threads);
  const top = new Int32Array(queries.length).fill(-1);
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const [q, s] = line.split('\t');
    const qi = Number(q.slice(1));
    if (top[qi] === -1) top[qi] = Number(s.slice(1)); // hits come best first per query
  }
  return { top, seconds };
}
