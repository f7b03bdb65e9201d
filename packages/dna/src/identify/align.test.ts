import { describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { mutate, randomRoot } from '@bioscan5m/core/internal';
import { BandedAligner, ungappedIdentity } from './align.js';
import { cleanBarcode } from './clean.js';
import { buildKmerIndex, sequenceStore } from './kmer-index.js';
import { Searcher } from './search.js';

const codes = (s: string) => cleanBarcode(s).codes;
const toSequence = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('pairwise identity', () => {
  const rng = createRng(11);
  const root = randomRoot(rng);
  const rootS = toSequence(root);
  const variant = toSequence(mutate(root, 0.05, rng)); // exactly 5% substitutions (33 of 658)

  it('ungapped identity on the right diagonal equals 1 - p-distance', () => {
    const id = ungappedIdentity(codes(rootS), codes(variant), 0);
    expect(id.columns).toBe(658);
    expect(id.matches).toBe(658 - 33);
  });

  it('handles offsets: a barcode starting 40 nt later sits on diagonal -40', () => {
    const q = codes(rootS);
    const r = codes(rootS.slice(40));
    expect(ungappedIdentity(q, r, -40)).toMatchObject({ matches: 618, columns: 618 });
  });

  it('banded alignment repairs a codon indel that ruins the ungapped comparison', () => {
    const withDeletion = rootS.slice(0, 300) + rootS.slice(303);
    const q = codes(withDeletion);
    const r = codes(rootS);
    const ungapped = ungappedIdentity(q, r, 0);
    expect(ungapped.matches / ungapped.columns).toBeLessThan(0.75);
    expect(ungapped.worstQuarter).toBeLessThan(0.6);
    const al = new BandedAligner().align(q, r, 0, 8);
    expect(al.matches).toBe(655);
    expect(al.columns).toBe(658); // 655 matches + 3 gap columns
  });

  it('N columns count neither as match nor mismatch', () => {
    const q = codes('ACGTNNACGT');
    const r = codes('ACGTACACGA');
    expect(ungappedIdentity(q, r, 0)).toMatchObject({ matches: 7, columns: 8 });
  });
});

describe('k-mer candidate search', () => {
  it('finds the nearest of many references, also when 1 in 4 k-mers are sampled', () => {
    const rng = createRng(5);
    const root = randomRoot(rng);
    const refs = Array.from({ length: 200 }, () => mutate(root, 0.08 + rng.random() * 0.1, rng));
    const target = 137;
    const query = mutate(refs[target], 0.02, rng);
    for (const sampling of [1, 4]) {
      const seqs = refs.map((r) => codes(toSequence(r)));
      const store = sequenceStore(seqs);
      const index = buildKmerIndex(store, { k: 12, sampling });
      const s = new Searcher(index, store, Int32Array.from(seqs.map((x) => x.length)));
      const hits = s.search(codes(toSequence(query)), 658);
      expect(hits[0].group).toBe(target);
      expect(hits[0].identity).toBeCloseTo(0.98, 2);
      // Leaving the target out returns another reference.
      expect(s.search(codes(toSequence(query)), 658, target)[0].group).not.toBe(target);
    }
  });
});

describe('hit packing for worker messages', async () => {
  const { packHits, unpackHits } = await import('./search-pool.js');
  it('round-trips hit lists, empty ones included', () => {
    const lists = [
      [],
      [
        { group: 3, identity: 0.987, matches: 640, columns: 648 },
        { group: 0, identity: 0.5, matches: 1, columns: 2 },
      ],
      [],
    ];
    expect(unpackHits(packHits(lists))).toEqual(lists);
  });
});
