/** Table 4's layout as markdown, from runDnaBenchmarkJob's summary. */
import type { DnaBenchmarkJobSummary } from './types.js';

const pct = (x: number | null) => (x === null ? '-' : (100 * x).toFixed(2));
const dur = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([k, v]) => `${k} ${v >= 90 ? `${(v / 60).toFixed(1)} min` : `${v.toFixed(0)} s`}`)
    .join(', ') || '-';

export function formatTable4(s: DnaBenchmarkJobSummary): string {
  const p = s.protocol;
  const lines = [
    `Table 4 layout on ${p.train + p.test} seen-species barcodes (${p.trainSpecies} species; ${p.train} train / ${p.test} test), ` +
      `${p.queries} unseen-species queries against ${p.keys} keys; pretraining on ${p.pretrain} barcodes (${p.pretrainOn}). Backend: ${s.backend}.`,
    '',
    '| model | fine-tuned (species, seen) | linear probe (species, seen) | 1-NN probe (genus, unseen) | training time | note |',
    '|---|---:|---:|---:|---|---|',
    ...s.rows.map(
      (r) =>
        `| ${r.kind === 'ours' ? `**${r.method}**` : r.method} | ${pct(r.finetuned)} | ${pct(r.linearProbe)} | ${pct(r.knnGenus)} | ${dur(r.seconds)} | ${r.note ?? ''} |`,
    ),
    '',
    `Pretraining curve (masked-token loss at the step; 1-NN genus of unseen species there): ` +
      `first-step loss ${s.pretrain.firstLoss?.toFixed(3) ?? '-'}; ` +
      s.pretrain.curve.map((c) => `step ${c.step}: ${c.loss.toFixed(3)} / ${pct(c.knnGenus)}%`).join('; ') +
      '.',
  ];
  if (s.finetune)
    lines.push(
      `Fine-tuning: ${s.finetune.epochs} epochs, head from the linear probe, peak lr encoder ${s.finetune.encoderLr} / head ${s.finetune.headLr}, ` +
        `warm-up then cosine; mean loss per epoch ${s.finetune.epochLosses.map((l) => l.toFixed(3)).join(' -> ')}.`,
    );
  return lines.join('\n') + '\n';
}
