// AssemblyScript source of the Ward nearest-neighbour scan (compiled by scripts/build-wasm.mjs into
// src/ward-kernel-wasm.ts). Same algorithm and tie rules as nearestSlotJs in src/ward.ts, with f64x2 SIMD for
// the early-abandon screening; a candidate that survives screening gets the exact left-to-right sum, so heights
// and comparisons are bit-identical to the JavaScript kernel.

let bestOut: f64 = 0;

export function lastBest(): f64 {
  return bestOut;
}

/** Nearest cluster to slot sx among slots [from, to). */
export function nearest(
  cent: usize,
  size: usize,
  invSize: usize,
  ids: usize,
  from: i32,
  to: i32,
  d: i32,
  sx: i32,
  best: f64,
  y0: i32,
  prev: i32,
): i32 {
  const nx = load<f64>(size + ((<usize>sx) << 3));
  const halfInvNx = 0.5 / nx;
  const rowBytes = (<usize>d) << 3;
  const ox = cent + <usize>sx * rowBytes;
  const d8 = d & ~7;
  for (let s = from; s < to; s++) {
    if (s == sx) continue;
    // Partial sums above best / w cannot win (1/w = (1/nx + 1/ns) / 2); generous margin for SIMD rounding.
    const limit = best * (halfInvNx + 0.5 * load<f64>(invSize + ((<usize>s) << 3))) * (1 + 1e-9);
    const os = cent + <usize>s * rowBytes;
    let acc: f64 = 0;
    let k = 0;
    let abandoned = false;
    for (; k < d8; k += 8) {
      const o = (<usize>k) << 3;
      let v = f64x2.sub(v128.load(ox + o), v128.load(os + o));
      let a2 = f64x2.mul(v, v);
      v = f64x2.sub(v128.load(ox + o, 16), v128.load(os + o, 16));
      a2 = f64x2.add(a2, f64x2.mul(v, v));
      v = f64x2.sub(v128.load(ox + o, 32), v128.load(os + o, 32));
      a2 = f64x2.add(a2, f64x2.mul(v, v));
      v = f64x2.sub(v128.load(ox + o, 48), v128.load(os + o, 48));
      a2 = f64x2.add(a2, f64x2.mul(v, v));
      acc += f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
      if (acc > limit) {
        abandoned = true;
        break;
      }
    }
    if (abandoned) continue;
    for (; k < d; k++) {
      const a = load<f64>(ox + ((<usize>k) << 3)) - load<f64>(os + ((<usize>k) << 3));
      acc += a * a;
    }
    if (acc > limit) continue;
    // Survivor: the exact sequential sum, as the JavaScript kernel computes it.
    let exact: f64 = 0;
    for (let j = 0; j < d; j++) {
      const a = load<f64>(ox + ((<usize>j) << 3)) - load<f64>(os + ((<usize>j) << 3));
      exact += a * a;
    }
    const ns = load<f64>(size + ((<usize>s) << 3));
    const dist = ((2 * nx * ns) / (nx + ns)) * exact;
    const id = load<i32>(ids + ((<usize>s) << 2));
    if (dist < best || (dist == best && y0 != prev && id < y0)) {
      best = dist;
      y0 = id;
    }
  }
  bestOut = best;
  return y0;
}
