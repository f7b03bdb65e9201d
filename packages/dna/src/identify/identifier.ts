/**
 * The barcode identifier: builds the reference index, learns the species identity threshold (barcode gap) and
 * the confidence calibration from the reference itself by leave-one-out, and identifies queries.
 *
 * Decision rule (see decide()): the nearest references by identity vote (weights fall off exponentially with the
 * identity gap to the best hit, equal-best hits by their record counts: the majority label). At or above the
 * species threshold the query gets the winning species. Below it the query is flagged novel (its species is
 * likely absent from the reference): its genus is voted first, and its species is the nearest one inside that
 * genus (`novelSpecies: 'nearest'`, the default) or left empty (`'empty'`). Higher ranks come from the winner's
 * lineage so the answer is always one consistent lineage.
 */
import { createRng } from '@bioscan5m/core';
import { cleanBarcode, type CleanedBarcode, type CleaningCounts } from './clean.js';
import { SearchPool, searchBothStrands, shareSearchData, type SearchJob } from './search-pool.js';
import { buildKmerIndex, type KmerIndex } from './kmer-index.js';
import { Searcher, type Hit } from './search.js';
import {
  buildReferenceSet,
  groupId,
  groupLabels,
  groupSequence,
  IDENTIFY_RANKS,
  type ReferenceRecord,
  type ReferenceSet,
  type SkippedReference,
} from './reference.js';
import {
  calibratorState,
  fitCalibrator,
  heuristicCalibrator,
  rateCalibrator,
  restoreCalibrator,
  type Calibrator,
  type CalibratorState,
  type Evidence,
} from './calibration.js';

const SPECIES = 6;
const GENUS = 5;

/**
 * The "no similar reference" rule. Identity has a chance level: two unrelated sequences of the same length and
 * base composition still match at ~50% of the columns our search aligns (random 658-nt queries against the real
 * COI reference: 0.48-0.54; random 5,000-nt queries: ~0.51; shuffled real barcodes, AT-rich as insect COI is:
 * up to 0.60), while a real barcode's best hit is far above it (held-out real barcodes: minimum 0.65, 1st
 * percentile 0.73; barcodes of different insect orders ~0.75). So a best hit below WEAK_HIT_BELOW is checked
 * against the query's own chance level: the same query with its bases shuffled (seeded: same length and
 * composition) is aligned to the barcodes of its top CHANCE_REFERENCES hits, and unless the real hit beats the
 * best of those by CHANCE_MARGIN the query gets "no similar reference" (status 'no-hit') instead of a genus.
 * Measured on the real reference (4/5 of coi_barcodes.csv): 0 of 5,700 random or shuffled queries (300, 658 and
 * 5,000 nt) get a lineage, 0 of 967 held-out real barcodes lose theirs (margin 0.10 lost one; 0.05 let random
 * 300-nt queries through). Costs ~1 ms per checked query (about 2% of queries on real data).
 */
export const WEAK_HIT_BELOW = 0.7;
export const CHANCE_MARGIN = 0.08;
/** Reference barcodes (the query's top hits) the shuffled query is aligned to. */
const CHANCE_REFERENCES = 16;

