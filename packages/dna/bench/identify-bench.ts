/**
 * Identification benchmark: our engine against BLAST (Debian ncbi-blast+, blastn defaults = megablast, top hit,
 * -num_threads 2, makeblastdb not timed; no hit = wrong), on
 *  1. the real-data protocol from the shared coi_barcodes.csv (buildIdentifyProtocol, seed 7): closed world
 *     (species seen in the reference) -> species accuracy; open world (species absent, genus present) -> genus
 *     accuracy and how many queries are called novel;
 *  2. a synthetic 300k-record reference (@bioscan5m/core synthesizeBarcodes: tree-evolved COI with a barcode gap),
 *     closed and open queries held out the same way.
 * Ours is timed end to end through runIdentifyJob (CSV read, cleaning, index build, leave-one-out calibration,
 * queries, atomic CSV write). Alternatives (closed-world mode, pure k-mer vote) are run for the record.
 *
 * Usage: npm run bench:identify -w @bioscan5m/dna [-- --synthetic 300000 --synthetic-queries 1000 --no-blast]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng, createTableWriter, iterateSyntheticBarcodes, readTable, TAXONOMIC_RANKS } from '@bioscan5m/core';
import {
  buildIdentifyProtocol,
  runIdentifyJob,
  type IdentifyJobOptions,
  type IdentifyJobSummary,
} from '../src/identify/index.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
/** Repository root: the nearest folder above the working directory whose package.json declares workspaces. */
function repoRoot(): string {
  let dir = process.cwd();
  while (dir !== path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).workspaces) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}
const DATA = arg('data', path.resolve(repoRoot(), '../shared/data/dna/coi_barcodes.csv'));
const OUT = arg('out', '/tmp/bioscan-bench/identify');
const SYNTH = Number(arg('synthetic', '300000'));
const SYNTH_Q = Number(arg('synthetic-queries', '1000'));
const NO_BLAST = args.includes('--no-blast');
const SKIP_REAL = args.includes('--skip-real');
mkdirSync(OUT, { recursive: true });

function ensureBlast(): boolean {
  if (NO_BLAST) return false;
  const has = () => spawnSync('blastn', ['-version']).status === 0;
  if (has()) return true;
  console.log('installing ncbi-blast+ (Debian) ...');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  spawnSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'install', '-y', 'ncbi-blast+'], {
    stdio: 'inherit',
  });
  if (!has()) console.log('BLAST unavailable: reference figures skipped');
  return has();
}

type Rows = string[][];

interface Side {
  header: string[];
  reference: Rows;
  closed: Rows;
  open: Rows;
}

function writeCsv(file: string, header: string[], rows: Rows): void {
  const w = createTableWriter(file, header);
  for (const r of rows) w.write(r);
  w.close();
}

function writeFasta(file: string, header: string[], rows: Rows, prefix: string): void {
  const seq = header.indexOf('dna_barcode');
  // BLAST reads IUPAC codes itself; alignment gaps and padding are removed.
  writeFileSync(file, rows.map((r, i) => `>${prefix}${i}\n${r[seq].replace(/[-.~\s]/g, '').toUpperCase()}\n`).join(''));
}

interface Scores {
  /** Index build + leave-one-out calibration (ours), inside `seconds`. */
  build?: number;
  species: number;
  genus: number;
  novel: number;
  seconds: number;
  qps: number;
}

function scoreOurs(s: IdentifyJobSummary, queries: number): Scores {
  return {
    species: s.accuracy!.species.accuracy,
    genus: s.accuracy!.genus.accuracy,
    novel: s.novel / queries,
    build: s.reference.buildSeconds,
    seconds: s.seconds,
    qps: s.queriesPerSecond,
  };
}

