/**
 * Identification at BIOSCAN-5M scale: a saved index (`bioscan5m dna index`) against vsearch (--usearch_global),
 * on synthetic BIOSCAN-5M-like references (`bioscan5m synth`: 23-column metadata, Table 2 label fractions,
 * tree-evolved COI barcodes, ~2 records per distinct barcode) of 300k, 1M and 5.15M records.
 *
 * Per reference size: ours — index build time, index size and peak RSS (`dna index`), then `dna identify --index`
 * with 1k and 100k queries: load time, search time, queries/s, peak RSS, species/genus accuracy. vsearch — the same
 * queries against the same distinct barcodes (FASTA, deduplicated as our index is; --usearch_global --id 0.7
 * --strand plus --threads T, top hit), peak RSS, time; vsearch has no saved index, so each run pays its own
 * indexing: its "load" is a 1-query run. A vsearch run is capped (--vsearch-cap seconds); a capped run is
 * reported as such, and figures extrapolated from the 1k-query rate are labelled "extrapolated".
 *
 * Queries: records sampled from the reference (seeded) with 1% of their bases substituted (a new specimen of a
 * sampled species); accuracy counts the queries that carry a label at that rank (no answer = wrong).
 *
 * Every child runs under GNU time (peak RSS). Installs vsearch with apt-get when missing (says so).
 * Usage: npm run bench:identify-scale -w @bioscan5m/dna -- [--sizes 300000,1000000,5150850] [--queries 1000,100000]
 *        [--threads 2] [--out /tmp/bioscan-bench/scale] [--vsearch-cap 900] [--no-vsearch]
 * Run the big sizes under `flock /tmp/bioscan-bench.lock`.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { barcodeHash, createRng, openTable, TAXONOMIC_RANKS } from '@bioscan5m/core';
import { arg, args, repoRoot } from './bench-args.js';
import { ensureDebianTool } from './debian-tool.js';

const ROOT = repoRoot();
const CLI = path.join(ROOT, 'apps/cli/bin/bioscan5m.js');
const OUT = arg('out', '/tmp/bioscan-bench/scale');
const SIZES = arg('sizes', '300000,1000000,5150850').split(',').map(Number);
const QUERIES = arg('queries', '1000,100000').split(',').map(Number);
const THREADS = Number(arg('threads', String(Math.min(8, os.availableParallelism()))));
const CAP = Number(arg('vsearch-cap', '900'));
const OURS_CAP = Number(arg('ours-cap', '1200'));
const NO_VSEARCH = args.includes('--no-vsearch');
mkdirSync(OUT, { recursive: true });

interface Timed {
  seconds: number;
  rssMiB: number;
  out: string;
  err: string;
  status: number | null;
  capped: boolean;
}

/** Runs a command under GNU time: wall seconds and peak RSS. */
function timed(cmd: string, argv: string[], capSeconds = 0): Timed {
  const tf = path.join(OUT, '.time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', tf, cmd, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: capSeconds ? capSeconds * 1000 : undefined,
    killSignal: 'SIGKILL',
  });
  const capped = r.error !== undefined || r.signal === 'SIGKILL';
  const [sec, kb] =
    existsSync(tf) && !capped ? readFileSync(tf, 'utf8').trim().split('\n').pop()!.split(' ') : ['NaN', 'NaN'];
  return {
    seconds: Number(sec),
    rssMiB: Number(kb) / 1024,
    out: r.stdout ?? '',
    err: r.stderr ?? '',
    status: r.status,
    capped,
  };
}

function must(t: Timed, what: string): Timed {
  if (t.status !== 0) throw new Error(`${what} failed (exit ${t.status}): ${t.err.slice(-2000)}`);
  return t;
}

const ensureVsearch = (): boolean => !NO_VSEARCH && ensureDebianTool('vsearch', '--version', 'vsearch');

const BASES = 'ACGT';

/** Upper case, alignment gaps and padding dropped, other non-ACGT characters as N, end N trimmed. */
function cleanForFasta(raw: string): string {
  return raw
    .replace(/[-.~\s]/g, '')
    .toUpperCase()
    .replace(/[^ACGT]/g, 'N')
    .replace(/^N+|N+$/g, '');
}

/**
 * One streaming pass over the synthetic reference: the vsearch FASTA of its distinct barcodes (first record's
 * labels in the header) and `maxQ` query records sampled (seeded reservoir), 1% of bases substituted.
 */