export interface IdentifierOptions {
  /** k-mer length of the candidate index (default 12, or 11 for references under ~8 million k-mers). */
  k?: number;
  /** Keep 1 in `sampling` k-mers; default: all for references up to ~37k distinct barcodes, fewer above. */
  sampling?: number;
  /** Candidates verified per query (default 48). */
  candidates?: number;
  /** Verify candidates by identity (default true); false = pure k-mer vote, for comparison. */
  verify?: boolean;
  /** First-pass cap on how many references a k-mer may hit to be counted (default 128). */
  maxOcc?: number;
  /** Verify a candidate by banded alignment when a quarter of its ungapped identity is below this (default 0.6). */
  indelSuspect?: number;
  /** Identity at or above which a query is assigned a species; default learned from the reference. */
  speciesThreshold?: number;
  /**
   * Species of a query flagged novel (best identity below the species threshold): 'nearest' (default) names the
   * nearest species inside the genus the neighbours vote for, with a confidence fitted on such calls, as BLAST's
   * and vsearch's top hits do; 'empty' leaves it empty (genus is then the deepest rank given). Measured on the
   * real barcodes (BENCHMARKS.md): 'nearest' is right for about half of the seen species whose barcodes are
   * deeply split (a conspecific only 85-96% identical), and costs nothing at genus. Per run (not saved in an
   * index).
   */
  novelSpecies?: NovelSpecies;
  /**
   * Learned threshold: the lowest identity whose leave-one-out balanced accuracy (species present or not) is
   * within this of the best (default 0.01).
   */
  thresholdSlack?: number;
  /** Reference barcodes identified leave-one-out to learn the thresholds and calibration (default 1000). */
  calibrationSamples?: number;
  /** Hits within this identity of the best one vote (default 0.02). */
  voteWindow?: number;
  /** Identity gap over which a hit's vote weight falls by e (default 0.004). */
  voteScale?: number;
  /** Minimum A/C/G/T bases for a usable barcode (default 50). */
  minBases?: number;
  /** Posting budget of the k-mer index, which sets the default sampling (default 24 million). */
  maxPostings?: number;
  /** Ranks whose confidence would fall below this are left empty (default 0: always answer to genus). */
  minConfidence?: number;
  seed?: number;
  /**
   * Worker threads for buildAsync / identifyManyAsync (default 1: the calling thread). A worker starts in a few
   * milliseconds (dist/search-worker.js loads only the search code) and shares the index through
   * SharedArrayBuffers; threads pay off on large jobs on an otherwise idle multi-core machine.
   */
  threads?: number;
  /** Progress of the leave-one-out calibration. */
  onProgress?: (done: number, total: number) => void;
}

export type IdentificationStatus = 'ok' | 'no-sequence' | 'no-hit';

/** What a query flagged novel gets at species: the nearest species in its voted genus, or nothing. */
export type NovelSpecies = 'nearest' | 'empty';

export interface Identification {
  /** Predicted labels phylum..species (IDENTIFY_RANKS order); empty where declined. */
  lineage: string[];
  /** Probability that the deepest rank given is right (0..1). */
  confidence: number;
  /**
   * True when the query looks like a species absent from the reference (best identity below the species
   * threshold). Its species is then the nearest seen species (low confidence) or empty (`novelSpecies`).
   */
  novel: boolean;
  /** Identity to the nearest reference barcode (0..1; 0 without hit). */
  identity: number;
  /** Record id of the nearest reference barcode ('' without hit). */
  nearest: string;
  status: IdentificationStatus;
  /** What cleaning changed in the query. */
  cleaning: CleaningCounts;
}

/**
 * Version of the search and decision rules. A saved index stores what was learned under them (threshold,
 * per-species floors, calibrators), so any change to search.ts, the vote/decide rules or learn() that changes
 * answers must bump it: indexes built before then are refused as stale instead of answering differently.
 */
export const SCORING_VERSION = 3;

/**
 * Options fixed when the reference is indexed (they shape the index or what is learned from it); a saved index
 * stores them. Every other IdentifierOptions field (minConfidence, threads, onProgress) applies per run.
 */
export const BUILD_OPTION_KEYS = [
  'k',
  'sampling',
  'maxPostings',
  'candidates',
  'verify',
  'maxOcc',
  'indelSuspect',
  'speciesThreshold',
  'thresholdSlack',
  'calibrationSamples',
  'voteWindow',
  'voteScale',
  'minBases',
  'seed',
] as const satisfies readonly (keyof IdentifierOptions)[];
export type IdentifierBuildOptions = Pick<IdentifierOptions, (typeof BUILD_OPTION_KEYS)[number]>;

/** The build options of `opts` (the per-run ones dropped, undefined ones left out). */
export function buildOptionsOf(opts: IdentifierOptions): IdentifierBuildOptions {
  const out: Record<string, unknown> = {};
  for (const key of BUILD_OPTION_KEYS) if (opts[key] !== undefined) out[key] = opts[key];
  return out as IdentifierBuildOptions;
}

/** What the identifier learned from its reference (saved in an index file). */
export interface IdentifierCalibration {
  speciesThreshold: number;
  thresholdSource: IdentifierInfo['thresholdSource'];
  calibrationSamples: number;
  speciesFloor: [string, number][];
  species: CalibratorState;
  genus: CalibratorState;
  /** Species named for a query flagged novel (scoring version 2). */
  novelSpecies: CalibratorState;
}

