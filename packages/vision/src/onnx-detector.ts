/**
 * A detector backed by a DETR-style ONNX export (PyTorch / Hugging Face DETR, like the BIOSCAN crop tool's):
 * input `pixel_values` [1,3,H,W]; outputs `logits` [1,Q,C+1] (last class = "no object") and `pred_boxes`
 * [1,Q,4] as normalised (cx, cy, w, h).
 */
import { Bioscan5mError } from '@bioscan5m/core';
import {
  createSession,
  IMAGENET_MEAN,
  IMAGENET_STD,
  resizeRaw,
  staticInputSize,
  toNchw,
  type OnnxSession,
} from './onnx.js';
import { clipBox } from './geometry.js';
import type { Detection, Detector, RgbImage, ScoredBox } from './types.js';

export interface OnnxDetectorOptions {
  /** Model input size; default: the export's static size, else shorter side 800 (DETR's) capped at 1333. */
  inputWidth?: number;
  inputHeight?: number;
  mean?: readonly number[];
  std?: readonly number[];
  /** Output names; default: the outputs whose names contain "logits" and "box", else the first two. */
  logitsName?: string;
  boxesName?: string;
  /** Boxes scoring below this are dropped. */
  minScore?: number;
  maxBoxes?: number;
  threads?: number;
  /** Treat the last class as "no object" (DETR). */
  noObjectClass?: boolean;
}

function softmaxRow(v: Float32Array, off: number, n: number, out: Float64Array): void {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, v[off + i]);
  let s = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp(v[off + i] - m);
    s += out[i];
  }
  for (let i = 0; i < n; i++) out[i] /= s;
}

/** Decodes DETR outputs into scored boxes in image pixels, best first. */
export function decodeDetrOutputs(
  logits: Float32Array,
  boxes: Float32Array,
  queries: number,
  classes: number,
  imageWidth: number,
  imageHeight: number,
  opts: { minScore?: number; maxBoxes?: number; noObjectClass?: boolean } = {},
): ScoredBox[] {
  const probs = new Float64Array(classes);
  const real = opts.noObjectClass === false ? classes : classes - 1;
  const out: ScoredBox[] = [];
  for (let q = 0; q < queries; q++) {
    softmaxRow(logits, q * classes, classes, probs);
    let score = 0;
    for (let c = 0; c < real; c++) score = Math.max(score, probs[c]);
    if (score < (opts.minScore ?? 0.05)) continue;
    const [cx, cy, bw, bh] = [boxes[q * 4], boxes[q * 4 + 1], boxes[q * 4 + 2], boxes[q * 4 + 3]];
    const box = clipBox(
      {
        x: (cx - bw / 2) * imageWidth,
        y: (cy - bh / 2) * imageHeight,
        width: bw * imageWidth,
        height: bh * imageHeight,
        score,
      },
      imageWidth,
      imageHeight,
    );
    if (box.width > 0 && box.height > 0) out.push(box);
  }
  out.sort((a, b) => b.score - a.score);
  return out.slice(0, opts.maxBoxes ?? 10);
}

export class OnnxDetector implements Detector {
  readonly name: string;
  private constructor(
    private readonly onnx: OnnxSession,
    private readonly opts: Required<Pick<OnnxDetectorOptions, 'mean' | 'std'>> & OnnxDetectorOptions,
    private readonly inputName: string,
    private readonly logitsName: string,
    private readonly boxesName: string,
    modelPath: string,
  ) {
    this.name = `onnx:${modelPath}`;
  }

  static async load(modelPath: string, options: OnnxDetectorOptions = {}): Promise<OnnxDetector> {
    const onnx = await createSession(modelPath, options.threads);
    const { session } = onnx;
    const outs = session.outputNames;
    const logitsName = options.logitsName ?? outs.find((n) => /logit/i.test(n)) ?? outs[0];
    const boxesName = options.boxesName ?? outs.find((n) => /box/i.test(n)) ?? outs[1];
    if (
      !logitsName ||
      !boxesName ||
      logitsName === boxesName ||
      !outs.includes(logitsName) ||
      !outs.includes(boxesName)
    ) {
      await session.release();
      throw new Bioscan5mError(
        `${modelPath}: expected a DETR-style export with logits and boxes outputs, found outputs ${JSON.stringify(outs)}`,
      );
    }
    const inputName = session.inputNames[0];
    const fixed = staticInputSize(session, inputName);
    const opts = { mean: IMAGENET_MEAN, std: IMAGENET_STD, ...options };
    if (fixed) {
      opts.inputWidth ??= fixed.width;
      opts.inputHeight ??= fixed.height;
    }
    return new OnnxDetector(onnx, opts, inputName, logitsName, boxesName, modelPath);
  }

  private inputSize(image: RgbImage): { width: number; height: number } {
    if (this.opts.inputWidth && this.opts.inputHeight)
      return { width: this.opts.inputWidth, height: this.opts.inputHeight };
    const short = Math.min(image.width, image.height);
    let scale = 800 / short;
    if (Math.max(image.width, image.height) * scale > 1333) scale = 1333 / Math.max(image.width, image.height);
    return { width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
  }

  async detect(image: RgbImage): Promise<Detection> {
    const size = this.inputSize(image);
    const resized = await resizeRaw(image, size.width, size.height, 'fill');
    const feeds = { [this.inputName]: toNchw(this.onnx.ort, resized, this.opts.mean, this.opts.std) };
    const res = await this.onnx.session.run(feeds);
    const logits = res[this.logitsName];
    const boxes = res[this.boxesName];
    const [, queries, classes] = logits.dims as number[];
    if (logits.dims.length !== 3 || boxes.dims.length !== 3 || boxes.dims[2] !== 4 || boxes.dims[1] !== queries) {
      throw new Bioscan5mError(
        `${this.name}: unexpected output shapes logits ${JSON.stringify(logits.dims)}, boxes ${JSON.stringify(boxes.dims)}`,
      );
    }
    return {
      boxes: decodeDetrOutputs(
        logits.data as Float32Array,
        boxes.data as Float32Array,
        queries,
        classes,
        image.width,
        image.height,
        this.opts,
      ),
    };
  }

  private released = false;

  async dispose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.onnx.session.release();
  }
}