function runBlast(name: string, side: Side, kind: 'closed' | 'open'): Scores {
  const dir = path.join(OUT, name);
  const db = path.join(dir, 'blastdb', 'ref');
  if (!existsSync(`${db}.nsq`) && !existsSync(`${db}.00.nsq`) && !existsSync(`${db}.nal`)) {
    writeFasta(path.join(dir, 'ref.fa'), side.header, side.reference, 'r');
    mkdirSync(path.dirname(db), { recursive: true });
    execFileSync('makeblastdb', ['-in', path.join(dir, 'ref.fa'), '-dbtype', 'nucl', '-out', db], { stdio: 'ignore' });
  }
  const rows = side[kind];
  const qfa = path.join(dir, `${kind}.fa`);
  writeFasta(qfa, side.header, rows, 'q');
  const out = path.join(dir, `${kind}.blast.tsv`);
  const t0 = performance.now();
  execFileSync('blastn', [
    '-query',
    qfa,
    '-db',
    db,
    '-num_threads',
    '2',
    '-outfmt',
    '6 qseqid sseqid pident length evalue bitscore',
    '-out',
    out,
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const top = new Map<number, number>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    if (!line) continue;
    const [q, s] = line.split('\t');
    const qi = Number(q.slice(1));
    if (!top.has(qi)) top.set(qi, Number(s.slice(1))); // hits come sorted best first per query
  }
  const sp = side.header.indexOf('species');
  const gn = side.header.indexOf('genus');
  let species = 0;
  let genus = 0;
  rows.forEach((r, i) => {
    const h = top.get(i);
    if (h === undefined) return; // no hit = wrong
    const ref = side.reference[h];
    if (r[sp] && ref[sp] === r[sp]) species++;
    if (r[gn] && ref[gn] === r[gn]) genus++;
  });
  return { species: species / rows.length, genus: genus / rows.length, novel: 0, seconds, qps: rows.length / seconds };
}

/**
 * Calibration of the confidence column: expected calibration error over 10 bins, and mean confidence vs
 * accuracy, where "right" is the deepest rank given (species, or genus when called novel).
 */
async function calibration(predFile: string, rows: Rows, header: string[]): Promise<string> {
  const pred = await readTable(predFile);
  const sp = header.indexOf('species');
  const gn = header.indexOf('genus');
  const bins = Array.from({ length: 10 }, () => ({ n: 0, conf: 0, ok: 0 }));
  let conf = 0;
  let ok = 0;
  pred.rows.forEach((p, i) => {
    const c = Number(p[8]);
    const right = p[7] ? p[7] === rows[i][sp] : p[6] !== '' && p[6] === rows[i][gn];
    const b = bins[Math.min(9, Math.floor(c * 10))];
    b.n++;
    b.conf += c;
    b.ok += right ? 1 : 0;
    conf += c;
    ok += right ? 1 : 0;
  });
  const n = pred.rows.length;
  const ece = bins.reduce((a, b) => a + (b.n ? Math.abs(b.conf - b.ok) / n : 0), 0);
  return `mean confidence ${(conf / n).toFixed(3)} vs accuracy of the deepest rank given ${(ok / n).toFixed(3)}, ECE ${ece.toFixed(3)}`;
}

async function runOurs(
  name: string,
  side: Side,
  kind: 'closed' | 'open',
  opts: Partial<IdentifyJobOptions> = {},
  tag = 'default',
): Promise<Scores> {
  const dir = path.join(OUT, name);
  const ref = path.join(dir, 'reference.csv');
  const q = path.join(dir, `${kind}.csv`);
  if (!existsSync(ref)) writeCsv(ref, side.header, side.reference);
  if (!existsSync(q)) writeCsv(q, side.header, side[kind]);
  const pred = path.join(dir, `${kind}.${tag}.pred.csv`);
  const s = await runIdentifyJob({ ...opts, reference: ref, queries: q, out: pred });
  if (tag === 'default') {
    log(
      `ours (${name}, ${kind}): ${await calibration(pred, side[kind], side.header)}; species threshold ${s.reference.speciesThreshold.toFixed(4)}; ` +
        `search phase ${s.querySeconds.toFixed(2)} s (${(side[kind].length / s.querySeconds).toFixed(0)} queries/s after the build)`,
    );
  }
  return scoreOurs(s, side[kind].length);
}

/** Synthetic reference of about `n` records with closed and open queries held out (seeded). */
function syntheticSide(n: number, nq: number): Side {
  const header = ['record_id', ...TAXONOMIC_RANKS, 'dna_barcode'];
  const rows: Rows = [];
  // ~15 records per species on average, as in BIOSCAN-5M's train split.
  for (const r of iterateSyntheticBarcodes({ species: Math.round(n / 15), perSpecies: [5, 25], seed: 11 })) {
    rows.push([r.processid, ...TAXONOMIC_RANKS.map((k) => r[k]), r.dna_barcode]);
  }
  const rng = createRng(5);
  const sp = header.indexOf('species');
  const gn = header.indexOf('genus');
  const seqCol = header.indexOf('dna_barcode');
  const bySpecies = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (!bySpecies.has(r[sp])) bySpecies.set(r[sp], []);
    bySpecies.get(r[sp])!.push(i);
  });
  const genusSpecies = new Map<string, string[]>();
  for (const name of bySpecies.keys()) {
    const g = rows[bySpecies.get(name)![0]][gn];
    if (!genusSpecies.has(g)) genusSpecies.set(g, []);
    genusSpecies.get(g)!.push(name);
  }
  const side = new Int8Array(rows.length);
  // Open: whole species from genera with >= 2 species, until nq records.
  const openCand = rng.shuffle(
    [...bySpecies.keys()].filter((s) => genusSpecies.get(rows[bySpecies.get(s)![0]][gn])!.length >= 2),
  );
  const genusLeft = new Map([...genusSpecies].map(([g, l]) => [g, l.length]));
  let nOpen = 0;
  for (const s of openCand) {
    if (nOpen >= nq) break;
    const g = rows[bySpecies.get(s)![0]][gn];
    if (genusLeft.get(g)! < 2) continue;
    genusLeft.set(g, genusLeft.get(g)! - 1);
    for (const i of bySpecies.get(s)!) side[i] = 2;
    nOpen += bySpecies.get(s)!.length;
  }
  // Closed: one distinct barcode (all its records) from species with >= 2 distinct barcodes, until nq records.
  let nClosed = 0;
  for (const s of rng.shuffle([...bySpecies.keys()])) {
    if (nClosed >= nq) break;
    const idx = bySpecies.get(s)!;
    if (side[idx[0]] === 2) continue;
    const barcodes = [...new Set(idx.map((i) => rows[i][seqCol]))];
    if (barcodes.length < 2) continue;
    const held = barcodes[rng.int(0, barcodes.length - 1)];
    for (const i of idx)
      if (rows[i][seqCol] === held) {
        side[i] = 1;
        nClosed++;
      }
  }
  const out: Side = { header, reference: [], closed: [], open: [] };
  rows.forEach((r, i) => (side[i] === 0 ? out.reference : side[i] === 1 ? out.closed : out.open).push(r));
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const lines: string[] = [];
const log = (s = '') => {
  console.log(s);
  lines.push(s);
  // Written as it goes: a long run that is stopped keeps what it measured.
  writeFileSync(path.join(OUT, 'results.md'), lines.join('\n') + '\n');
};

