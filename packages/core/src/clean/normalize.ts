/**
 * String-level label normalisers of the paper's cleaning (A4.4): white space, misspelt "Malaise", placeholder
 * number padding, variant keys for case/padding-insensitive comparison, and open-nomenclature detection.
 */

/** Trims and collapses runs of white space to one space. */
export function collapseWhitespace(label: string): string {
  return label.replace(/\s+/g, ' ').trim();
}

/** Optimal-string-alignment distance (Damerau-Levenshtein with adjacent transpositions), for short words. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => [i, ...new Array<number>(n).fill(0)]);
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[m][n];
}

const CODE_TOKEN = /^([A-Za-z]+)(\d+)$/;

/**
 * Fixes a misspelt or mis-cased "Malaise" in placeholder code tokens ("Malasie4749", "malaise4749",
 * "MALAISE4749", "chalMalaiss9590" -> "...Malaise..."). A lowercase prefix (an unnamed genus stem such as
 * "chal") is kept. Tokens without a trailing number are left alone: the word only occurs in codes.
 */
export function fixMalaise(label: string): string {
  if (!/[mM]/.test(label)) return label;
  return label
    .split(' ')
    .map((tok) => {
      const m = CODE_TOKEN.exec(tok);
      if (!m) return tok;
      const letters = m[1];
      if (letters.endsWith('Malaise')) return tok;
      // The closest "Malaise"-like suffix wins (ties: the shorter one), so "chmaMalaise01" keeps its prefix.
      let best = -1;
      let bestDist = 3;
      for (let start = 0; start <= letters.length - 5; start++) {
        const c = letters[start];
        if (c !== 'm' && c !== 'M') continue;
        const word = letters.slice(start);
        if (word.length > 9) continue;
        const dist = editDistance(word.toLowerCase(), 'malaise');
        if (dist <= (word.length <= 6 ? 1 : 2) && dist <= bestDist) {
          best = start;
          bestDist = dist;
        }
      }
      return best < 0 ? tok : letters.slice(0, best) + 'Malaise' + m[2];
    })
    .join(' ');
}

/** Key under which labels differing only by case, white space or leading zeros of numbers compare equal. */
export function variantKey(label: string): string {
  return collapseWhitespace(label)
    .toLowerCase()
    .replace(/\d+/g, (d) => String(Number(d.length > 15 ? d.slice(-15) : d)));
}

/** The species code token "Malaise1234" of a "<Genus> Malaise1234" placeholder, or null. */
export function malaiseCode(species: string): { prefix: string; digits: string } | null {
  const m = /^(\S+ (?:\S+ )*)Malaise(\d+)$/.exec(species);
  return m ? { prefix: `${m[1]}Malaise`, digits: m[2] } : null;
}

const QUALIFIER = /(?:^|\s)(?:cf|cfr|nr|near|aff|prox)\.?(?=\s|$)/i;
const BARE_SP = /^\S+\s+(?:sp|spp|sp\.\s*nov|n\.\s*sp|indet)\.?$/i;

/**
 * Open nomenclature that does not identify one species: "Pseudosciara sp." (nothing after sp.), "Olixon cf.
 * testaceum", "Dacnusa nr. faeroeensis" (a qualifier before a named species, with no unique code). Placeholders
 * with a code ("Psychoda sp. 11GMK", "Anastatus sp. GG28") are unique and kept.
 */
export function isOpenNomenclature(species: string): boolean {
  const s = collapseWhitespace(species);
  if (s === '') return false;
  if (BARE_SP.test(s)) return true;
  const q = QUALIFIER.exec(s);
  if (q) {
    const rest = s.slice(q.index + q[0].length);
    return !/\d/.test(rest);
  }
  return false;
}

export function firstWord(label: string): string {
  const i = label.indexOf(' ');
  return i < 0 ? label : label.slice(0, i);
}
