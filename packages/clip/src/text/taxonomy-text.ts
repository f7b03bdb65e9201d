/** The text the CLIBD text encoder reads: `order family genus species`, missing ranks written `not_classified`. */

export const TEXT_RANKS = ['order', 'family', 'genus', 'species'] as const;
export const NOT_CLASSIFIED = 'not_classified';

export type TaxonomyRecord = Partial<Record<(typeof TEXT_RANKS)[number], string | null | undefined>>;

/** One string per record, ranks joined by single spaces, no prompt (as the reference builds it). */
export function taxonomyText(record: TaxonomyRecord): string {
  return TEXT_RANKS.map((r) => {
    const v = record[r]?.trim();
    return v ? v : NOT_CLASSIFIED;
  }).join(' ');
}
