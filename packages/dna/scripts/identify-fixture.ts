/**
 * Makes the committed identification fixture and its golden values (src/identify/fixtures/):
 *  - coi-fixture.csv: real COI-5P barcodes (BOLD public records gathered in ../shared/data/dna, see its SOURCES.md)
 *    from sources under MIT (ropensci/bold cassettes: the bee genera Osmia and Coelioxys) and Apache-2.0
 *    (naturalis/barcode-constrained-phylogeny: Dutch and Australian insects and others), at most two records per
 *    species (first by record_id), species-labelled, 400-700 A/C/G/T;
 *  - coi-fixture.golden.json: the protocol's counts on it (buildIdentifyProtocol, seed 7), vsearch's correct counts
 *    (Debian vsearch, --usearch_global --id 0.7 --strand both, two settings, top hit and majority of equal-best
 *    labelled hits) and our default engine's at the time the fixture was made.
 *
 *   npx tsx scripts/identify-fixture.ts [path/to/coi_barcodes.csv]
 *   (FIXTURE_BASELINE=OLD/dist/identify.js FIXTURE_BASELINE_NAME='main 5070d4f' also records an older build's counts)
 *
 * Rerun only to change the fixture on purpose: the test (identify-fixture.test.ts) fails when our counts drop
 * below the recorded ones.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acgtCount, createTableWriter, readTable } from '@bioscan5m/core';
import { BarcodeIdentifier, buildIdentifyProtocol } from '../src/identify/index.js';
import { IDENTIFY_RANKS } from '../src/identify/reference.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? path.resolve(here, '../../../../shared/data/dna/coi_barcodes.csv');
const fixture = path.resolve(here, '../src/identify/fixtures/coi-fixture.csv');
const golden = fixture.replace(/\.csv$/, '.golden.json');
const SEED = 7;
/** Sources whose licence lets the records ship in this repository (MIT, Apache-2.0; see SOURCES.md). */
const SOURCES = [
  'bold_api_osmia',
  'bold_api_coelioxys',
  'bold_public_2024_06_21_nl_curated',
  'bold_public_2023_12_18_testsubset',
];
const PER_SPECIES = 2;

const { header, rows } = await readTable(source);
const col = (n: string) => header.indexOf(n);
const perSpecies = new Map<string, string[][]>();
for (const r of [...rows].sort((a, b) => (a[col('record_id')] < b[col('record_id')] ? -1 : 1))) {
  if (!SOURCES.includes(r[col('source')])) continue;
  if (r[col('marker_code')] !== 'COI-5P' || !r[col('species')]) continue;
  const n = acgtCount(r[col('dna_barcode')]);
  if (n < 400 || n > 700) continue;
  const list = perSpecies.get(r[col('species')]) ?? [];
  if (list.length < PER_SPECIES) list.push(r);
  perSpecies.set(r[col('species')], list);
}
const columns = ['record_id', ...IDENTIFY_RANKS, 'dna_barcode'];
const w = createTableWriter(fixture, columns);
// Alignment padding at the ends ('-') is dropped to keep the file small; inner gaps and N stay as in the source.
const unpadded = (c: string, v: string) => (c === 'dna_barcode' ? v.replace(/^-+|-+$/g, '') : v);
for (const sp of [...perSpecies.keys()].sort())
  for (const r of perSpecies.get(sp)!) w.write(columns.map((c) => unpadded(c, r[col(c)])));
w.close();

const p = await buildIdentifyProtocol(fixture, SEED);
const H = p.header;
const seq = H.indexOf('dna_barcode');
const ranks = IDENTIFY_RANKS.map((r) => H.indexOf(r));
const SPECIES = 6;
const GENUS = 5;

// Ours, default options.
const identifier = BarcodeIdentifier.build(
  p.reference.map((r) => ({ id: r[0], barcode: r[seq], lineage: ranks.map((c) => r[c]) })),
);
const count = (rows: string[][], rank: number) =>
  identifier.identifyMany(rows.map((r) => r[seq])).filter((x, i) => x.lineage[rank] === rows[i][ranks[rank]]).length;
