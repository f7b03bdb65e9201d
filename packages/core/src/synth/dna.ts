/**
 * COI-like sequence evolution for synthetic data: an AT-rich 658 nt root, and point substitutions that favour
 * third codon positions and transitions, applied down the taxonomy so that divergence tracks relatedness.
 * Sequences are byte arrays of ASCII codes ('A','C','G','T').
 */
import type { Rng } from '../rng.js';

export const COI_LENGTH = 658;
const A = 65;
const C = 67;
const G = 71;
const T = 84;

/** A random root with insect COI base composition (~70% A+T). */
export function randomRoot(rng: Rng, length = COI_LENGTH): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const u = rng.random();
    out[i] = u < 0.31 ? A : u < 0.69 ? T : u < 0.85 ? C : G;
  }
  return out;
}

const TRANSITION: Record<number, number> = { [A]: G, [G]: A, [C]: T, [T]: C };
const TRANSVERSIONS: Record<number, [number, number]> = { [A]: [C, T], [G]: [C, T], [C]: [A, G], [T]: [A, G] };

function substitute(base: number, rng: Rng): number {
  if (rng.random() < 0.7) return TRANSITION[base] ?? A;
  const tv = TRANSVERSIONS[base];
  return tv ? tv[rng.int(0, 1)] : A;
}

/**
 * Copy of `parent` with exactly round(divergence * length) sites changed (distinct sites, so the p-distance to
 * the parent is the given divergence). 70% of changes hit third codon positions, as in real COI.
 */
export function mutate(parent: Uint8Array, divergence: number, rng: Rng): Uint8Array {
  const out = parent.slice();
  const n = out.length;
  const k = Math.min(n, Math.round(divergence * n));
  if (k === 0) return out;
  const touched = new Uint8Array(n);
  let done = 0;
  let guard = 0;
  while (done < k && guard++ < 50 * k + 1000) {
    let site: number;
    if (rng.random() < 0.7) site = 3 * rng.int(0, Math.floor(n / 3) - 1) + 2;
    else site = rng.int(0, n - 1);
    if (site >= n || touched[site]) continue;
    touched[site] = 1;
    out[site] = substitute(out[site], rng);
    done++;
  }
  return out;
}

const decoder = new TextDecoder('latin1');

export function toSequence(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** p-distance (share of differing sites over the shorter length), ignoring N. For tests and diagnostics. */
export function pDistance(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let diff = 0;
  let sites = 0;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === 78 || y === 78) continue;
    sites++;
    if (x !== y) diff++;
  }
  return sites ? diff / sites : 0;
}