async function prepare(synth: string, fasta: string, queryCsv: (n: number) => string, maxQ: number): Promise<void> {
  const table = await openTable(synth);
  const [seqCol, idCol] = table.requireColumns(['dna_barcode', 'processid']);
  const ranks = TAXONOMIC_RANKS.map((r) => table.column(r));
  const seen = new Set<number>();
  const tmp = `${fasta}.part`;
  const fa = createWriteStream(tmp);
  const rng = createRng(11);
  const reservoir: string[][] = [];
  let n = 0;
  let buf = '';
  for await (const row of table) {
    const f = row.fields;
    const seq = cleanForFasta(f[seqCol]);
    const key = barcodeHash(f[seqCol]);
    const labels = ranks.map((c) => f[c]);
    if (!seen.has(key) && labels.some((x) => x)) {
      seen.add(key);
      buf += `>${f[idCol]}|${labels[5].replace(/[|\s]/g, '_')}|${labels[6].replace(/[|\s]/g, '_')}\n${seq}\n`;
      if (buf.length > 1 << 22) {
        if (!fa.write(buf)) await once(fa, 'drain');
        buf = '';
      }
    }
    n++;
    const rec = [f[idCol], ...labels, f[seqCol]];
    if (reservoir.length < maxQ) reservoir.push(rec);
    else {
      const j = rng.int(0, n - 1);
      if (j < maxQ) reservoir[j] = rec;
    }
  }
  fa.end(buf);
  await once(fa, 'finish');
  renameSync(tmp, fasta);
  // 1% substitutions per query (a new specimen of the sampled record's species).
  const mutated = reservoir.map((r, i) => {
    // the record's barcode as a sequencer would give it again (gaps dropped, ambiguity codes as N), with 1% of its
    // A/C/G/T bases substituted
    const s = cleanForFasta(r[r.length - 1]).split('');
    for (let k = 0; k < Math.max(1, Math.round(s.length / 100)); k++) {
      const p = rng.int(0, s.length - 1);
      if (s[p] !== 'N') s[p] = BASES[(BASES.indexOf(s[p]) + rng.int(1, 3)) % 4];
    }
    return [`q${i}`, ...r.slice(1, -1), s.join('')];
  });
  for (const q of QUERIES) {
    const rows = mutated.slice(0, q);
    const header = ['record_id', ...TAXONOMIC_RANKS, 'dna_barcode'].join(',');
    writeFileSync(
      queryCsv(q),
      header +
        '\n' +
        rows.map((r) => r.map((x) => (/[,"]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x)).join(',')).join('\n') +
        '\n',
    );
    writeFileSync(queryCsv(q).replace(/\.csv$/, '.fa'), rows.map((r) => `>${r[0]}\n${r[r.length - 1]}\n`).join(''));
  }
}

interface Accuracy {
  species: number;
  genus: number;
}

/** vsearch top hits against the query labels (headers carry genus|species). */
function vsearchAccuracy(b6: string, queryCsv: string): Accuracy {
  const hits = new Map<string, string[]>();
  for (const line of readFileSync(b6, 'utf8').split('\n')) {
    if (!line) continue;
    const [q, t] = line.split('\t');
    if (!hits.has(q)) hits.set(q, t.split('|'));
  }
  const rows = readFileSync(queryCsv, 'utf8')
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  let sp = 0,
    spN = 0,
    ge = 0,
    geN = 0;
  for (const r of rows) {
    const h = hits.get(r[0]);
    const genus = r[6].replace(/[|\s]/g, '_');
    const species = r[7].replace(/[|\s]/g, '_');
    if (species) {
      spN++;
      if (h && h[2] === species) sp++;
    }
    if (genus) {
      geN++;
      if (h && h[1] === genus) ge++;
    }
  }
  return { species: spN ? sp / spN : NaN, genus: geN ? ge / geN : NaN };
}

interface Row {
  size: number;
  records?: number;
  barcodes?: number;
  indexMiB?: number;
  buildS?: number;
  buildRssMiB?: number;
  runs: {
    queries: number;
    ours: {
      loadS: number;
      searchS: number;
      totalS: number;
      qps: number;
      rssMiB: number;
      acc?: Accuracy;
      note: string;
    };
    vs?: { totalS: number; loadS: number; qps: number; rssMiB: number; acc?: Accuracy; note: string };
  }[];
}

const f1 = (x: number | undefined, d = 1) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

async function main() {
  const vs = ensureVsearch();
  const load = os.loadavg()[0].toFixed(1);
  console.log(`machine: ${os.cpus().length} cores, load ${load}; threads ${THREADS}; vsearch cap ${CAP} s`);
  const results: Row[] = [];
  const maxQ = Math.max(...QUERIES);
  for (const size of SIZES) {
    const dir = path.join(OUT, String(size));
    mkdirSync(dir, { recursive: true });
    const synth = path.join(dir, 'reference.csv');
    if (!existsSync(synth)) {
      console.log(`[${size}] bioscan5m synth ...`);
      must(
        timed(process.execPath, [CLI, 'synth', '--rows', String(size), '--seed', '1', '--out', synth, '--quiet']),
        'synth',
      );
    }
    const fasta = path.join(dir, 'reference-distinct.fa');
    const queryCsv = (q: number) => path.join(dir, `queries-${q}.csv`);
    if (!existsSync(fasta) || QUERIES.some((q) => !existsSync(queryCsv(q)))) {
      console.log(`[${size}] queries and vsearch FASTA ...`);
      await prepare(synth, fasta, queryCsv, maxQ);
    }
    const idx = path.join(dir, 'reference.idx');
    console.log(`[${size}] bioscan5m dna index ...`);
    const b = must(
      timed(process.execPath, [
        CLI,
        'dna',
        'index',
        '--reference',
        synth,
        '--out',
        idx,
        '--threads',
        String(THREADS),
        '--json',
      ]),
      'dna index',
    );
    const bs = JSON.parse(b.out);
    const row: Row = {
      size,
      records: bs.reference.referenceRecords,
      barcodes: bs.reference.referenceBarcodes,
      indexMiB: statSync(idx).size / 2 ** 20,
      buildS: b.seconds,
      buildRssMiB: b.rssMiB,
      runs: [],
    };
    console.log(
      `[${size}] built in ${f1(b.seconds)} s, peak RSS ${f1(row.buildRssMiB, 0)} MiB, ${f1(row.indexMiB, 0)} MiB`,
    );
    let vsLoad: Timed | undefined;
    if (vs) {
      const one = path.join(dir, 'one.fa');
      writeFileSync(
        one,
        readFileSync(queryCsv(QUERIES[0]).replace(/\.csv$/, '.fa'), 'utf8')
          .split('\n')
          .slice(0, 2)
          .join('\n') + '\n',
      );
      vsLoad = timed('vsearch', vsearchArgs(one, fasta, path.join(dir, 'one.b6')), CAP);
    }
    let vsRate: number | undefined;
    let oursRate: number | undefined;
    for (const q of QUERIES) {
      const pred = path.join(dir, `pred-${q}.csv`);
      let run: Row['runs'][number];
      const prev = row.runs[row.runs.length - 1]?.ours;
      if (oursRate && prev && q / oursRate > OURS_CAP) {
        const searchS = q / oursRate;
        run = {
          queries: q,
          ours: {
            loadS: prev.loadS,
            searchS,
            totalS: prev.totalS - prev.searchS + searchS,
            qps: oursRate,
            rssMiB: NaN,
            note: `extrapolated from the ${QUERIES[0]}-query rate (estimate over the ${OURS_CAP} s cap)`,
          },
        };
      } else {
        const o = must(
          timed(process.execPath, [
            CLI,
            'dna',
            'identify',
            '--index',
            idx,
            '--queries',
            queryCsv(q),
            '--out',
            pred,
            '--threads',
            String(THREADS),
            '--json',
          ]),
          'dna identify',
        );
        const s = JSON.parse(o.out);
        oursRate = q / s.querySeconds;
        run = {
          queries: q,
          ours: {
            loadS: s.reference.loadSeconds,
            searchS: s.querySeconds,
            totalS: o.seconds,
            qps: q / s.querySeconds,
            rssMiB: o.rssMiB,
            acc: { species: s.accuracy.species.accuracy, genus: s.accuracy.genus.accuracy },
            note: 'measured',
          },
        };
      }
      console.log(
        `[${size}] ours ${q} queries (${run.ours.note}): load ${f1(run.ours.loadS, 2)} s, search ${f1(run.ours.searchS)} s (${f1(run.ours.qps, 0)}/s), total ${f1(run.ours.totalS)} s, RSS ${f1(run.ours.rssMiB, 0)} MiB, species ${pct(run.ours.acc?.species)}, genus ${pct(run.ours.acc?.genus)}`,
      );
      if (vs && vsLoad) {
        const loadS = vsLoad.capped ? NaN : vsLoad.seconds;
        const estimate = vsRate ? loadS + q / vsRate : 0;
        if (vsLoad.capped)
          run.vs = { totalS: NaN, loadS, qps: NaN, rssMiB: NaN, note: `1-query run passed the ${CAP} s cap` };
        else if (estimate > CAP) {
          run.vs = {
            totalS: estimate,
            loadS,
            qps: vsRate!,
            rssMiB: NaN,
            note: `extrapolated from the ${QUERIES[0]}-query rate (estimate over the ${CAP} s cap)`,
          };
        } else {
          const b6 = path.join(dir, `vsearch-${q}.b6`);
          const t = timed('vsearch', vsearchArgs(queryCsv(q).replace(/\.csv$/, '.fa'), fasta, b6), CAP);
          if (t.capped) run.vs = { totalS: NaN, loadS, qps: NaN, rssMiB: NaN, note: `passed the ${CAP} s cap` };
          else {
            const rate = q / Math.max(1e-3, t.seconds - loadS);
            vsRate = rate;
            run.vs = {
              totalS: t.seconds,
              loadS,
              qps: rate,
              rssMiB: t.rssMiB,
              acc: vsearchAccuracy(b6, queryCsv(q)),
              note: 'measured',
            };
          }
        }
        const v = run.vs;
        console.log(
          `[${size}] vsearch ${q} queries: ${v.note}; total ${f1(v.totalS)} s (indexing ${f1(v.loadS)} s), ${f1(v.qps, 0)}/s, RSS ${f1(v.rssMiB, 0)} MiB, species ${pct(v.acc?.species)}, genus ${pct(v.acc?.genus)}`,
        );
      }
      row.runs.push(run);
    }
    results.push(row);
    writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(results, null, 2));
  }
  printTable(results, load);
}

function vsearchArgs(queries: string, db: string, b6: string): string[] {
  return [
    '--usearch_global',
    queries,
    '--db',
    db,
    '--id',
    '0.7',
    '--strand',
    'plus',
    '--threads',
    String(THREADS),
    '--blast6out',
    b6,
    '--quiet',
  ];
}

function printTable(results: Row[], load: string) {
  console.log(`\nmachine load ${load} at start; ${THREADS} threads each`);
  console.log(
    '| records | distinct barcodes | index MiB | build s | build peak RSS MiB | queries | ours load s | ours search s | ours q/s | ours total s | ours peak RSS MiB | ours species / genus | vsearch total s (indexing) | vsearch q/s | vsearch peak RSS MiB | vsearch species / genus | q/s ratio | total-cost ratio |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---|---:|---:|');
  for (const r of results)
    for (const x of r.runs) {
      const v = x.vs;
      const note = v && v.note !== 'measured' ? ` (${v.note})` : '';
      const oursNote = x.ours.note !== 'measured' ? ' (extrapolated)' : '';
      console.log(
        `| ${r.size.toLocaleString('en-US')} | ${r.barcodes?.toLocaleString('en-US')} | ${f1(r.indexMiB, 0)} | ${f1(r.buildS)} | ${f1(r.buildRssMiB, 0)} | ${x.queries.toLocaleString('en-US')} | ${f1(x.ours.loadS, 2)} | ${f1(x.ours.searchS, 1)} | ${f1(x.ours.qps, 0)}${oursNote} | ${f1(x.ours.totalS, 1)} | ${f1(x.ours.rssMiB, 0)} | ${x.ours.acc ? `${pct(x.ours.acc.species)} / ${pct(x.ours.acc.genus)}` : '-'} | ${v ? `${f1(v.totalS)} (${f1(v.loadS)})${note}` : '-'} | ${v ? f1(v.qps, 0) : '-'} | ${v ? f1(v.rssMiB, 0) : '-'} | ${v?.acc ? `${pct(v.acc.species)} / ${pct(v.acc.genus)}` : '-'} | ${v ? f1(x.ours.qps / v.qps, 2) + 'x' : '-'} | ${v ? f1(v.totalS / x.ours.totalS, 2) + 'x' : '-'} |`,
      );
    }
}

await main();
