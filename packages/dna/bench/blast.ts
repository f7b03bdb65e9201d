/**
 * BLAST for the benchmark scripts (never the library): Debian's ncbi-blast+, installed with apt-get when missing;
 * blastn defaults (megablast), the top hit's label, no hit = wrong; makeblastdb not timed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function ensureBlast(): boolean {
  const has = () => spawnSync('blastn', ['-version']).status === 0;
  if (has()) return true;
  console.log('installing ncbi-blast+ (Debian) ...');
  const root = process.getuid?.() === 0;
  spawnSync(root ? 'apt-get' : 'sudo', [...(root ? [] : ['apt-get']), 'install', '-y', 'ncbi-blast+'], {
    stdio: 'inherit',
  });
  if (!has()) console.log('BLAST unavailable: its row is left out');
  return has();
}

const fasta = (seqs: readonly string[], prefix: string) =>
  seqs.map((s, i) => `>${prefix}${i}\n${s.replace(/[-.~\s]/g, '').toUpperCase()}\n`).join('');

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
  writeFileSync(ref, fasta(reference, 'r'));
  writeFileSync(qfa, fasta(queries, 'q'));
  execFileSync('makeblastdb', ['-in', ref, '-dbtype', 'nucl', '-out', db], { stdio: 'ignore' });
  const t0 = performance.now();
  execFileSync('blastn', [
    '-query',
    qfa,
    '-db',
    db,
    '-num_threads',
    String(threads),
    '-outfmt',
    '6 qseqid sseqid',
    '-out',
    out,
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const top = new Int32Array(queries.length).fill(-1);
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const [q, s] = line.split('\t');
    const qi = Number(q.slice(1));
    if (top[qi] === -1) top[qi] = Number(s.slice(1)); // hits come best first per query
  }
  return { top, seconds };
}
