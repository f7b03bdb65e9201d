/**
 * Which species names are placeholders rather than catalogued scientific names (paper §4.1, A4.5).
 */

export type PlaceholderRule = 'paper' | 'reference';

/** Extra patterns of the reference partition script, matched as whole words (never substrings). */
const REFERENCE_WORDS = /(?:^|[^A-Za-z])(?:aff|gen|n\. ?sp|sp\. ?ex)(?![A-Za-z])/;

/**
 * The paper's rule: a name is a placeholder when it begins with a lowercase letter, contains a period,
 * contains a digit, or contains "malaise" (any case). `rule: 'reference'` also applies the reference script's
 * whole-word patterns ("aff", "gen", "n. sp", "sp. ex") and "_" or "?" anywhere.
 */
export function isPlaceholderSpecies(name: string, rule: PlaceholderRule = 'paper'): boolean {
  if (name === '') return false;
  const c = name.charCodeAt(0);
  if (c >= 97 && c <= 122) return true;
  if (name.includes('.') || /\d/.test(name) || /malaise/i.test(name)) return true;
  if (rule === 'reference') {
    if (name.includes('_') || name.includes('?')) return true;
    if (REFERENCE_WORDS.test(name)) return true;
  }
  return false;
}

/** The genus part of a species name (its first word). */
export function genusOfSpeciesName(name: string): string {
  const i = name.indexOf(' ');
  return i < 0 ? name : name.slice(0, i);
}
