/**
 * Reverse-mode differentiation for ONNX graphs. Each differentiable op emits its forward nodes now and records
 * a vector-Jacobian product that emits its backward nodes later; `backward(loss)` replays the record in reverse.
 * Hand-written because no JS library builds ONNX gradient graphs (onnxruntime's training builds, which do, are
 * not published for Node), and the model needs only a dozen ops.
 */
import type { OnnxProto } from '../engines.js';
import { LayerGraph } from '../onnx/layer-graph.js';

/** Given the output's gradient and which inputs need one, the inputs' gradients (undefined where not needed). */
export type Vjp = (dy: string, need: boolean[]) => (string | undefined)[];

export class AdGraph extends LayerGraph {
  private readonly requires = new Set<string>();
  private readonly contributions = new Map<string, string[]>();
  private readonly summed = new Map<string, string>();
  private readonly tape: (() => void)[] = [];

  constructor(onnx: OnnxProto) {
    super(onnx);
  }

  /** Marks a graph input as a parameter to differentiate with respect to. */
  trainable(name: string): string {
    this.requires.add(name);
    return name;
  }

  /** Whether `x` is the constant 1 (the loss's seed gradient), so a VJP can skip multiplying by it. */
  isOne(x: string): boolean {
    return this.constants.get('f1') === x;
  }

  /** Records `out = op(inputs)` for the backward pass; a no-op when no input depends on a parameter. */
  record(inputs: string[], out: string, vjp: Vjp): string {
    const need = inputs.map((x) => this.requires.has(x));
    if (!need.some(Boolean)) return out;
    this.requires.add(out);
    this.tape.push(() => {
      const dy = this.gradOf(out);
      if (!dy) return;
      const gs = vjp(dy, need);
      inputs.forEach((x, i) => {
        const g = gs[i];
        if (!need[i] || !g) return;
        const list = this.contributions.get(x);
        if (list) list.push(g);
        else this.contributions.set(x, [g]);
      });
    });
    return out;
  }

  /** The gradient of `x` (its contributions summed), once every consumer of x has been replayed. */
  gradOf(x: string): string | undefined {
    const done = this.summed.get(x);
    if (done) return done;
    const list = this.contributions.get(x);
    if (!list) return undefined;
    const g = list.length === 1 ? list[0] : this.node('Sum', list);
    this.summed.set(x, g);
    return g;
  }

  /** Emits the backward pass of scalar `loss`; returns the gradient of each of `params`. */
  backward(loss: string, params: string[]): Map<string, string> {
    this.contributions.set(loss, [this.f(1)]);
    for (let i = this.tape.length - 1; i >= 0; i--) this.tape[i]();
    const out = new Map<string, string>();
    for (const p of params) {
      const g = this.gradOf(p);
      if (!g) throw new Error(`parameter ${p} does not reach the loss`);
      out.set(p, g);
    }
    return out;
  }

  // Differentiable primitives ------------------------------------------------------------------------------

  override add(a: string, b: string): string {
    return this.record([a, b], super.add(a, b), (dy) => [dy, dy]);
  }

  /** x [N, in] · w [in, out] + b [out], as Gemm; backward as two Gemms with transpose flags and a column sum. */
  override dense(x: string, w: string, b: string): string {
    return this.record([x, w, b], super.dense(x, w, b), (dy, need) => [
      need[0] ? this.node('Gemm', [dy, w], { transB: 1 }) : undefined,
      need[1] ? this.node('Gemm', [x, dy], { transA: 1 }) : undefined,
      need[2] ? this.colSum(dy) : undefined,
    ]);
  }

  colSum(x: string): string {
    return this.node('ReduceSum', [x, this.ints([0])], { keepdims: 0 });
  }

  /** LayerNormalization over the last axis; backward from its saved mean and inverse deviation. */
  override layerNorm(x: string, gamma: string, beta: string, eps: number): string {
    const [y, mean, inv] = this.layerNormWithStats(x, gamma, beta, eps);
    return this.record([x, gamma, beta], y, (dy, need) => {
      const xhat = this.node('Mul', [this.node('Sub', [x, mean]), inv]);
      let dx: string | undefined;
      if (need[0]) {
        const dh = this.node('Mul', [dy, gamma]);
        // ReduceMean takes its axes as an attribute up to opset 17 (ReduceSum as an input since 13).
        const m1 = this.node('ReduceMean', [dh], { axes: [-1], keepdims: 1 });
        const m2 = this.node('ReduceMean', [this.node('Mul', [dh, xhat])], { axes: [-1], keepdims: 1 });
        dx = this.node('Mul', [inv, this.node('Sub', [this.node('Sub', [dh, m1]), this.node('Mul', [xhat, m2])])]);
      }
      return [
        dx,
        need[1] ? this.colSum(this.node('Mul', [dy, xhat])) : undefined,
        need[2] ? this.colSum(dy) : undefined,
      ];
    });
  }

  /** Exact GELU x·Φ(x); backward Φ(x) + x·φ(x). */
  override gelu(x: string): string {
    const cdf = this.normalCdf(x);
    return this.record([x], this.node('Mul', [x, cdf]), (dy) => {
      const pdf = this.node('Mul', [
        this.node('Exp', [this.node('Mul', [this.node('Mul', [x, x]), this.f(-0.5)])]),
        this.f(1 / Math.sqrt(2 * Math.PI)),
      ]);
      return [this.node('Mul', [dy, this.node('Add', [cdf, this.node('Mul', [x, pdf])])])];
    });
  }

  /** Rows `rows` (int64 [M]) of `table` [V, D]; backward is a scatter-add into zeros shaped like the table. */
  gatherRows(table: string, rows: string): string {
    return this.record([table, rows], this.node('Gather', [table, rows], { axis: 0 }), (dy) => [
      this.node(
        'ScatterND',
        [
          this.node('ConstantOfShape', [this.node('Shape', [table])]),
          this.node('Unsqueeze', [rows, this.ints([1])]),
          dy,
        ],
        { reduction: 'add' },
      ),
    ]);
  }
}
