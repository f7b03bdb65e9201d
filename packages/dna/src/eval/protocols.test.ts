import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBarcodes } from '../data/barcodes.js';
import { closedWorldSplit, openWorldSplit } from './protocols.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const barcodes = path.resolve(repoRoot, '../shared/data/dna/coi_barcodes.csv');

describe('evaluation protocols on the real barcodes', () => {
  it.skipIf(!existsSync(barcodes))(
    'closed world keeps identical barcodes together and every test species in train; open world holds species out with their genus seen',
    async () => {
      const set = await readBarcodes(barcodes);
      const species = set.labels.species!;
      const genus = set.labels.genus!;
      const key = (i: number) => set.sequences[i].toUpperCase().replace(/[^ACGT]/g, '');
      const closed = closedWorldSplit(set.sequences, species, { seed: 3 });
      expect(closed.test.length).toBeGreaterThan(100);
      const trainSpecies = new Set(closed.train.map((i) => species[i]));
      const trainKeys = new Set(closed.train.map(key));
      for (const i of closed.test) {
        expect(trainSpecies.has(species[i])).toBe(true);
        expect(trainKeys.has(key(i))).toBe(false);
      }
      const open = openWorldSplit(species, genus, { seed: 3 });
      expect(open.test.length).toBeGreaterThan(100);
      const seenSpecies = new Set(open.train.map((i) => species[i]));
      const seenGenera = new Set(open.train.map((i) => genus[i]));
      for (const i of open.test) {
        expect(seenSpecies.has(species[i])).toBe(false);
        expect(seenGenera.has(genus[i])).toBe(true);
      }
      expect(openWorldSplit(species, genus, { seed: 3 })).toEqual(open);
    },
  );
});
