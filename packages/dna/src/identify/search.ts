/**
 * Nearest-reference search: k-mer votes pick candidates, then identity is measured on each candidate along the
 * diagonal its k-mers agree on (ungapped, or a banded alignment when an indel is suspected).
 */
import { BASE_N } from './clean.js';
import { BandedAligner, ungappedIdentity, type PairIdentity, type UngappedIdentity } from './align.js';
import { keepKmer, type KmerIndex, type SequenceStore } from './kmer-index.js';

export interface Hit {
  /** Reference group (distinct barcode). */
  group: number;
  /** Identity used for ranking: matches over max(aligned columns, 80% of the shorter sequence). */
  identity: number;
  matches: number;
  columns: number;
}

export interface SearchOptions {
  /** Candidates verified per query (default 48). */
  candidates?: number;
  /** Band half-width of the fallback alignment (default 12). */
  band?: number;
  /**
   * Verify candidates by identity (default true). false = pure k-mer vote: rank by shared k-mers, with the
   * shared fraction of the query's k-mers as "identity" (faster, less accurate; kept for comparison).
   */
  verify?: boolean;
  /** First-pass cap on a k-mer's reference count (default 128). */
  maxOcc?: number;
  /** Minimum votes of the best reference after the first pass, else all k-mers are counted (default 8). */
  minVotes?: number;
  /** Align when a quarter of the ungapped comparison falls below this identity (default 0.6; 1 = always). */
  indelSuspect?: number;
}

/** A query is in a crowd when more than this fraction of its k-mers are shared by over maxOcc references. */
const CROWDED = 0.8;
/** In a crowd, k-mers shared by up to DEEP_OCC x maxOcc references are counted too. */
const DEEP_OCC = 8;

/** Search state: typed scratch arrays sized to the reference, reused across queries (one per thread). */
export class Searcher {
  private readonly counts: Uint16Array;
  private readonly diagCand: Int32Array;
  private readonly diagVotes: Int32Array;
  private readonly touched: Uint32Array;
  private readonly aligner = new BandedAligner();
  private readonly candidates: number;
  private readonly band: number;
  private readonly indelSuspect: number;
  private readonly maxOcc: number;
  private readonly verify: boolean;
  private queryKmers = 0;
  private readonly minVotes: number;
  private hist = new Uint32Array(1024);

  constructor(
    private readonly index: KmerIndex,
    private readonly store: SequenceStore,
    private readonly acgt: Int32Array,
    opts: SearchOptions = {},
  ) {
    const n = store.seqOffsets.length - 1;
    this.counts = new Uint16Array(n);
    this.diagCand = new Int32Array(n);
    this.diagVotes = new Int32Array(n);
    this.touched = new Uint32Array(n);
    this.candidates = opts.candidates ?? 48;
    this.band = opts.band ?? 12;
    this.indelSuspect = opts.indelSuspect ?? 0.6;
    this.maxOcc = opts.maxOcc ?? 128;
    this.verify = opts.verify ?? true;
    this.minVotes = opts.minVotes ?? 8;
  }

  private sequence(g: number): Uint8Array {
    return this.store.seqAll.subarray(this.store.seqOffsets[g], this.store.seqOffsets[g + 1]);
  }

  /** Hits sorted best first; `exclude` leaves one group out (leave-one-out calibration). */
  search(q: Uint8Array, qAcgt: number, exclude = -1): Hit[] {
    const counts = this.counts;
    const dc = this.diagCand;
    const touched = this.touched;
    // First pass skips k-mers shared by more than maxOcc references (conserved stretches say little about which
    // reference is nearest and dominate the cost); if that leaves too little evidence, a second pass takes all.
    let nt = this.countKmers(q, this.maxOcc, 0);
    const excludedVotes = exclude >= 0 ? counts[exclude] : 0;
    if (exclude >= 0) counts[exclude] = 0;
    if (this.lastSkipped > 0) {
      let best = 0;
      for (let t = 0; t < nt; t++) if (counts[touched[t]] > best) best = counts[touched[t]];
      if (best < this.minVotes) {
        for (let t = 0; t < nt; t++) counts[touched[t]] = 0;
        nt = this.countKmers(q, 0x7fffffff, 0);
        if (exclude >= 0) counts[exclude] = 0;
      } else if (this.lastSkipped > CROWDED * this.queryKmers) {
        // The query sits in a crowd of near-identical barcodes: nearly all its k-mers were skipped, so the votes
        // counted came from its own rare variants, which a few references elsewhere share by chance and
        // outvote its nearest (20k-record synthetic reference: 21 of 1,000 queries got a 90-93% hit beside a
        // 98.9% one). The k-mers shared by part of the crowd tell its members apart: count those up to
        // DEEP_OCC x maxOcc references (the ubiquitous ones still skipped, which bounds the cost).
        if (exclude >= 0) counts[exclude] = excludedVotes; // still touched: not listed twice
        nt = this.countKmers(q, DEEP_OCC * this.maxOcc, nt, this.maxOcc);
        if (exclude >= 0) counts[exclude] = 0;
      }
    }
    // Cut-off count that keeps about `candidates` references: histogram of vote counts.
    let maxCount = 0;
    for (let t = 0; t < nt; t++) if (counts[touched[t]] > maxCount) maxCount = counts[touched[t]];
    if (this.hist.length <= maxCount) this.hist = new Uint32Array(maxCount + 1);
    const hist = this.hist;
    hist.fill(0, 0, maxCount + 1);
    for (let t = 0; t < nt; t++) hist[counts[touched[t]]]++;
    let cutoff = maxCount;
    let kept = 0;
    while (cutoff > 1) {
      kept += hist[cutoff];
      if (kept >= this.candidates) break;
      cutoff--;
    }
    if (cutoff < 1) cutoff = 1;
    const chosen: number[] = [];
    for (let t = 0; t < nt; t++) {
      const g = touched[t];
      if (counts[g] >= cutoff && counts[g] > 0) chosen.push(g);
    }
    if (chosen.length > this.candidates) {
      chosen.sort((a, b) => counts[b] - counts[a]);
      chosen.length = this.candidates;
    }
    const diags = chosen.map((g) => dc[g]);
    const votes = chosen.map((g) => counts[g]);
    for (let t = 0; t < nt; t++) counts[touched[t]] = 0;
    if (!this.verify) {
      const denom = Math.max(1, this.queryKmers);
      return chosen
        .map((g, c) => ({ group: g, identity: Math.min(1, votes[c] / denom), matches: votes[c], columns: denom }))
        .sort((a, b) => b.identity - a.identity);
    }

    const hits: Hit[] = [];
    const ungapped: UngappedIdentity[] = [];
    let bestUngapped = 0;
    for (let c = 0; c < chosen.length; c++) {
      const g = chosen[c];
      const u = ungappedIdentity(q, this.sequence(g), diags[c]);
      ungapped.push(u);
      const sc = score(u, qAcgt, this.acgt[g]);
      if (sc > bestUngapped) bestUngapped = sc;
    }
    for (let c = 0; c < chosen.length; c++) {
      const g = chosen[c];
      let id: PairIdentity = ungapped[c];
      // Align only when one stretch of the diagonal looks unrelated (an indel shifted the frame) and repairing
      // it could make this candidate competitive with the best ungapped hit.
      const u = ungapped[c];
      if (u.columns === 0 || (u.worstQuarter < this.indelSuspect && u.withoutWorst >= bestUngapped - 0.05)) {
        const al = this.aligner.align(q, this.sequence(g), diags[c], this.band);
        if (score(al, qAcgt, this.acgt[g]) > score(id, qAcgt, this.acgt[g])) id = al;
      }
      if (id.columns === 0) continue;
      hits.push({ group: g, identity: score(id, qAcgt, this.acgt[g]), matches: id.matches, columns: id.columns });
    }
    hits.sort((a, b) => b.identity - a.identity || b.columns - a.columns);
    return hits;
  }