export interface IdentifierInfo {
  referenceRecords: number;
  referenceBarcodes: number;
  /** Reference records not used (the first ones are listed in `skipped`). */
  skippedRecords: number;
  skipped: SkippedReference[];
  cleaning: CleaningCounts;
  k: number;
  sampling: number;
  speciesThreshold: number;
  /** How the threshold was set. */
  thresholdSource: 'learned' | 'given' | 'default';
  calibrationSamples: number;
  buildSeconds: number;
  /** The index file it was loaded from, if any (then buildSeconds is the original build's). */
  indexFile?: string;
  /** Seconds to load the index file. */
  loadSeconds?: number;
}

interface Decision {
  lineage: string[];
  novel: boolean;
  evidence: Evidence;
  /** Rank index of the deepest label given. */
  rank: number;
}

const DEFAULT_THRESHOLD = 0.97;

export class BarcodeIdentifier {
  readonly info: IdentifierInfo;
  private readonly searcher: Searcher;
  private speciesCal: Calibrator;
  /** Species whose own barcodes in the reference are less alike than the global threshold: their lower threshold. */
  private speciesFloor = new Map<string, number>();
  private genusCal: Calibrator;
  /** Species named for a query flagged novel (`novelSpecies: 'nearest'`). */
  private novelSpeciesCal: Calibrator;

  private constructor(
    private readonly ref: ReferenceSet,
    readonly index: KmerIndex,
    private readonly opts: IdentifierOptions,
    t0: number,
  ) {
    this.searcher = new Searcher(index, ref, ref.acgt, {
      candidates: opts.candidates,
      indelSuspect: opts.indelSuspect,
      maxOcc: opts.maxOcc,
      verify: opts.verify,
    });
    this.speciesCal = heuristicCalibrator(DEFAULT_THRESHOLD);
    this.genusCal = heuristicCalibrator(0.9);
    this.novelSpeciesCal = heuristicCalibrator(DEFAULT_THRESHOLD);
    this.info = {
      referenceRecords: ref.records,
      referenceBarcodes: ref.groups,
      skippedRecords: ref.skippedCount,
      skipped: ref.skipped,
      cleaning: ref.cleaning,
      k: index.k,
      sampling: index.sampling,
      speciesThreshold: opts.speciesThreshold ?? DEFAULT_THRESHOLD,
      thresholdSource: opts.speciesThreshold !== undefined ? 'given' : 'default',
      calibrationSamples: 0,
      buildSeconds: 0,
    };
    this.t0 = t0;
  }

  private readonly t0: number;
  private pool: SearchPool | null = null;

  private static prepare(
    records: Iterable<ReferenceRecord> | ReferenceSet,
    opts: IdentifierOptions,
    t0 = performance.now(),
  ): BarcodeIdentifier {
    const ref = isReferenceSet(records) ? records : buildReferenceSet(records, { minBases: opts.minBases });
    if (ref.groups === 0) {
      throw new RangeError('the reference has no usable labelled barcode');
    }
    const index = buildKmerIndex(ref, {
      k: opts.k,
      sampling: opts.sampling,
      maxPostings: opts.maxPostings ?? 24_000_000,
    });
    return new BarcodeIdentifier(ref, index, opts, t0);
  }

  /**
   * An identifier over a reference and index built earlier (a loaded index file) with what was learned then:
   * no index building and no calibration. `opts` are the build options it was made with plus per-run ones.
   */
  static async restore(
    ref: ReferenceSet,
    index: KmerIndex,
    calibration: IdentifierCalibration,
    opts: IdentifierOptions = {},
    info: Partial<IdentifierInfo> = {},
  ): Promise<BarcodeIdentifier> {
    const id = new BarcodeIdentifier(ref, index, opts, performance.now());
    id.info.speciesThreshold = calibration.speciesThreshold;
    id.info.thresholdSource = calibration.thresholdSource;
    id.info.calibrationSamples = calibration.calibrationSamples;
    id.speciesFloor = new Map(calibration.speciesFloor);
    id.speciesCal = restoreCalibrator(calibration.species);
    id.genusCal = restoreCalibrator(calibration.genus);
    id.novelSpeciesCal = restoreCalibrator(calibration.novelSpecies);
    Object.assign(id.info, info);
    await id.startPool(opts.threads ?? 1);
    return id;
  }

