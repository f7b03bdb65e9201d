/**
 * Pairwise identity between a query and a reference barcode, given the diagonal (refPos - queryPos) that their
 * shared k-mers point to. Two levels: an ungapped comparison along the diagonal (COI is protein-coding, indels
 * are rare, and this costs one pass), and a banded overlap alignment (end gaps free) for pairs whose ungapped
 * identity suggests an indel shifted the frame. Columns where either side is N count neither as match nor as
 * mismatch, as in BLAST's identity.
 */
import { BASE_N } from './clean.js';

export interface PairIdentity {
  matches: number;
  /** Aligned columns counted: matches + mismatches + gap columns (N columns excluded). */
  columns: number;
}

export interface UngappedIdentity extends PairIdentity {
  /** Lowest identity over four equal stretches of the overlap: a frame shift (indel) shows as one near 0.25. */
  worstQuarter: number;
  /** Identity without the worst stretch: roughly what an alignment that repairs a frame shift could reach. */
  withoutWorst: number;
}

/** Ungapped identity along diagonal `diag` over the region where both sequences overlap. */
export function ungappedIdentity(q: Uint8Array, r: Uint8Array, diag: number): UngappedIdentity {
  const start = diag < 0 ? -diag : 0;
  const end = Math.min(q.length, r.length - diag);
  let matches = 0;
  let columns = 0;
  let worst = 1;
  let worstM = 0;
  let worstC = 0;
  const span = end - start;
  for (let part = 0; part < 4; part++) {
    const a0 = start + Math.floor((span * part) / 4);
    const a1 = start + Math.floor((span * (part + 1)) / 4);
    let m = 0;
    let c = 0;
    for (let i = a0; i < a1; i++) {
      const a = q[i];
      const b = r[i + diag];
      if (a === BASE_N || b === BASE_N) continue;
      c++;
      if (a === b) m++;
    }
    matches += m;
    columns += c;
    if (c >= 20 && m / c < worst) {
      worst = m / c;
      worstM = m;
      worstC = c;
    }
  }
  const rest = columns - worstC;
  return {
    matches,
    columns,
    worstQuarter: span > 0 ? worst : 0,
    withoutWorst: rest > 0 ? (matches - worstM) / rest : 0,
  };
}

const MATCH = 2;
const MISMATCH = -3;
const GAP = -5;
const NEG = -1 << 29;

/** Reusable DP buffers for banded alignment (one per thread). */
export class BandedAligner {
  private score = new Int32Array(0);
  private match = new Int32Array(0);
  private cols = new Int32Array(0);

  private ensure(width: number): void {
    if (this.score.length < 2 * width) {
      this.score = new Int32Array(2 * width);
      this.match = new Int32Array(2 * width);
      this.cols = new Int32Array(2 * width);
    }
  }

  /**
   * Overlap alignment within `band` of diagonal `diag`: leading/trailing gaps on either sequence are free, so
   * barcodes covering different stretches of COI align on their shared part. Returns the matches and columns on
   * the best-scoring path (+2 match, -3 mismatch, -5 per gap base, N scores 0).
   */
  align(q: Uint8Array, r: Uint8Array, diag: number, band = 12): PairIdentity {
    const n = q.length;
    const m = r.length;
    const W = 2 * band + 1;
    this.ensure(W);
    const S = this.score;
    const M = this.match;
    const C = this.cols;
    // Row i holds cells j = i + diag + o for o in [-band, band]; index o + band. Two rows alternate.
    let prev = 0;
    let cur = W;
    for (let t = 0; t < W; t++) {
      const j = diag + t - band;
      // Row 0: free leading gap in the query (start anywhere along the reference).
      S[t] = j >= 0 && j <= m ? 0 : NEG;
      M[t] = 0;
      C[t] = 0;
    }
    let best = NEG;
    let bestM = 0;
    let bestC = 0;
    // Row 0 cells at the reference end count as finished (query entirely beyond reference): ignore, score 0.
    for (let i = 1; i <= n; i++) {
      const a = q[i - 1];
      for (let t = 0; t < W; t++) {
        const j = i + diag + t - band;
        const at = cur + t;
        if (j < 0 || j > m) {
          S[at] = NEG;
          continue;
        }
        if (j === 0) {
          // Free leading gap in the reference.
          S[at] = 0;
          M[at] = 0;
          C[at] = 0;
          continue;
        }
        const b = r[j - 1];
        // Diagonal predecessor (i-1, j-1): same t in previous row.
        let s = S[prev + t];
        let mm = M[prev + t];
        let cc = C[prev + t];
        if (s > NEG) {
          if (a === BASE_N || b === BASE_N) {
            /* neutral column */
          } else if (a === b) {
            s += MATCH;
            mm++;
            cc++;
          } else {
            s += MISMATCH;
            cc++;
          }
        }
        // Up (i-1, j): gap in reference; previous row, t+1.
        if (t + 1 < W) {
          const su = S[prev + t + 1];
          if (su > NEG && su + GAP > s) {
            s = su + GAP;
            mm = M[prev + t + 1];
            cc = C[prev + t + 1] + 1;
          }
        }
        // Left (i, j-1): gap in query; same row, t-1.
        if (t > 0) {
          const sl = S[at - 1];
          if (sl > NEG && sl + GAP > s) {
            s = sl + GAP;
            mm = M[at - 1];
            cc = C[at - 1] + 1;
          }
        }
        S[at] = s;
        M[at] = mm;
        C[at] = cc;
        if (j === m && s > NEG && (s > best || (s === best && mm > bestM))) {
          // Reached the reference end: the rest of the query is a free trailing gap.
          best = s;
          bestM = mm;
          bestC = cc;
        }
      }
      const tmp = prev;
      prev = cur;
      cur = tmp;
    }
    // Last row (query end): trailing reference is free.
    for (let t = 0; t < W; t++) {
      const s = S[prev + t];
      if (s > NEG && (s > best || (s === best && M[prev + t] > bestM))) {
        best = s;
        bestM = M[prev + t];
        bestC = C[prev + t];
      }
    }
    if (best === NEG) return { matches: 0, columns: 0 };
    return { matches: bestM, columns: bestC };
  }
}
