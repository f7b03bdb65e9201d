/** Text features of labelled records: the taxonomy text through a text encoder, recorded so embed can redo it. */
import { Bioscan5mError, type Embeddings } from '@bioscan5m/core';
import { createTextEncoder } from '../encoders/text-encoder.js';
import { buildWordVocab } from '../text/word-vocab.js';
import { TEXT_RANKS, taxonomyText } from '../text/taxonomy-text.js';

/** How text features are made: a WordPiece count vector over a vocabulary, or an exported BERT. */
export type TextFeatureSpec = { kind: 'tokens'; vocab?: string[] } | { kind: 'onnx'; model: string; vocab: string };

export function taxonomyTexts(labels: Record<string, readonly string[]>, rows: number): string[] {
  return Array.from({ length: rows }, (_, i) =>
    taxonomyText(Object.fromEntries(TEXT_RANKS.map((r) => [r, labels[r]?.[i] ?? '']))),
  );
}

/**
 * Embeds the taxonomy text of every record. A 'tokens' spec without a vocabulary gets one built from these texts
 * (returned, to be stored with the model).
 */
export async function textFeatures(
  spec: TextFeatureSpec,
  texts: readonly string[],
): Promise<{ features: Embeddings; spec: TextFeatureSpec }> {
  const resolved: TextFeatureSpec =
    spec.kind === 'tokens' && !spec.vocab ? { kind: 'tokens', vocab: buildWordVocab(texts) } : spec;
  if (resolved.kind === 'tokens' && !resolved.vocab) throw new Bioscan5mError('text features: no vocabulary');
  const enc = await createTextEncoder(
    resolved.kind === 'tokens'
      ? { kind: 'tokens', vocab: resolved.vocab! }
      : { kind: 'onnx', model: resolved.model, vocab: resolved.vocab },
  );
  try {
    return { features: await enc.embed(texts), spec: resolved };
  } finally {
    await enc.dispose();
  }
}
