/**
 * Merged label counts of a whole metadata file: the input of every statistics table. Scanner results (one per
 * byte range / worker) are merged here by value, so worker-local ids never leak out.
 */
import { SCAN_ROLES, type ScanResult, type ScanRole } from './scanner.js';
import { countRange, Hash64Counter } from './counters.js';

export interface LabelCounts {
  rows: number;
  /** Columns present in the file (after alias mapping). */
  present: Set<ScanRole | 'dna_barcode'>;
  /** Value -> number of rows, per column; missing values are not counted. */
  categories: Record<ScanRole, Map<string, number>>;
  barcode: { labelled: number; distinct: number; min: number; max: number };
  /** Partition -> species / genus -> rows. */
  splitSpecies: Map<string, Map<string, number>>;
  splitGenus: Map<string, Map<string, number>>;
  /** "lat,lon" raw values -> rows with both present. */
  latLon: Map<string, number>;
}

export function emptyCounts(): LabelCounts {
  const categories = {} as Record<ScanRole, Map<string, number>>;
  for (const r of SCAN_ROLES) categories[r] = new Map();
  return {
    rows: 0,
    present: new Set(),
    categories,
    barcode: { labelled: 0, distinct: 0, min: 0, max: 0 },
    splitSpecies: new Map(),
    splitGenus: new Map(),
    latLon: new Map(),
  };
}

function addPairs(
  target: Map<string, Map<string, number>>,
  triples: number[],
  splitValues: string[],
  otherValues: string[],
): void {
  for (let i = 0; i < triples.length; i += 3) {
    const split = splitValues[triples[i]];
    const other = otherValues[triples[i + 1]];
    let m = target.get(split);
    if (!m) target.set(split, (m = new Map()));
    m.set(other, (m.get(other) ?? 0) + triples[i + 2]);
  }
}

/** Merges scanner results (in any order) into one LabelCounts. */
export function mergeScanResults(results: ScanResult[], present: Set<ScanRole | 'dna_barcode'>): LabelCounts {
  const out = emptyCounts();
  out.present = present;
  const barcodes = new Hash64Counter(1 << 16);
  const iSpecies = SCAN_ROLES.indexOf('species');
  const iGenus = SCAN_ROLES.indexOf('genus');
  const iSplit = SCAN_ROLES.indexOf('split');
  const iLat = SCAN_ROLES.indexOf('coord-lat');
  const iLon = SCAN_ROLES.indexOf('coord-lon');
  for (const res of results) {
    out.rows += res.rows;
    SCAN_ROLES.forEach((role, r) => {
      const m = out.categories[role];
      const { values, counts } = res.categories[r];
      for (let i = 0; i < values.length; i++) {
        if (counts[i] > 0) m.set(values[i], (m.get(values[i]) ?? 0) + counts[i]);
      }
    });
    out.barcode.labelled += res.barcodeLabelled;
    if (results.length === 1) {
      out.barcode.distinct = res.barcodeCounts.length;
      Object.assign(out.barcode, countRange(res.barcodeCounts));
    } else {
      for (let i = 0; i < res.barcodeCounts.length; i++)
        barcodes.add(res.barcodeH1[i], res.barcodeH2[i], res.barcodeCounts[i]);
    }
    addPairs(out.splitSpecies, res.splitSpecies, res.categories[iSplit].values, res.categories[iSpecies].values);
    addPairs(out.splitGenus, res.splitGenus, res.categories[iSplit].values, res.categories[iGenus].values);
    const lats = res.categories[iLat].values;
    const lons = res.categories[iLon].values;
    for (let i = 0; i < res.latLon.length; i += 3) {
      const k = `${lats[res.latLon[i]]},${lons[res.latLon[i + 1]]}`;
      out.latLon.set(k, (out.latLon.get(k) ?? 0) + res.latLon[i + 2]);
    }
  }
  if (results.length > 1) {
    const { counts } = barcodes.compact();
    out.barcode.distinct = counts.length;
    Object.assign(out.barcode, countRange(counts));
  }
  return out;
}
