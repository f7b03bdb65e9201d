/**
 * Identification benchmark protocol built from a BIOSCAN-5M-format barcode CSV (default: the shared
 * coi_barcodes.csv). Records labelled to species are split three ways, with all records sharing a barcode
 * (core's barcodeKey: the one barcode rule) always on the same side:
 *  - open: every record of ~20% of the species whose genus has another species (the genus stays in the
 *    reference, the species does not): the unseen-species / genus task;
 *  - closed: ~25% of the barcodes of species with >= 2 distinct barcodes (at least one barcode stays): the
 *    seen-species task;
 *  - reference: everything else that carries a label (records without species label included).
 */
import { acgtCount, barcodeKey, createRng, readTable, TAXONOMIC_RANKS } from '@bioscan5m/core';

export interface ProtocolRecord {
  fields: string[];
}

export interface IdentifyProtocol {
  header: string[];
  reference: string[][];
  closed: string[][];
  open: string[][];
  /** Records left out: no usable sequence, or no label at all. */
  excluded: number;
}

export async function buildIdentifyProtocol(file: string, seed = 7): Promise<IdentifyProtocol> {
  const { header, rows } = await readTable(file);
  const col = (n: string) => header.indexOf(n);
  const seqCol = col('dna_barcode');
  const spCol = col('species');
  const gnCol = col('genus');
  const rankCols = TAXONOMIC_RANKS.map(col);
  const rng = createRng(seed);
  let excluded = 0;
  const usable = rows.filter((r) => {
    const ok = acgtCount(r[seqCol]) >= 100 && rankCols.some((c) => c >= 0 && r[c].trim());
    if (!ok) excluded++;
    return ok;
  });
  // Barcode groups, and for each group the species present (a group is a query group only if single-species).
  const groupOf = new Map<string, number>();
  const groups: string[][][] = [];
  for (const r of usable) {
    const key = barcodeKey(r[seqCol]);
    let g = groupOf.get(key);
    if (g === undefined) {
      g = groups.length;
      groupOf.set(key, g);
      groups.push([]);
    }
    groups[g].push(r);
  }
  const groupSpecies = groups.map((g) => {
    const sp = new Set(g.map((r) => r[spCol].trim()));
    return sp.size === 1 && !sp.has('') ? [...sp][0] : '';
  });
  const speciesGroups = new Map<string, number[]>();
  const speciesGenus = new Map<string, string>();
  groupSpecies.forEach((sp, g) => {
    if (!sp) return;
    const genus = groups[g][0][gnCol].trim();
    if (!genus) return;
    speciesGenus.set(sp, genus);
    if (!speciesGroups.has(sp)) speciesGroups.set(sp, []);
    speciesGroups.get(sp)!.push(g);
  });
  // Species names are sorted before seeded draws so the protocol does not depend on file order.
  const species = [...speciesGroups.keys()].sort();
  const genusSpecies = new Map<string, string[]>();
  for (const sp of species) {
    const gn = speciesGenus.get(sp)!;
    if (!genusSpecies.has(gn)) genusSpecies.set(gn, []);
    genusSpecies.get(gn)!.push(sp);
  }
  // A species is eligible as unseen only if every record carrying that name sits in single-species groups.
  const nameInMixed = new Set<string>();
  groups.forEach((g, i) => {
    if (!groupSpecies[i]) for (const r of g) nameInMixed.add(r[spCol].trim());
  });
  const side = new Int8Array(groups.length); // 0 reference, 1 closed, 2 open
  for (const [, sps] of [...genusSpecies.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (sps.length < 2) continue;
    const shuffled = rng.shuffle([...sps]);
    const nOpen = Math.min(
      sps.length - 1,
      Math.max(rng.random() < 0.2 * sps.length ? 1 : 0, Math.floor(0.2 * sps.length)),
    );
    let taken = 0;
    for (const sp of shuffled) {
      if (taken >= nOpen) break;
      if (nameInMixed.has(sp)) continue;
      for (const g of speciesGroups.get(sp)!) side[g] = 2;
      taken++;
    }
  }
  for (const sp of species) {
    const gs = speciesGroups.get(sp)!;
    if (gs.length < 2 || side[gs[0]] === 2) continue;
    const n = Math.max(1, Math.min(gs.length - 1, Math.round(0.25 * gs.length)));
    for (const g of rng.sample(gs, n)) side[g] = 1;
  }
  const out: IdentifyProtocol = { header, reference: [], closed: [], open: [], excluded };
  groups.forEach((g, i) => {
    const target = side[i] === 0 ? out.reference : side[i] === 1 ? out.closed : out.open;
    for (const r of g) target.push(r);
  });
  return out;
}
