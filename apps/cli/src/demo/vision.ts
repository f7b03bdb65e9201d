/**
 * Demo stage `vision`: detect and crop the specimen in each embedded photo, measure it, flag photo quality, and
 * score boxes (COCO AP/AR) and flags (precision/recall) against the photos' labels. Writes small thumbnails
 * for the report's gallery.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readTable } from '@bioscan5m/core';
import { embedded } from '../data.js';
import type { DemoStage } from '../commands/demo-stage.js';
import type { VisionImage, VisionResult } from '../report/results.js';

const THUMB_SHORT_SIDE = 150;

export const visionStage: DemoStage = {
  name: 'vision',
  title: 'specimen detection, crops, size and quality flags of the sample photos, scored against their labels',
  seconds: { quick: 25, full: 25 },
  async run(ctx): Promise<VisionResult> {
    const v = await import('@bioscan5m/vision');
    const sharp = (await import('sharp')).default;
    const out = path.join(ctx.outDir, 'vision');
    const s = await v.runCropJob({ imagesDir: embedded.images, outDir: out });
    ctx.log(`cropped ${s.withSpecimen} of ${s.total} embedded photos (${s.noSpecimen} without a specimen) -> ${out}`);
    const boxes = await readTable(path.join(out, 'boxes.csv'));
    const man = await readTable(path.join(embedded.images, 'manifest.csv'));
    const label = new Map(
      man.rows.map((r) => [r[man.header.indexOf('file_name')], r[man.header.indexOf('quality_label')]]),
    );
    const detector = new v.BuiltinDetector();
    const truth = await v.readCocoTruth(embedded.imagesCoco);
    const thumbs = path.join(out, 'thumbs');
    mkdirSync(thumbs, { recursive: true });
    const images: VisionImage[] = [];
    const reports = [];
    const items = [];
    ctx.log(
      `${'file'.padEnd(26)}${'box x,y,w,h'.padEnd(22)}${'score'.padEnd(7)}${'size mm²'.padEnd(10)}${'flags'.padEnd(24)}label`,
    );
    for (const [n, r] of boxes.rows.entries()) {
      const photo = await v.decodeImage(path.join(embedded.images, r[0]));
      const q = v.assessQuality(photo, detector.params);
      const flags = [q.noSpecimen && 'no-specimen', q.blurred && 'blurred', q.fragmented && 'fragmented'].filter(
        (f): f is string => Boolean(f),
      );
      const box = r[1] ? { x: +r[1], y: +r[2], width: +r[3], height: +r[4] } : null;
      const sizeMm2 = r[8] ? v.pixelCountToMm2(Number(r[8])) : null;
      const t = truth.get(r[0]);
      const thumb = path.join('vision', 'thumbs', r[0]);
      // A small copy for the report's gallery (sharp, the image library vision itself uses).
      writeFileSync(
        path.join(ctx.outDir, thumb),
        await sharp(path.join(embedded.images, r[0]))
          .resize({ height: THUMB_SHORT_SIDE })
          .jpeg({ quality: 80 })
          .toBuffer(),
      );
      images.push({
        file: r[0],
        width: photo.width,
        height: photo.height,
        box,
        score: r[5] ? Number(r[5]) : null,
        truth: t?.boxes.map((b) => ({ x: b.x, y: b.y, width: b.width, height: b.height })) ?? [],
        flags,
        label: label.get(r[0]) ?? '',
        sizeMm2,
        thumb,
        crop: box ? path.join('vision', 'cropped_256', r[0]) : null,
      });
      reports.push({ label: label.get(r[0]) ?? '', report: q });
      if (t) items.push({ truth: t.boxes, detections: box ? [{ ...box, score: Number(r[5]) }] : [] });
      const boxText = box ? `${box.x},${box.y},${box.width},${box.height}` : '(none)';
      ctx.log(
        `${r[0].padEnd(26)}${boxText.padEnd(22)}${(r[5] || '').padEnd(7)}${(sizeMm2?.toFixed(1) ?? '').padEnd(10)}${(flags.join(',') || '-').padEnd(24)}${label.get(r[0]) ?? ''}`,
      );
      ctx.onProgress?.(n + 1, boxes.rows.length);
    }
    const m = v.evaluateBoxes(items, 1);
    ctx.log(
      `best box vs the embedded COCO boxes: AP@0.75 ${m.ap75.toFixed(3)}, AR@[.5:.95] ${m.ar.toFixed(3)} (${m.images} images)`,
    );
    const quality = v.scoreQualityFlags(reports).map((f) => ({
      flag: f.flag,
      precision: f.precision,
      recall: f.recall,
      support: f.truePositives + f.falseNegatives,
    }));
    for (const f of quality)
      ctx.log(
        `flag ${f.flag}: precision ${f.precision?.toFixed(2)}, recall ${f.recall?.toFixed(2)} (${f.support} labelled photos)`,
      );
    return { images, ap75: m.ap75, ar: m.ar, quality };
  },
};
