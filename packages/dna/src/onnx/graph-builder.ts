/** A small ONNX graph writer over onnx-proto: nodes, initializers and fresh value names. */
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { OnnxProto } from '../engines.js';

export class GraphBuilder {
  constructor(private readonly onnx: OnnxProto) {}
  nodes: OnnxTypes.INodeProto[] = [];
  inits: OnnxTypes.ITensorProto[] = [];
  private n = 0;
  /** Constants by value, so each is one initializer however often it is used. */
  protected readonly constants = new Map<string, string>();
  fresh(prefix: string): string {
    return `${prefix}_${this.n++}`;
  }
  node(op: string, inputs: string[], attrs: Record<string, number | number[] | string> = {}, outName?: string): string {
    return this.nodeN(op, inputs, 1, attrs, outName ? [outName] : undefined)[0];
  }
  /** A node with `outputs` outputs (LayerNormalization's mean and inverse deviation, Split). */
  nodeN(
    op: string,
    inputs: string[],
    outputs: number,
    attrs: Record<string, number | number[] | string> = {},
    outNames?: string[],
  ): string[] {
    const onnx = this.onnx;
    const outs = outNames ?? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    const attribute = Object.entries(attrs).map(([name, v]) =>
      typeof v === 'string'
        ? { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) }
        : Array.isArray(v)
          ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v }
          : Number.isInteger(v) && name !== 'epsilon'
            ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v }
            : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v },
    );
    this.nodes.push({ opType: op, input: inputs, output: outs, name: outs[0], attribute });
    return outs;
  }
  floatInit(name: string, data: Float32Array, dims: number[]): string {
    this.inits.push({
      name,
      dataType: this.onnx.TensorProto.DataType.FLOAT,
      dims,
      rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    });
    return name;
  }
  intInit(name: string, values: number[]): string {
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.inits.push({
      name,
      dataType: this.onnx.TensorProto.DataType.INT64,
      dims: [values.length],
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }
  /** A float scalar constant (shared by value). */
  f(v: number): string {
    const key = `f${v}`;
    let name = this.constants.get(key);
    if (!name) this.constants.set(key, (name = this.scalar(this.fresh('c'), v)));
    return name;
  }
  /** An int64 1-D constant (shared by value). */
  ints(values: number[]): string {
    const key = `i${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) this.constants.set(key, (name = this.intInit(this.fresh('ci'), values)));
    return name;
  }
  scalar(name: string, v: number): string {
    this.inits.push({
      name,
      dataType: this.onnx.TensorProto.DataType.FLOAT,
      dims: [],
      rawData: new Uint8Array(new Float32Array([v]).buffer),
    });
    return name;
  }
}
