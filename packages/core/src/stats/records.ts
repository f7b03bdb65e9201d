/**
 * Label counts from typed records (Parquet input, or records already in memory): the slow-but-general path
 * beside the byte scanner, producing the same LabelCounts so every table is computed the same way.
 */
import type { MetadataRecord } from '../schema.js';
import { isMissing } from '../schema.js';
import { emptyCounts, type LabelCounts } from './counts.js';
import { SCAN_ROLES } from './scanner.js';
import { countRange, Hash64Counter } from './counters.js';

/** Two 32-bit hashes of a string's UTF-16 units; barcodes are counted by hash, as in the byte scanner. */
function hash64(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= s.length;
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a ^= a >>> 13;
  return [a >>> 0, b >>> 0];
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function bumpPair(m: Map<string, Map<string, number>>, split: string, v: string): void {
  let inner = m.get(split);
  if (!inner) m.set(split, (inner = new Map()));
  bump(inner, v);
}

/** Counts labels of records; `present` lists the columns the source had (all, by default). */
export async function countRecordLabels(
  records: Iterable<MetadataRecord> | AsyncIterable<MetadataRecord>,
  present: readonly string[] = [...SCAN_ROLES, 'dna_barcode'],
): Promise<LabelCounts> {
  const out = emptyCounts();
  for (const p of present) out.present.add(p as never);
  const barcodes = new Hash64Counter(1 << 16);
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  for await (const rec of records as AsyncIterable<MetadataRecord>) {
    out.rows++;
    for (const role of SCAN_ROLES) {
      const v = text(rec[role]);
      if (v !== '' && !isMissing(v)) bump(out.categories[role], v);
    }
    const bc = rec.dna_barcode;
    if (bc !== '' && !isMissing(bc)) {
      const [a, b] = hash64(bc);
      barcodes.add(a, b, 1);
      out.barcode.labelled++;
    }
    const split = rec.split;
    if (split) {
      if (rec.species && !isMissing(rec.species)) bumpPair(out.splitSpecies, split, rec.species);
      if (rec.genus && !isMissing(rec.genus)) bumpPair(out.splitGenus, split, rec.genus);
    }
    if (rec['coord-lat'] !== null && rec['coord-lon'] !== null)
      bump(out.latLon, `${rec['coord-lat']},${rec['coord-lon']}`);
  }
  const { counts } = barcodes.compact();
  out.barcode = { labelled: out.barcode.labelled, distinct: counts.length, ...countRange(counts) };
  return out;
}
