/** Demo stage `stats`: Table 2 of the embedded metadata, its category sizes per rank and its collection sites. */
import {
  runStatsJob,
  describeSummary,
  formatTable2,
  readMetadataAll,
  table2Json,
  TAXONOMIC_RANKS,
  type MetadataRecord,
} from '@bioscan5m/core';
import { embedded } from '../data.js';
import type { DemoStage } from '../commands/demo-stage.js';
import { CATEGORY_LIMIT, type StatsResult } from '../report/results.js';

/** Category sizes of one rank, largest first (ties by name), cut at `limit` with the rest summed up. */
export function categorySizes(
  records: readonly MetadataRecord[],
  rank: (typeof TAXONOMIC_RANKS)[number],
  limit = CATEGORY_LIMIT,
): StatsResult['categories'][string] {
  const counts = new Map<string, number>();
  for (const r of records) if (r[rank]) counts.set(r[rank], (counts.get(r[rank]) ?? 0) + 1);
  const all = [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
  const rest = all.slice(limit);
  return {
    categories: all.slice(0, limit),
    others: { categories: rest.length, records: rest.reduce((s, c) => s + c.count, 0) },
  };
}

/** One entry per distinct coordinate pair, with its country and record count. */
export function collectionSites(records: readonly MetadataRecord[]): {
  sites: StatsResult['sites'];
  withoutCoordinates: number;
} {
  const sites = new Map<string, StatsResult['sites'][number]>();
  let withoutCoordinates = 0;
  for (const r of records) {
    const lat = r['coord-lat'];
    const lon = r['coord-lon'];
    if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      withoutCoordinates++;
      continue;
    }
    const key = `${lat},${lon}`;
    const s = sites.get(key);
    if (s) s.count++;
    else sites.set(key, { lat, lon, country: r.country, count: 1 });
  }
  return { sites: [...sites.values()], withoutCoordinates };
}

export const statsStage: DemoStage = {
  name: 'stats',
  title: 'Table 2 (records and categories per rank), category sizes and collection sites',
  seconds: { quick: 1, full: 1 },
  async run(ctx): Promise<StatsResult> {
    const report = await runStatsJob({ input: embedded.metadata, threads: 1 });
    ctx.log(formatTable2(report));
    const { records } = await readMetadataAll(embedded.metadata);
    const tsv = await readMetadataAll(embedded.bioscan1m);
    const bioscan1m = `BIOSCAN-1M sample: ${describeSummary(tsv.summary).replace(embedded.bioscan1m, 'data/bioscan1m_sample.tsv')}`;
    ctx.log('');
    ctx.log(bioscan1m);
    const categories = Object.fromEntries(TAXONOMIC_RANKS.map((rank) => [rank, categorySizes(records, rank)]));
    const { sites, withoutCoordinates } = collectionSites(records);
    ctx.log(
      `${sites.length} collection sites in ${new Set(sites.map((s) => s.country)).size} countries (${withoutCoordinates} records without coordinates)`,
    );
    return {
      file: 'data/metadata.csv',
      rows: report.rows,
      table2: table2Json(report).ranks,
      categories,
      sites,
      withoutCoordinates,
      bioscan1m,
    };
  },
};
