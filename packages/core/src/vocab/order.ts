/**
 * String order of Python (and so of pandas categories): by Unicode code point. JavaScript's default sort and
 * `<` compare UTF-16 code units, which disagree for characters above U+FFFF (surrogate pairs sort below
 * U+E000..U+FFFF), so labels are compared code point by code point here.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only when one side is a surrogate and the other a BMP char at or above U+E000 does UTF-16 order differ.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) {
      const cx = a.codePointAt(i)!;
      const cy = b.codePointAt(i)!;
      return cx < cy ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Sorts a copy in code-point order. */
export function sortCodePoints(values: Iterable<string>): string[] {
  return [...values].sort(compareCodePoints);
}
