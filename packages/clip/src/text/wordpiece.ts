/**
 * BERT WordPiece tokenization from a vocab.txt (one token per line, id = line number), as the reference's
 * BertTokenizer for prajjwal1/bert-small does: lower-case, split on whitespace and punctuation, greedy longest
 * match with `##` continuations, [CLS] ... [SEP], truncated and padded to a fixed length (20 in CLIBD).
 * The tokenization itself is @huggingface/tokenizers' (a kept library); this module builds its tokenizer.json
 * from the vocab file and does the fixed-length batching.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { Bioscan5mError } from '@bioscan5m/core';

export interface WordPieceOptions {
  /** A vocab.txt path, or its tokens in id order. */
  vocab: string | readonly string[];
  /** Tokens per text, [CLS] and [SEP] included (default 20). */
  maxLength?: number;
  /** Lower-case and strip accents first (bert-*-uncased, bert-small; default true). */
  lowercase?: boolean;
}

export interface TokenBatch {
  rows: number;
  length: number;
  /** rows x length token ids, [PAD] after the text. */
  ids: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

export interface WordPieceTokenizer {
  readonly vocabSize: number;
  readonly maxLength: number;
  /** Token strings of one text, [CLS] and [SEP] included, truncated, not padded. */
  tokenize(text: string): string[];
  encodeBatch(texts: readonly string[]): TokenBatch;
}

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

export function readVocab(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Bioscan5mError(
      `${file}: cannot read vocabulary (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'BIOSCAN5M_IO',
    );
  }
  const tokens = text.split(/\r?\n/);
  if (tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}

export function createWordPieceTokenizer(options: WordPieceOptions): WordPieceTokenizer {
  const file = typeof options.vocab === 'string' ? options.vocab : '<vocab>';
  const tokens = typeof options.vocab === 'string' ? readVocab(options.vocab) : [...options.vocab];
  const maxLength = options.maxLength ?? 20;
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new Bioscan5mError(`maxLength must be an integer >= 2, got ${maxLength}`, 'BIOSCAN5M_USAGE');
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  for (const s of SPECIALS) {
    if (!(s in vocab)) throw new Bioscan5mError(`${file}: not a BERT vocabulary: no ${s} token`, 'BIOSCAN5M_INPUT');
  }
  const lowercase = options.lowercase ?? true;
  const tokenizer = new Tokenizer(
    {
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: {
        type: 'WordPiece',
        vocab,
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
      },
      // [CLS]/[SEP] and padding are added in encodeBatch, after truncation to maxLength.
      post_processor: null,
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      added_tokens: SPECIALS.map((s) => ({
        id: vocab[s],
        content: s,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
    } as never,
    { do_lower_case: lowercase } as never,
  );
  const cls = vocab['[CLS]'];
  const sep = vocab['[SEP]'];
  const pad = vocab['[PAD]'];
  const pieceIds = (text: string): number[] =>
    tokenizer.encode(text, { add_special_tokens: false } as never).ids.slice(0, maxLength - 2);
  return {
    vocabSize: tokens.length,
    maxLength,
    tokenize: (text) => ['[CLS]', ...pieceIds(text).map((id) => tokens[id]), '[SEP]'],
    encodeBatch(texts) {
      const rows = texts.length;
      const ids = new Int32Array(rows * maxLength).fill(pad);
      const attentionMask = new Int32Array(rows * maxLength);
      texts.forEach((text, r) => {
        const seq = [cls, ...pieceIds(text), sep];
        ids.set(seq, r * maxLength);
        attentionMask.fill(1, r * maxLength, r * maxLength + seq.length);
      });
      return { rows, length: maxLength, ids, attentionMask, tokenTypeIds: new Int32Array(rows * maxLength) };
    },
  };
}