  /** The cleaned, deduplicated reference (for saving). */
  get reference(): ReferenceSet {
    return this.ref;
  }

  /** The build options it was made with. */
  get buildOptions(): IdentifierBuildOptions {
    return buildOptionsOf(this.opts);
  }

  /** What was learned from the reference (for saving). */
  calibration(): IdentifierCalibration {
    return {
      speciesThreshold: this.info.speciesThreshold,
      thresholdSource: this.info.thresholdSource,
      calibrationSamples: this.info.calibrationSamples,
      speciesFloor: [...this.speciesFloor],
      species: calibratorState(this.speciesCal),
      genus: calibratorState(this.genusCal),
      novelSpecies: calibratorState(this.novelSpeciesCal),
    };
  }

  private async startPool(threads: number): Promise<void> {
    if (threads > 1) {
      const data = shareSearchData(this.index, this.ref, this.ref.acgt, this.searchOptions());
      this.pool = await SearchPool.create(data, threads);
    }
  }

  /** Builds the index and learns threshold and calibration from the reference records (one thread). */
  static build(records: Iterable<ReferenceRecord> | ReferenceSet, opts: IdentifierOptions = {}): BarcodeIdentifier {
    const id = BarcodeIdentifier.prepare(records, opts);
    const samples = id.calibrationGroups();
    const hits = samples.map((g, i) => {
      const h = id.searcher.search(groupSequence(id.ref, g), id.ref.acgt[g], g);
      id.opts.onProgress?.(i + 1, samples.length);
      return h;
    });
    id.learn(samples, hits);
    id.info.buildSeconds = (performance.now() - id.t0) / 1000;
    return id;
  }

  /**
   * As build, with the leave-one-out searches (and later identifyManyAsync) spread over worker threads. Call
   * close() when done (the workers do not keep the process alive, but hold memory).
   */
  static async buildAsync(
    records: Iterable<ReferenceRecord> | ReferenceSet,
    opts: IdentifierOptions = {},
    t0 = performance.now(),
  ): Promise<BarcodeIdentifier> {
    const id = BarcodeIdentifier.prepare(records, opts, t0);
    await id.startPool(opts.threads ?? 1);
    try {
      const samples = id.calibrationGroups();
      let hits: Hit[][];
      if (id.pool) {
        const jobs: SearchJob[] = samples.map((g) => ({
          codes: groupSequence(id.ref, g),
          acgt: id.ref.acgt[g],
          exclude: g,
          bothStrands: false,
        }));
        hits = await id.pool.run(jobs, opts.onProgress);
      } else {
        hits = samples.map((g, i) => {
          const h = id.searcher.search(groupSequence(id.ref, g), id.ref.acgt[g], g);
          opts.onProgress?.(i + 1, samples.length);
          return h;
        });
      }
      id.learn(samples, hits);
    } catch (err) {
      await id.close();
      throw err;
    }
    id.info.buildSeconds = (performance.now() - id.t0) / 1000;
    return id;
  }

  /** What a query called novel gets at species (the `novelSpecies` option; default 'nearest'). */
  get novelSpecies(): NovelSpecies {
    return this.opts.novelSpecies ?? 'nearest';
  }

  /** Worker threads in use (0 = searching on the calling thread). */
  get threads(): number {
    return this.pool?.size ?? 0;
  }

  /** Stops the worker threads, if any. */
  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  private searchOptions() {
    const o = this.opts;
    return { candidates: o.candidates, indelSuspect: o.indelSuspect, maxOcc: o.maxOcc, verify: o.verify };
  }

  /** Identifies one barcode (raw string or already cleaned). */
  identify(barcode: string | CleanedBarcode): Identification {
    const cleaned = typeof barcode === 'string' ? cleanBarcode(barcode) : barcode;
    if (!this.usable(cleaned)) return this.finish(cleaned, []);
    return this.finish(cleaned, searchBothStrands(this.searcher, cleaned.codes, cleaned.acgt));
  }

