/**
 * The decision rule must not regress on the committed real-barcode fixture: species accuracy on seen species and
 * genus accuracy on unseen species at least what scripts/identify-fixture.ts recorded for our engine, and at
 * least vsearch's best reading (recorded by the same script from Debian's vsearch).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BarcodeIdentifier } from './identifier.js';
import { buildIdentifyProtocol } from './protocol.js';
import { IDENTIFY_RANKS } from './reference.js';

const SPECIES = 6;
const GENUS = 5;
const fixture = fileURLToPath(new URL('./fixtures/coi-fixture.csv', import.meta.url));
const golden = JSON.parse(readFileSync(fixture.replace(/\.csv$/, '.golden.json'), 'utf8')) as {
  protocolSeed: number;
  protocol: { reference: number; closed: number; open: number };
  ours: { closedSpecies: number; openGenus: number };
  vsearch: Record<string, { closedSpecies: number; openGenus: number }>;
};

describe('identification on the committed real-barcode fixture', async () => {
  const p = await buildIdentifyProtocol(fixture, golden.protocolSeed);
  const seq = p.header.indexOf('dna_barcode');
  const ranks = IDENTIFY_RANKS.map((r) => p.header.indexOf(r));
  const identifier = BarcodeIdentifier.build(
    p.reference.map((r) => ({ id: r[0], barcode: r[seq], lineage: ranks.map((c) => r[c]) })),
  );
  const right = (rows: string[][], rank: number) =>
    identifier.identifyMany(rows.map((r) => r[seq])).filter((x, i) => x.lineage[rank] === rows[i][ranks[rank]]).length;

  it('splits the fixture as when the golden values were made', () => {
    expect({ reference: p.reference.length, closed: p.closed.length, open: p.open.length }).toEqual(golden.protocol);
  });

  it('species of seen species and genus of unseen species: no fewer right than recorded, and at least vsearch', () => {
    const closed = right(p.closed, SPECIES);
    const open = right(p.open, GENUS);
    expect(closed).toBeGreaterThanOrEqual(golden.ours.closedSpecies);
    expect(open).toBeGreaterThanOrEqual(golden.ours.openGenus);
    const vs = Object.values(golden.vsearch);
    expect(closed).toBeGreaterThanOrEqual(Math.max(...vs.map((v) => v.closedSpecies)));
    expect(open).toBeGreaterThanOrEqual(Math.max(...vs.map((v) => v.openGenus)));
  });
});
