/** Precision and recall of the quality flags against labelled photos (Bioscan-ImgFilter style labels). */
import type { QualityReport } from './quality.js';

export type QualityLabel = 'valid' | 'empty' | 'blurry' | 'fragmented';
export type QualityFlag = 'noSpecimen' | 'blurred' | 'fragmented';

/** Which label each flag should find. */
export const FLAG_LABEL: Record<QualityFlag, QualityLabel> = {
  noSpecimen: 'empty',
  blurred: 'blurry',
  fragmented: 'fragmented',
};

export interface FlagScore {
  flag: QualityFlag;
  label: QualityLabel;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** Share of images with the label: the precision of flagging at random. */
  prevalence: number;
}

export function scoreQualityFlags(items: { label: string; report: QualityReport }[]): FlagScore[] {
  const labelled = items.filter((x) => ['valid', 'empty', 'blurry', 'fragmented'].includes(x.label));
  return (Object.keys(FLAG_LABEL) as QualityFlag[]).map((flag) => {
    const label = FLAG_LABEL[flag];
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const x of labelled) {
      const pred = x.report[flag];
      const truth = x.label === label;
      if (pred && truth) tp++;
      else if (pred) fp++;
      else if (truth) fn++;
    }
    return {
      flag,
      label,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp ? tp / (tp + fp) : 0,
      recall: tp + fn ? tp / (tp + fn) : 0,
      prevalence: labelled.length ? (tp + fn) / labelled.length : 0,
    };
  });
}