function table(
  title: string,
  rows: [string, Scores | null, Scores | null][],
  blast: [Scores | null, Scores | null],
): void {
  log(`\n### ${title}`);
  log(
    '| method | species acc. (closed) | genus acc. (open) | called novel (open / closed) | queries/s closed | queries/s open | seconds closed / open (build incl.) |',
  );
  log('|---|---|---|---|---|---|---|');
  const secs = (x: Scores | null) =>
    x ? `${x.seconds.toFixed(1)}${x.build !== undefined ? ` (${x.build.toFixed(1)})` : ''}` : '-';
  for (const [name, c, o] of rows) {
    log(
      `| ${name} | ${c ? pct(c.species) : '-'} | ${o ? pct(o.genus) : '-'} | ${o ? pct(o.novel) : '-'} / ${c ? pct(c.novel) : '-'} | ${c ? c.qps.toFixed(1) : '-'} | ${o ? o.qps.toFixed(1) : '-'} | ${secs(c)} / ${secs(o)} |`,
    );
  }
  const [bc, bo] = blast;
  if (bc && bo) {
    log(
      `| BLAST 2.12 megablast top hit (2 threads) | ${pct(bc.species)} | ${pct(bo.genus)} | - | ${bc.qps.toFixed(1)} | ${bo.qps.toFixed(1)} | ${secs(bc)} / ${secs(bo)} (makeblastdb not timed) |`,
    );
    const [, c, o] = rows[0];
    if (c && o) {
      log(
        `\nratios ours/BLAST (default engine): species accuracy ${(c.species / bc.species).toFixed(3)}, genus accuracy ${(o.genus / bo.genus).toFixed(3)}, ` +
          `queries/s closed ${(c.qps / bc.qps).toFixed(1)}x, open ${(o.qps / bo.qps).toFixed(1)}x`,
      );
    }
  }
}

