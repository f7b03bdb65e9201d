import { describe, expect, it } from 'vitest';
import { Bioscan5mError } from '@bioscan5m/core';
import { parseDetectorArg, parseImageEncoderArg } from './args.js';

const usage = (f: () => unknown, option: string | undefined, message: RegExp) => {
  try {
    f();
  } catch (err) {
    expect(Bioscan5mError.isInstance(err)).toBe(true);
    expect(err).toMatchObject({ code: 'BIOSCAN5M_USAGE', option });
    expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a UsageError');
};

describe('argument parsers', () => {
  it('detector: builtin, weights .json or .onnx; anything else names --detector', () => {
    expect(parseDetectorArg(undefined)).toEqual({ kind: 'builtin' });
    expect(parseDetectorArg('builtin')).toEqual({ kind: 'builtin' });
    expect(parseDetectorArg('w/my.JSON')).toEqual({ kind: 'builtin', weightsFile: 'w/my.JSON' });
    expect(parseDetectorArg('detr.onnx')).toEqual({ kind: 'onnx', model: 'detr.onnx' });
    usage(() => parseDetectorArg('yolo.pt'), '--detector', /got 'yolo\.pt'/);
  });

  it('encoder: descriptor or .onnx with its options; ONNX-only options refused with the descriptor', () => {
    expect(parseImageEncoderArg(undefined)).toEqual({ kind: 'descriptor' });
    expect(parseImageEncoderArg('descriptor', { size: undefined, pooling: undefined })).toEqual({ kind: 'descriptor' });
    expect(
      parseImageEncoderArg('m/vit.onnx', {
        size: 224,
        pooling: 'mean',
        mean: [0.5, 0.5, 0.5],
        std: [0.2, 0.2, 0.2],
        normalize: false,
        threads: undefined,
      }),
    ).toEqual({
      kind: 'onnx',
      model: 'm/vit.onnx',
      size: 224,
      pooling: 'mean',
      mean: [0.5, 0.5, 0.5],
      std: [0.2, 0.2, 0.2],
      normalize: false,
    });
    usage(
      () => parseImageEncoderArg('descriptor', { size: 224, normalize: false }),
      undefined,
      /--size, --raw apply only to an ONNX --encoder, not to 'descriptor'/,
    );
    usage(() => parseImageEncoderArg('vit.pt'), '--encoder', /'descriptor' or the path of a \.onnx/);
    usage(() => parseImageEncoderArg('vit.onnx', { size: 8 }), '--size', /16\.\.4096, got 8/);
    usage(() => parseImageEncoderArg('vit.onnx', { pooling: 'max' as 'cls' }), '--pooling', /got 'max'/);
    usage(() => parseImageEncoderArg('vit.onnx', { mean: [0.5, 0.5] }), '--mean', /three numbers/);
    usage(() => parseImageEncoderArg('vit.onnx', { std: [0.2, 0, 0.2] }), '--std', /three positive numbers/);
  });
});