const ours = { closedSpecies: count(p.closed, SPECIES), openGenus: count(p.open, GENUS) };
// FIXTURE_BASELINE=path/to/an/older/dist/identify.js: that build's default counts too, recorded to show the
// fixture tells the rules apart.
let baseline: { build: string; closedSpecies: number; openGenus: number } | undefined;
if (process.env.FIXTURE_BASELINE) {
  const old = (await import(path.resolve(process.env.FIXTURE_BASELINE))) as {
    BarcodeIdentifier: typeof BarcodeIdentifier;
  };
  const o = old.BarcodeIdentifier.build(
    p.reference.map((r) => ({ id: r[0], barcode: r[seq], lineage: ranks.map((c) => r[c]) })),
  );
  const right = (rows: string[][], rank: number) =>
    o.identifyMany(rows.map((r) => r[seq])).filter((x, i) => x.lineage[rank] === rows[i][ranks[rank]]).length;
  baseline = {
    build: process.env.FIXTURE_BASELINE_NAME ?? process.env.FIXTURE_BASELINE,
    closedSpecies: right(p.closed, SPECIES),
    openGenus: right(p.open, GENUS),
  };
}

// vsearch, two settings, read two ways.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'identify-fixture-'));
const fasta = (rows: string[][], pre: string) =>
  rows.map((r, i) => `>${pre}${i}\n${r[seq].replace(/[-.~\s]/g, '').toUpperCase()}\n`).join('');
writeFileSync(path.join(tmp, 'ref.fa'), fasta(p.reference, 'r'));
const vsearch: Record<string, { closedSpecies: number; openGenus: number }> = {};
const version = spawnSync('vsearch', ['--version'], { encoding: 'utf8' }).stderr;
for (const [tag, extra] of [
  ['default', []],
  ['maxaccepts8-maxrejects64', ['--maxaccepts', '8', '--maxrejects', '64']],
] as const) {
  const result = { top: { closedSpecies: 0, openGenus: 0 }, majority: { closedSpecies: 0, openGenus: 0 } };
  for (const [kind, rank, key] of [
    ['closed', SPECIES, 'closedSpecies'],
    ['open', GENUS, 'openGenus'],
  ] as const) {
    const qs = p[kind];
    writeFileSync(path.join(tmp, `${kind}.fa`), fasta(qs, 'q'));
    const out = path.join(tmp, `${kind}.${tag}.tsv`);
    execFileSync(
      'vsearch',
      [
        ...['--usearch_global', path.join(tmp, `${kind}.fa`), '--db', path.join(tmp, 'ref.fa'), '--id', '0.7'],
        ...['--strand', 'both', '--threads', '1', '--quiet', '--userout', out, '--userfields', 'query+target+id'],
        ...extra,
      ],
      { stdio: 'ignore' },
    );
    const hits = new Map<number, { t: number; id: number }[]>();
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line) continue;
      const [q, t, id] = line.split('\t');
      const list = hits.get(Number(q.slice(1))) ?? [];
      list.push({ t: Number(t.slice(1)), id: Number(id) });
      hits.set(Number(q.slice(1)), list);
    }
    qs.forEach((r, i) => {
      const h = hits.get(i);
      if (!h) return;
      const best = Math.max(...h.map((x) => x.id));
      const equal = h.filter((x) => x.id === best).map((x) => p.reference[x.t][ranks[rank]]);
      if (equal[0] === r[ranks[rank]]) result.top[key]++;
      const votes = new Map<string, number>();
      for (const l of equal) if (l) votes.set(l, (votes.get(l) ?? 0) + 1);
      const win = [...votes].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0])[0];
      if (win === r[ranks[rank]]) result.majority[key]++;
    });
  }
  vsearch[`${tag}, top hit`] = result.top;
  vsearch[`${tag}, majority`] = result.majority;
}
rmSync(tmp, { recursive: true, force: true });

writeFileSync(
  golden,
  JSON.stringify(
    {
      made: 'scripts/identify-fixture.ts',
      vsearchVersion: version.split('\n')[0],
      protocolSeed: SEED,
      records: [...perSpecies.values()].reduce((a, l) => a + l.length, 0),
      protocol: { reference: p.reference.length, closed: p.closed.length, open: p.open.length },
      ours,
      baseline,
      vsearch,
    },
    null,
    2,
  ) + '\n',
);
console.log(readFileSync(golden, 'utf8'));