  /**
   * Identity of `q` against reference group `g` as the search scores a verified candidate, without the k-mer
   * stage: the better of the ungapped comparison on diagonal 0 and the banded alignment around it (for chance
   * levels: a shuffled query has no k-mer diagonal to follow).
   */
  pairIdentity(q: Uint8Array, qAcgt: number, g: number): number {
    const r = this.sequence(g);
    const u = ungappedIdentity(q, r, 0);
    const al = this.aligner.align(q, r, 0, this.band);
    return Math.max(score(u, qAcgt, this.acgt[g]), score(al, qAcgt, this.acgt[g]));
  }

  private lastSkipped = 0;

  /**
   * Adds the query's k-mer votes (lists longer than `limit` skipped, lists of at most `above` references left
   * out: counted before); returns the new touched count.
   */
  private countKmers(q: Uint8Array, limit: number, nt: number, above = -1): number {
    const { k, sampling, offsets, seqIds, positions } = this.index;
    const counts = this.counts;
    const dc = this.diagCand;
    const dv = this.diagVotes;
    const touched = this.touched;
    const mask = (1 << (2 * k)) - 1;
    let kmer = 0;
    let valid = 0;
    let skipped = 0;
    let used = 0;
    for (let i = 0; i < q.length; i++) {
      const c = q[i];
      if (c === BASE_N) {
        valid = 0;
        kmer = 0;
        continue;
      }
      kmer = ((kmer << 2) | c) & mask;
      if (++valid < k) continue;
      if (sampling !== 1 && !keepKmer(kmer, sampling)) continue;
      const p = i - k + 1;
      const start = offsets[kmer];
      const end = offsets[kmer + 1];
      used++;
      if (end - start > limit) {
        skipped++;
        continue;
      }
      if (end - start <= above) continue;
      for (let e = start; e < end; e++) {
        const g = seqIds[e];
        const d = positions[e] - p;
        const cnt = counts[g];
        if (cnt === 0) {
          touched[nt++] = g;
          counts[g] = 1;
          dc[g] = d;
          dv[g] = 1;
          continue;
        }
        if (cnt < 65535) counts[g] = cnt + 1;
        // Boyer-Moore majority vote over diagonals: O(1) memory per reference.
        if (dc[g] === d) dv[g]++;
        else if (dv[g] === 0) {
          dc[g] = d;
          dv[g] = 1;
        } else dv[g]--;
      }
    }
    this.lastSkipped = skipped;
    this.queryKmers = used;
    return nt;
  }
}

/**
 * Identity penalised for short overlaps: a hit must cover 80% of the shorter barcode, or MIN_OVERLAP columns, to
 * score its identity. The absolute bound is vsearch's reading (identity over the aligned columns, terminal gaps
 * excluded) for barcodes read from offset stretches of COI: a 430-column exact overlap of a 658-nt barcode and a
 * 1,500-nt read scored 0.83 under the 80% rule alone and lost the species to a full-length 96% hit.
 */
export const MIN_OVERLAP = 300;
function score(id: PairIdentity, qAcgt: number, rAcgt: number): number {
  const minCover = Math.min(0.8 * Math.min(qAcgt, rAcgt), MIN_OVERLAP);
  return id.columns === 0 ? 0 : id.matches / Math.max(id.columns, minCover);
}
