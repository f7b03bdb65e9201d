/**
 * BarcodeBERT's k-mer tokenizer, reproduced id for id (see scripts/tokenizer_reference.py for the Python it is
 * checked against). Non-overlapping k-mers (stride k); vocabulary [MASK]=0, [UNK]=1, then the 4^k k-mers in the
 * lexicographic product order of "ACGT"; any k-mer with another character is [UNK]. Sequences are truncated or
 * right-padded with N to `maxLen` nucleotides; the attention mask covers the first floor(len/k) tokens.
 * Hand-written: it is a dozen lines of integer arithmetic and must match the reference exactly.
 */

export const MASK_ID = 0;
export const UNK_ID = 1;
/** Number of special tokens before the first k-mer id. */
export const N_SPECIAL = 2;

export interface KmerTokenizerOptions {
  /** k-mer length (BarcodeBERT uses 4..8; the best BIOSCAN-5M model uses 8). Default 6. */
  k?: number;
  /** Sequence length in nucleotides after truncation/padding. Default 660. */
  maxLen?: number;
  /**
   * Upper-case the sequence first (default true). The reference does not, so lowercase bases become [UNK]
   * there; pass false to reproduce that.
   */
  uppercase?: boolean;
  /** Remove trailing N before tokenizing, as the reference data loader does (default true). */
  stripTrailingN?: boolean;
  /** CLIBD variant: prepend a CLS-like token (id 0) with attention 1 (default false). */
  prependCls?: boolean;
}

export interface TokenizedSequence {
  ids: Int32Array;
  attentionMask: Int32Array;
}

export interface KmerTokenizer {
  readonly k: number;
  readonly maxLen: number;
  /** Tokens per sequence (floor(maxLen/k), plus one with prependCls). */
  readonly seqLen: number;
  readonly vocabSize: number;
  readonly prependCls: boolean;
  /** Tokenizes one sequence; `offset` (0..k-1) is the training-time random shift. */
  encode(sequence: string, offset?: number): TokenizedSequence;
  /** Tokenizes many sequences into flat row-major [n, seqLen] arrays. */
  encodeBatch(
    sequences: readonly string[],
    offsets?: readonly number[],
  ): { ids: Int32Array; attentionMask: Int32Array; n: number };
  /** The vocabulary in id order ("[MASK]", "[UNK]", "AAAA", ...). */
  vocabulary(): string[];
  /** Id of one k-mer string (UNK for anything not in the vocabulary). */
  tokenId(kmer: string): number;
}

// A=0, C=1, G=2, T=3; everything else -1.
const BASE_CODE = new Int8Array(128).fill(-1);
BASE_CODE[65] = 0;
BASE_CODE[67] = 1;
BASE_CODE[71] = 2;
BASE_CODE[84] = 3;

export function createKmerTokenizer(opts: KmerTokenizerOptions = {}): KmerTokenizer {
  const k = opts.k ?? 6;
  const maxLen = opts.maxLen ?? 660;
  const uppercase = opts.uppercase ?? true;
  const stripTrailingN = opts.stripTrailingN ?? true;
  const prependCls = opts.prependCls ?? false;
  if (!Number.isInteger(k) || k < 1 || k > 12) throw new RangeError(`k must be an integer in 1..12, got ${k}`);
  if (!Number.isInteger(maxLen) || maxLen < k) throw new RangeError(`maxLen must be an integer >= k, got ${maxLen}`);
  const nTokens = Math.floor(maxLen / k);
  const seqLen = nTokens + (prependCls ? 1 : 0);
  const vocabSize = N_SPECIAL + 4 ** k;

  const tokenId = (kmer: string): number => {
    if (kmer.length !== k) return UNK_ID;
    let id = 0;
    for (let i = 0; i < k; i++) {
      const c = kmer.charCodeAt(i);
      const b = c < 128 ? BASE_CODE[c] : -1;
      if (b < 0) return UNK_ID;
      id = id * 4 + b;
    }
    return id + N_SPECIAL;
  };

  const encodeInto = (sequence: string, offset: number, ids: Int32Array, mask: Int32Array, at: number) => {
    let s = uppercase ? sequence.toUpperCase() : sequence;
    if (stripTrailingN) {
      let end = s.length;
      while (end > 0 && s.charCodeAt(end - 1) === 78) end--;
      s = s.slice(0, end);
    }
    const off = Math.max(0, Math.min(offset | 0, s.length));
    const len = Math.min(s.length - off, maxLen); // characters before the N padding
    let p = at;
    if (prependCls) {
      ids[p] = MASK_ID;
      mask[p] = 1;
      p++;
    }
    const attended = s.length - off > maxLen ? nTokens : Math.floor(len / k);
    for (let t = 0; t < nTokens; t++) {
      let id = 0;
      let unk = false;
      for (let j = 0; j < k; j++) {
        const pos = t * k + j;
        if (pos >= len) {
          unk = true; // padding N
          break;
        }
        const c = s.charCodeAt(off + pos);
        const b = c < 128 ? BASE_CODE[c] : -1;
        if (b < 0) {
          unk = true;
          break;
        }
        id = id * 4 + b;
      }
      ids[p + t] = unk ? UNK_ID : id + N_SPECIAL;
      mask[p + t] = t < attended ? 1 : 0;
    }
  };

  return {
    k,
    maxLen,
    seqLen,
    vocabSize,
    prependCls,
    tokenId,
    encode(sequence, offset = 0) {
      const ids = new Int32Array(seqLen);
      const attentionMask = new Int32Array(seqLen);
      encodeInto(sequence, offset, ids, attentionMask, 0);
      return { ids, attentionMask };
    },
    encodeBatch(sequences, offsets) {
      const n = sequences.length;
      const ids = new Int32Array(n * seqLen);
      const attentionMask = new Int32Array(n * seqLen);
      for (let i = 0; i < n; i++) encodeInto(sequences[i], offsets ? offsets[i] : 0, ids, attentionMask, i * seqLen);
      return { ids, attentionMask, n };
    },
    vocabulary() {
      const out = ['[MASK]', '[UNK]'];
      const letters = 'ACGT';
      for (let id = 0; id < 4 ** k; id++) {
        let s = '';
        let v = id;
        for (let j = 0; j < k; j++) {
          s = letters[v & 3] + s;
          v >>= 2;
        }
        out.push(s);
      }
      return out;
    },
  };
}

/** CLIBD's DNA tokenizer: k=5, a CLS-like token 0 prepended, 133 tokens over 660 nt. */
export function createClibdTokenizer(opts: Omit<KmerTokenizerOptions, 'k' | 'prependCls'> = {}): KmerTokenizer {
  return createKmerTokenizer({ ...opts, k: 5, prependCls: true });
}