async function main() {
  const blast = ensureBlast();
  log(`# identification benchmark (${new Date().toISOString()}, ${os.cpus().length} cores, Node ${process.version})`);
  // 1. Real data.
  if (!SKIP_REAL) await realData(blast);
  // 2. Synthetic scaling.
  await synthetic(blast);
  await finish();
}

async function realData(blast: boolean) {
  const p = await buildIdentifyProtocol(DATA, 7);
  mkdirSync(path.join(OUT, 'real'), { recursive: true });
  const real: Side = p;
  log(
    `real protocol (${DATA}): reference ${p.reference.length} records, closed ${p.closed.length}, open ${p.open.length}, excluded ${p.excluded}`,
  );
  const rc = await runOurs('real', real, 'closed');
  const ro = await runOurs('real', real, 'open');
  const cwc = await runOurs('real', real, 'closed', { speciesThreshold: 0 }, 'closedworld');
  const cwo = await runOurs('real', real, 'open', { speciesThreshold: 0 }, 'closedworld');
  const kc = await runOurs('real', real, 'closed', { verify: false, speciesThreshold: 0 }, 'kmervote');
  const ko = await runOurs('real', real, 'open', { verify: false, speciesThreshold: 0 }, 'kmervote');
  const bc = blast ? runBlast('real', real, 'closed') : null;
  const bo = blast ? runBlast('real', real, 'open') : null;
  table(
    'real barcodes (shared coi_barcodes.csv)',
    [
      ['ours: k-mer candidates + identity, learned threshold (default)', rc, ro],
      ['ours, --closed-world (never novel, like BLAST top hit)', cwc, cwo],
      ['ours, pure k-mer vote (no identity verification; closed world)', kc, ko],
    ],
    [bc, bo],
  );
}

async function synthetic(blast: boolean) {
  if (SYNTH > 0) {
    const t0 = performance.now();
    const syn = syntheticSide(SYNTH, SYNTH_Q);
    mkdirSync(path.join(OUT, `synthetic-${SYNTH}`), { recursive: true });
    log(
      `\nsynthetic reference: ${syn.reference.length} records (generated in ${((performance.now() - t0) / 1000).toFixed(1)} s), closed ${syn.closed.length}, open ${syn.open.length} queries`,
    );
    const name = `synthetic-${SYNTH}`;
    const sc = await runOurs(name, syn, 'closed');
    const so = await runOurs(name, syn, 'open');
    const sbc = blast ? runBlast(name, syn, 'closed') : null;
    const sbo = blast ? runBlast(name, syn, 'open') : null;
    table(
      `synthetic ${syn.reference.length.toLocaleString('en-US')}-record reference`,
      [['ours (default)', sc, so]],
      [sbc, sbo],
    );
  }
}

async function finish() {
  log(`\n(results also in ${path.join(OUT, 'results.md')})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
