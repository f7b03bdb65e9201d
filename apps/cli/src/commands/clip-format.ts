/** Text layout of retrieval results: the paper's Table 5 (seen / unseen / H.M. per rank). */
import type { ClipEvalJobSummary, RetrievalAccuracy } from '@bioscan5m/clip';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));

/** One block per accuracy kind and k: a row per rank with Seen, Unseen and H.M. (percent). */
export function formatRetrievalTable(
  acc: RetrievalAccuracy,
  ks: readonly number[],
  ranks: readonly string[],
): string[] {
  const lines: string[] = [];
  for (const kind of ['micro', 'macro'] as const) {
    for (const k of ks) {
      lines.push(`${kind} top-${k} accuracy (%)`);
      lines.push(`${'rank'.padEnd(10)}${'Seen'.padStart(8)}${'Unseen'.padStart(8)}${'H.M.'.padStart(8)}`);
      for (const rank of ranks) {
        const seen = acc.rows.find((r) => r.rank === rank && r.k === k && r.set === 'seen');
        const unseen = acc.rows.find((r) => r.rank === rank && r.k === k && r.set === 'unseen');
        const h = acc.harmonicMean.find((r) => r.rank === rank && r.k === k);
        lines.push(
          `${rank.padEnd(10)}${pct(seen?.[kind]).padStart(8)}${pct(unseen?.[kind]).padStart(8)}${pct(h?.[kind]).padStart(8)}`,
        );
      }
      lines.push('');
    }
  }
  return lines;
}

/** Several models side by side (e.g. frozen baseline vs aligned) for one kind and k: Seen/Unseen/H.M. each. */
export function formatComparison(
  models: { name: string; acc: RetrievalAccuracy }[],
  kind: 'micro' | 'macro',
  k: number,
  ranks: readonly string[],
): string[] {
  const w = 22;
  const head = `${'rank'.padEnd(10)}${models.map((m) => m.name.slice(0, w - 2).padStart(w)).join('')}`;
  const sub = `${''.padEnd(10)}${models.map(() => `${'Seen'.padStart(8)}${'Unseen'.padStart(7)}${'H.M.'.padStart(7)}`).join('')}`;
  const lines = [head, sub];
  for (const rank of ranks) {
    let line = rank.padEnd(10);
    for (const { acc } of models) {
      const s = acc.rows.find((r) => r.rank === rank && r.k === k && r.set === 'seen')?.[kind];
      const u = acc.rows.find((r) => r.rank === rank && r.k === k && r.set === 'unseen')?.[kind];
      const h = acc.harmonicMean.find((r) => r.rank === rank && r.k === k)?.[kind];
      line += `${pct(s).padStart(8)}${pct(u).padStart(7)}${pct(h).padStart(7)}`;
    }
    lines.push(line);
  }
  return lines;
}

/** The JSON of `clip eval --json`: rows (rank, k, set, micro, macro in percent) and harmonicMean per rank and k. */
export function evalReport(s: ClipEvalJobSummary) {
  return {
    keys: s.keys,
    queries: s.queries,
    backend: s.backend,
    normalized: s.normalized,
    rows: s.rows,
    harmonicMean: s.harmonicMean,
    seconds: { search: round(s.seconds.search), total: round(s.seconds.total) },
  };
}

const round = (x: number) => Number(x.toFixed(3));
