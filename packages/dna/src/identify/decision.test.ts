/**
 * The decision rule on hand-made references where the answer is known: the majority label among equal-best hits,
 * exact ties, the genus-first call for a query flagged novel, and what each `novelSpecies` mode gives.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '@bioscan5m/core';
import { BarcodeIdentifier, type IdentifierOptions } from './identifier.js';
import type { ReferenceRecord } from './reference.js';

const SPECIES = 6;
const GENUS = 5;
const rng = createRng(2026);
const BASE = Array.from({ length: 600 }, () => 'ACGT'[rng.int(0, 3)]).join('');
const SWAP: Record<string, string> = { A: 'C', C: 'G', G: 'T', T: 'A' };

/** BASE with the bases at `count` positions from `from` on (every 7th) changed: identity (600 - count) / 600. */
function mutant(from: number, count: number): string {
  const s = BASE.split('');
  for (let i = 0; i < count; i++) {
    const p = (from + 7 * i) % 600;
    s[p] = SWAP[s[p]];
  }
  return s.join('');
}

function rec(id: string, barcode: string, genus: string, species: string): ReferenceRecord {
  return { id, barcode, lineage: ['Arthropoda', 'Insecta', 'Diptera', 'Chironomidae', '', genus, species] };
}

/** Threshold given (a reference this small has no leave-one-out calibration). */
const build = (refs: ReferenceRecord[], opts: IdentifierOptions = {}) =>
  BarcodeIdentifier.build(refs, { speciesThreshold: 0.97, ...opts });

describe('decision rule', () => {
  it('equal-best hits elect the majority label of their distinct barcodes, whatever the reference order', () => {
    // Three barcodes at the same identity (6 differences each, at different places): two of species B, one of A.
    const refs = [
      rec('a1', mutant(1, 6), 'Gx', 'Gx alpha'),
      rec('b1', mutant(2, 6), 'Gx', 'Gx beta'),
      rec('b2', mutant(3, 6), 'Gx', 'Gx beta'),
    ];
    for (const order of [refs, [...refs].reverse(), [refs[1], refs[0], refs[2]]]) {
      const p = build(order).identify(BASE);
      expect(p.identity).toBe(0.99);
      expect(p.lineage[SPECIES]).toBe('Gx beta');
      expect(p.novel).toBe(false);
    }
  });

  it('records sharing one barcode split its vote by their label counts', () => {
    const shared = mutant(4, 3);
    const refs = [
      rec('x1', shared, 'Gx', 'Gx alpha'),
      rec('x2', shared, 'Gx', 'Gx beta'),
      rec('x3', shared, 'Gx', 'Gx beta'),
      rec('far', mutant(5, 30), 'Gx', 'Gx gamma'),
    ];
    const p = build(refs).identify(BASE);
    expect(p.lineage[SPECIES]).toBe('Gx beta');
    expect(p.confidence).toBeGreaterThan(0);
    expect(p.confidence).toBeLessThan(1);
  });

  it('an exact tie goes to the alphabetically first label, independent of reference order', () => {
    const refs = [rec('z', mutant(1, 6), 'Gx', 'Gx zeta'), rec('a', mutant(2, 6), 'Gx', 'Gx alpha')];
    expect(build(refs).identify(BASE).lineage[SPECIES]).toBe('Gx alpha');
    expect(build([...refs].reverse()).identify(BASE).lineage[SPECIES]).toBe('Gx alpha');
    // A better hit is not a tie: one difference fewer wins even alone.
    const closer = [rec('z', mutant(1, 5), 'Gx', 'Gx zeta'), rec('a', mutant(2, 6), 'Gx', 'Gx alpha')];
    expect(build(closer).identify(BASE).lineage[SPECIES]).toBe('Gx zeta');
  });

  // A query far from everything (below the 0.97 threshold: flagged novel): one barcode of genus Gy is the nearest
  // (39 differences), three species of genus Gx are a little further (40 differences each).
  const novelRefs = [
    rec('y', mutant(0, 39), 'Gy', 'Gy solus'),
    rec('x1', mutant(1, 40), 'Gx', 'Gx alpha'),
    rec('x2', mutant(2, 40), 'Gx', 'Gx beta'),
    rec('x3', mutant(3, 40), 'Gx', 'Gx gamma'),
  ];

  it('a query flagged novel gets the genus its neighbours vote for, then the nearest species inside it', () => {
    const p = build(novelRefs).identify(BASE);
    expect(p.novel).toBe(true);
    expect(p.identity).toBe(0.935);
    // The species vote alone would follow the single nearest barcode (Gy); the genus vote of the window is Gx.
    expect(p.lineage[GENUS]).toBe('Gx');
    expect(p.lineage[SPECIES]).toBe('Gx alpha');
    expect(p.lineage.slice(0, 4)).toEqual(['Arthropoda', 'Insecta', 'Diptera', 'Chironomidae']);
  });

  it("novelSpecies 'empty' leaves the species of a novel query empty and keeps its genus", () => {
    const p = build(novelRefs, { novelSpecies: 'empty' }).identify(BASE);
    expect(p.novel).toBe(true);
    expect(p.lineage[GENUS]).toBe('Gx');
    expect(p.lineage[SPECIES]).toBe('');
  });

  it('threshold 0 (closed world) never flags novel and takes the species vote', () => {
    const p = build(novelRefs, { speciesThreshold: 0 }).identify(BASE);
    expect(p.novel).toBe(false);
    expect(p.lineage[SPECIES]).toBe('Gy solus');
  });

  it('above the threshold the species vote decides and nothing is flagged', () => {
    const refs = [...novelRefs, rec('near', mutant(5, 6), 'Gy', 'Gy proximus')];
    const p = build(refs).identify(BASE);
    expect(p.novel).toBe(false);
    expect(p.lineage[SPECIES]).toBe('Gy proximus');
  });
});
