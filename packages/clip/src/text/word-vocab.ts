/**
 * A WordPiece vocabulary built from texts, for when no pretrained BERT vocab.txt is at hand (the demo, synthetic
 * data): the five BERT specials, every lower-cased word and punctuation mark seen, and every character both as a
 * word start and as a `##` continuation, so any text over those characters tokenizes without [UNK].
 */
export function buildWordVocab(texts: readonly string[]): string[] {
  const words = new Set<string>();
  const chars = new Set<string>();
  for (const text of texts) {
    for (const w of text.toLowerCase().split(/[\s]+|(?=[^\p{L}\p{N}])|(?<=[^\p{L}\p{N}])/u)) {
      if (!w) continue;
      words.add(w);
      for (const c of w) chars.add(c);
    }
  }
  const sortedChars = [...chars].sort();
  return [
    '[PAD]',
    '[UNK]',
    '[CLS]',
    '[SEP]',
    '[MASK]',
    ...sortedChars,
    ...sortedChars.map((c) => `##${c}`),
    ...[...words].filter((w) => !chars.has(w)).sort(),
  ];
}