  /** Identifies many barcodes in input order, reporting progress (one thread). */
  identifyMany(
    barcodes: readonly (string | CleanedBarcode)[],
    onProgress?: (done: number, total: number) => void,
  ): Identification[] {
    const out: Identification[] = [];
    const every = Math.max(1, Math.floor(barcodes.length / 200));
    for (let i = 0; i < barcodes.length; i++) {
      out.push(this.identify(barcodes[i]));
      if (onProgress && (i % every === 0 || i === barcodes.length - 1)) onProgress(i + 1, barcodes.length);
    }
    return out;
  }

  /** As identifyMany, on the worker threads of buildAsync when there are any. */
  async identifyManyAsync(
    barcodes: readonly (string | CleanedBarcode)[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<Identification[]> {
    if (!this.pool) return this.identifyMany(barcodes, onProgress);
    const cleaned = barcodes.map((b) => (typeof b === 'string' ? cleanBarcode(b) : b));
    const usable: number[] = [];
    cleaned.forEach((c, i) => this.usable(c) && usable.push(i));
    const hits = await this.pool.run(
      usable.map((i) => ({ codes: cleaned[i].codes, acgt: cleaned[i].acgt, exclude: -1, bothStrands: true })),
      onProgress && ((d) => onProgress(d, usable.length)),
    );
    const byIndex = new Map<number, Hit[]>();
    usable.forEach((i, j) => byIndex.set(i, hits[j]));
    return cleaned.map((c, i) => this.finish(c, byIndex.get(i) ?? []));
  }

  /**
   * The no-similar-reference rule (see WEAK_HIT_BELOW). Not applied to the pure k-mer vote (`verify: false`),
   * whose "identity" is a shared k-mer fraction, not an alignment identity.
   */
  private atChance(cleaned: CleanedBarcode, hits: readonly Hit[]): boolean {
    const identity = hits[0].identity;
    if (this.opts.verify === false || identity >= WEAK_HIT_BELOW) return false;
    return identity < this.chanceIdentity(cleaned, hits) + CHANCE_MARGIN;
  }

  /**
   * The query's chance level against the references it hit: its bases shuffled (seeded by its content: same
   * length and composition), aligned to each of the top CHANCE_REFERENCES hits' barcodes; the best identity.
   */
  private chanceIdentity(cleaned: CleanedBarcode, hits: readonly Hit[]): number {
    const codes = cleaned.codes.slice();
    let seed = this.opts.seed ?? 1;
    for (let i = 0; i < codes.length; i++) seed = Math.imul(seed ^ codes[i], 0x01000193);
    const rng = createRng(seed >>> 0);
    for (let i = codes.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      const t = codes[i];
      codes[i] = codes[j];
      codes[j] = t;
    }
    let best = 0;
    for (const h of hits.slice(0, CHANCE_REFERENCES))
      best = Math.max(best, this.searcher.pairIdentity(codes, cleaned.acgt, h.group));
    return best;
  }

  private usable(cleaned: CleanedBarcode): boolean {
    return cleaned.acgt >= (this.opts.minBases ?? 50);
  }

  /** Decision, confidence and output record for one query given its hits. */
  private finish(cleaned: CleanedBarcode, hits: Hit[]): Identification {
    const empty = (): string[] => IDENTIFY_RANKS.map(() => '');
    if (!this.usable(cleaned)) {
      return {
        lineage: empty(),
        confidence: 0,
        novel: false,
        identity: 0,
        nearest: '',
        status: 'no-sequence',
        cleaning: cleaned.counts,
      };
    }
    if (hits.length === 0 || this.atChance(cleaned, hits)) {
      const identity = hits.length ? round4(hits[0].identity) : 0;
      return {
        lineage: empty(),
        confidence: 0,
        novel: true,
        identity,
        nearest: '',
        status: 'no-hit',
        cleaning: cleaned.counts,
      };
    }
    const d = this.decide(hits, this.info.speciesThreshold, this.speciesFloor);
    const cal = !d.novel ? this.speciesCal : d.rank === SPECIES ? this.novelSpeciesCal : this.genusCal;
    let confidence = cal.predict(d.evidence);
    const minConf = this.opts.minConfidence ?? 0;
    if (confidence < minConf && d.rank > 0) {
      // Decline the deepest rank; the next coarser one is given with its vote share as confidence.
      d.lineage[d.rank] = '';
      const v = this.vote(hits, d.rank - 1, 0);
      confidence = v && v.label === d.lineage[d.rank - 1] ? v.share : 0;
    }
    return {
      lineage: d.lineage,
      confidence: round4(confidence),
      novel: d.novel,
      identity: round4(hits[0].identity),
      nearest: groupId(this.ref, hits[0].group),
      status: 'ok',
      cleaning: cleaned.counts,
    };
  }

  /**
   * Weighted vote at `rank` over hits inside the vote window: each hit weighs exp(-(best - identity) / voteScale),
   * shared among the labels of its records by record count, so equal-best hits elect the majority label of their
   * records. `within` restricts the vote to lineages with that label at that rank (species inside a voted genus).
   * An exact tie goes to the label with the better best hit (identity, then aligned columns), then to the
   * alphabetically first label, so the answer never depends on reference order.
   */
  private vote(
    hits: Hit[],
    rank: number,
    minIdentity: number,
    within?: { rank: number; label: string },
  ): { label: string; lineage: number; share: number; margin: number } | null {
    const best = hits[0].identity;
    const window = this.opts.voteWindow ?? 0.02;
    const scale = this.opts.voteScale ?? 0.004;
    const lineages = this.ref.lineages;
    const inside = (lineage: number) => !within || lineages[lineage][within.rank] === within.label;
    const weights = new Map<
      string,
      { w: number; lineage: number; lineageW: number; identity: number; columns: number }
    >();
    let total = 0;
    for (const h of hits) {
      if (h.identity < best - window || h.identity < minIdentity) break;
      const w = Math.exp((h.identity - best) / scale);
      const list = groupLabels(this.ref, h.group);
      let n = 0;
      for (const e of list) if (lineages[e.lineage][rank] && inside(e.lineage)) n += e.count;
      if (n === 0) continue;
      for (const e of list) {
        const label = lineages[e.lineage][rank];
        if (!label || !inside(e.lineage)) continue;
        const ew = (w * e.count) / n;
        total += ew;
        const cur = weights.get(label);
        // Hits come best first, so the first hit of a label is its best (identity, then aligned columns).
        if (!cur)
          weights.set(label, { w: ew, lineage: e.lineage, lineageW: ew, identity: h.identity, columns: h.columns });
        else {
          cur.w += ew;
          if (ew > cur.lineageW) {
            cur.lineage = e.lineage;
            cur.lineageW = ew;
          }
        }
      }
    }
    if (total === 0) return null;
    // Highest weight; an exact tie (up to rounding) goes to the label with the better best hit (identity, then
    // aligned columns), then to the alphabetically first label, so the answer never depends on reference order.
    let bestLabel = '';
    let bestW = -1;
    let bestLineage = -1;
    let bestHit = { identity: 0, columns: 0 };
    for (const [label, v] of weights) {
      const tie = Math.abs(v.w - bestW) <= 1e-9 * total;
      const better = tie
        ? v.identity > bestHit.identity ||
          (v.identity === bestHit.identity &&
            (v.columns > bestHit.columns || (v.columns === bestHit.columns && label < bestLabel)))
        : v.w > bestW;
      if (better) {
        bestW = v.w;
        bestLabel = label;
        bestLineage = v.lineage;
        bestHit = v;
      }
    }
    // Margin: best identity minus the best identity of a hit whose label at this rank differs.
    let other = best - 0.1;
    for (const h of hits) {
      const labels = groupLabels(this.ref, h.group)
        .map((e) => this.ref.lineages[e.lineage][rank])
        .filter((x) => x);
      if (labels.some((l) => l !== bestLabel)) {
        other = Math.max(other, h.identity);
        break;
      }
    }
    return { label: bestLabel, lineage: bestLineage, share: bestW / total, margin: Math.max(0, best - other) };
  }

  /**
   * @param floor per-species identity threshold where the reference shows more intraspecific divergence than
   * the global threshold allows (a query this close to such a species' barcode is still that species).
   */
  private decide(hits: Hit[], threshold: number, floor?: Map<string, number>): Decision {
    const best = hits[0].identity;
    let novel = best < threshold;
    if (novel && floor && floor.size) {
      const v = this.vote(hits, SPECIES, 0);
      const f = v ? floor.get(v.label) : undefined;
      if (f !== undefined && best >= f) {
        novel = false;
        threshold = f;
      }
    }
    if (novel) {
      // Flagged novel: the genus is voted first by all neighbours in the window, whatever their species (the
      // better guess for a species absent from the reference), then the species, when asked for, inside it.
      const g = this.vote(hits, GENUS, 0);
      if (g) {
        const genus = this.ref.lineages[g.lineage][GENUS];
        const s =
          this.opts.novelSpecies === 'empty' ? null : this.vote(hits, SPECIES, 0, { rank: GENUS, label: genus });
        const v = s ?? g;
        const rank = s ? SPECIES : GENUS;
        const lineage = [...this.ref.lineages[v.lineage]].map((x, r) => (r <= rank ? x : ''));
        return { lineage, novel, rank, evidence: { identity: best, share: v.share, margin: v.margin } };
      }
    }
    // Species when close enough; otherwise (or when no neighbour is labelled to species) the finest rank voted.
    const ranks = novel ? [4, 3, 2, 1, 0] : [SPECIES, GENUS, 4, 3, 2, 1, 0];
    for (const rank of ranks) {
      const v = this.vote(hits, rank, rank === SPECIES ? threshold : 0);
      if (!v) continue;
      const lineage = [...this.ref.lineages[v.lineage]].map((x, r) => (r <= rank ? x : ''));
      return { lineage, novel, rank, evidence: { identity: best, share: v.share, margin: v.margin } };
    }
    return {
      lineage: IDENTIFY_RANKS.map(() => ''),
      novel,
      rank: -1,
      evidence: { identity: best, share: 0, margin: 0 },
    };
  }

  /**
   * Leave-one-out over a sample of reference barcodes: each is searched against the others. The species
   * threshold is the identity that best separates "a conspecific barcode is the nearest" from "the species has
   * no other barcode" (the barcode gap); then the calibrators are fitted on the decisions made with it.
   */
  /** Reference groups identified leave-one-out (seeded sample). */
  private calibrationGroups(): number[] {
    const n = this.ref.groups;
    const nSamples = Math.min(this.opts.calibrationSamples ?? 1000, n);
    if (nSamples < 20) return [];
    const rng = createRng(this.opts.seed ?? 1);
    return rng.sample(
      Array.from({ length: n }, (_, i) => i),
      nSamples,
    );
  }

  private learn(groups: number[], groupHits: Hit[][]): void {
    const ref = this.ref;
    if (groups.length < 20) return;
    // Species -> number of groups carrying it, to know whether a left-out barcode's species remains.
    const speciesGroups = new Map<string, number>();
    const genusGroups = new Map<string, number>();
    const majority = (g: number) => {
      const list = groupLabels(ref, g);
      let best = list[0];
      for (const e of list) if (e.count > best.count) best = e;
      return ref.lineages[best.lineage];
    };
    for (let g = 0; g < ref.groups; g++) {
      const seen = new Set<string>();
      const seenG = new Set<string>();
      for (const e of groupLabels(ref, g)) {
        const l = ref.lineages[e.lineage];
        if (l[SPECIES]) seen.add(l[SPECIES]);
        if (l[GENUS]) seenG.add(l[GENUS]);
      }
      for (const s of seen) speciesGroups.set(s, (speciesGroups.get(s) ?? 0) + 1);
      for (const s of seenG) genusGroups.set(s, (genusGroups.get(s) ?? 0) + 1);
    }
    const cases: { hits: Hit[]; truth: readonly string[]; speciesPresent: boolean; genusPresent: boolean }[] = [];
    for (let s = 0; s < groups.length; s++) {
      const g = groups[s];
      const truth = majority(g);
      if (!truth[GENUS]) continue;
      const hits = groupHits[s];
      if (hits.length === 0) continue;
      cases.push({
        hits,
        truth,
        speciesPresent: !!truth[SPECIES] && (speciesGroups.get(truth[SPECIES]) ?? 0) > 1,
        genusPresent: (genusGroups.get(truth[GENUS]) ?? 0) > 1,
      });
    }
    const labelled = cases.filter((c) => c.truth[SPECIES]);
    if (this.opts.speciesThreshold === undefined) {
      const pos = labelled.filter((c) => c.speciesPresent).length;
      if (labelled.length >= 20 && pos >= 5 && labelled.length - pos >= 5) {
        // Balanced accuracy (mean of the rates on "a conspecific remains" and "the species had no other
        // barcode", so that it does not depend on how many singletons the reference holds) of "species present
        // iff best identity >= t" for every candidate t. The curve is flat near its top, so the lowest t within
        // `thresholdSlack` of the best is taken: fewer seen species called novel, at little cost in detection.
        const pts = labelled
          .map((c) => ({ id: c.hits[0].identity, present: c.speciesPresent }))
          .sort((a, b) => a.id - b.id);
        const P = pts.filter((p) => p.present).length;
        const A = pts.length - P;
        let presentRight = P; // t below everything: all called present
        let absentRight = 0;
        const curve: { t: number; score: number }[] = [{ t: pts[0].id, score: 0.5 }];
        for (let i = 0; i < pts.length; i++) {
          if (pts[i].present) presentRight--;
          else absentRight++;
          const t = i + 1 < pts.length ? (pts[i].id + pts[i + 1].id) / 2 : pts[i].id + 1e-6;
          curve.push({ t, score: 0.5 * (presentRight / P + absentRight / A) });
        }
        const best = Math.max(...curve.map((c) => c.score));
        const bestT = curve.find((c) => c.score >= best - (this.opts.thresholdSlack ?? 0.01))!.t;
        this.info.speciesThreshold = Math.min(0.995, Math.max(0.9, bestT));
        this.info.thresholdSource = 'learned';
      }
    }
    const t = this.info.speciesThreshold;
    // Intraspecific spread: for each left-out barcode of a species with other barcodes, the identity of its
    // nearest conspecific; a species whose barcodes sit further apart than t gets that (minus 0.5%) as threshold.
    if (this.opts.speciesThreshold === undefined) {
      for (const c of labelled) {
        if (!c.speciesPresent) continue;
        const sp = c.truth[SPECIES];
        const h = c.hits.find((x) => groupLabels(ref, x.group).some((e) => ref.lineages[e.lineage][SPECIES] === sp));
        if (!h || h.identity >= t) continue;
        const f = Math.max(0.85, h.identity - 0.005);
        const cur = this.speciesFloor.get(sp);
        if (cur === undefined || f < cur) this.speciesFloor.set(sp, f);
      }
    }
    const speciesSamples: { evidence: Evidence; correct: boolean }[] = [];
    const genusSamples: { evidence: Evidence; correct: boolean }[] = [];
    const novelSpeciesSamples: { evidence: Evidence; correct: boolean }[] = [];
    for (const c of cases) {
      const d = this.decide(c.hits, t, this.speciesFloor);
      if (!d.novel && d.rank === SPECIES) {
        speciesSamples.push({ evidence: d.evidence, correct: d.lineage[SPECIES] === c.truth[SPECIES] });
      } else if (d.novel && d.rank === SPECIES) {
        // Right only when the species was still in the reference (a deeply split species), else wrong.
        if (c.truth[SPECIES]) {
          novelSpeciesSamples.push({ evidence: d.evidence, correct: d.lineage[SPECIES] === c.truth[SPECIES] });
        }
      } else if (d.novel && d.rank >= GENUS && c.genusPresent) {
        genusSamples.push({ evidence: d.evidence, correct: d.lineage[GENUS] === c.truth[GENUS] });
      }
    }
    this.speciesCal = fitCalibrator(speciesSamples) ?? heuristicCalibrator(t);
    this.genusCal = fitCalibrator(genusSamples) ?? heuristicCalibrator(t);
    // Few or one-sided samples (often all wrong: the species had no other barcode): their smoothed success rate.
    this.novelSpeciesCal =
      fitCalibrator(novelSpeciesSamples) ??
      (novelSpeciesSamples.length ? rateCalibrator(novelSpeciesSamples) : heuristicCalibrator(t));
    this.info.calibrationSamples = speciesSamples.length + genusSamples.length + novelSpeciesSamples.length;
  }
}

function isReferenceSet(x: Iterable<ReferenceRecord> | ReferenceSet): x is ReferenceSet {
  return (x as ReferenceSet).seqAll instanceof Uint8Array;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
