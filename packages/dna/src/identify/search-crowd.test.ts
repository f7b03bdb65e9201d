/**
 * A query inside a crowd of near-identical barcodes (a large genus, as in BIOSCAN-5M's and the synthetic
 * references' Cecidomyiidae-like genera): every k-mer it shares with its nearest reference is shared by hundreds
 * of references, so the first k-mer pass skips them all, while references of another genus that happen to share
 * the query's own variants get its few counted votes. The nearest reference must still be found.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { BarcodeIdentifier } from './identifier.js';
import { cleanBarcode } from './clean.js';
import { buildKmerIndex, sequenceStore } from './kmer-index.js';
import { Searcher } from './search.js';

const BASES = 'ACGT';
const LENGTH = 658;
const rng = createRng(20261203);
const randomSeq = (n: number) => Array.from({ length: n }, () => BASES[rng.int(0, 3)]);
/** `s` with the base at `pos` changed to another one. */
const substitute = (s: string[], pos: number) => {
  const t = s.slice();
  t[pos] = BASES[(BASES.indexOf(t[pos]) + rng.int(1, 3)) % 4];
  return t;
};

// The query's own variants: a new specimen, 6 substitutions (about 1%) from its species' consensus.
const sites = [60, 160, 260, 360, 460, 560];
/** Sites of no one's variant, in random order: each barcode below gets its own (all are distinct). */
const free = rng.shuffle([...Array(LENGTH).keys()].filter((p) => sites.every((s) => Math.abs(p - s) > 10)));
// The crowd: 300 barcodes of one species, its consensus (the query's nearest) and 299 one substitution away.
const consensus = randomSeq(LENGTH);
const crowd = [consensus, ...free.slice(0, 299).map((p) => substitute(consensus, p))];
let query = consensus;
for (const p of sites) query = substitute(query, p);
// Another genus (~80% identical to the crowd): 60 barcodes, more than the 48 candidates verified, each sharing
// the query's variants at two of its sites (with 10 bases of context either side: 11 k-mers each).
let otherRoot = consensus;
for (let i = 0; i < LENGTH / 5; i++) otherRoot = substitute(otherRoot, rng.int(0, LENGTH - 1));
const other = Array.from({ length: 60 }, (_, i) => {
  const s = substitute(otherRoot, free[299 + i]);
  for (const p of [sites[i % 6], sites[(i + 1) % 6]]) for (let j = p - 10; j <= p + 10; j++) s[j] = query[j];
  return s;
});
const seqs = [...crowd, ...other].map((s) => s.join(''));
const codes = seqs.map((s) => cleanBarcode(s));
const q = cleanBarcode(query.join(''));
const identity = (a: string[], b: string[]) => a.filter((x, i) => x === b[i]).length / a.length;

describe('search in a crowd of near-identical barcodes', () => {
  const store = sequenceStore(codes.map((c) => c.codes));
  const index = buildKmerIndex(store);
  const acgt = Int32Array.from(codes, (c) => c.acgt);
  const searcher = new Searcher(index, store, acgt);

  it('is the case described: the nearest is 99% identical, the other genus shares the query variants', () => {
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(identity(query, consensus)).toBeCloseTo(1 - 6 / LENGTH, 5);
    const otherBest = Math.max(...other.map((s) => identity(query, s)));
    expect(otherBest).toBeGreaterThan(0.7);
    expect(otherBest).toBeLessThan(0.9);
  });

  it('finds the nearest reference although it shares no k-mer under the first-pass cap', () => {
    const hits = searcher.search(q.codes, q.acgt);
    expect(hits[0].group).toBe(0);
    expect(hits[0].identity).toBeCloseTo(1 - 6 / LENGTH, 5);
    // and the rest of the crowd next, each one more substitution away (or the same, where it undid one)
    for (const h of hits.slice(1, 10)) {
      expect(h.group).toBeLessThan(crowd.length);
      expect(h.identity).toBeGreaterThanOrEqual(1 - 8 / LENGTH);
    }
  });

  it('leaves an excluded reference out (leave-one-out) and still ranks the crowd first', () => {
    const hits = searcher.search(q.codes, q.acgt, 0);
    expect(hits.some((h) => h.group === 0)).toBe(false);
    expect(hits[0].group).toBeLessThan(crowd.length);
    expect(hits[0].identity).toBeGreaterThan(0.98);
  });

  it('gives the crowd species through the identifier', () => {
    const lineage = (genus: string, species: string) => [
      'Arthropoda',
      'Insecta',
      'Diptera',
      'Cecidomyiidae',
      '',
      genus,
      species,
    ];
    const identifier = BarcodeIdentifier.build(
      seqs.map((barcode, i) => ({
        id: `r${i}`,
        barcode,
        lineage: i < crowd.length ? lineage('Crowdia', 'Crowdia alpha') : lineage('Otheria', 'Otheria beta'),
      })),
      { seed: 1, calibrationSamples: 100 },
    );
    const [id] = identifier.identifyMany([query.join('')]);
    expect(id.nearest).toBe('r0');
    expect(id.lineage[6]).toBe('Crowdia alpha');
  });
});
