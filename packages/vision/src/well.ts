/**
 * Finding the plate well's rim: BIOSCAN photos look down into a round well whose wall shows as a strong dark /
 * chromatic ring near the image border. A coarse circular Hough transform over the strength map finds it, so
 * the detector can ignore the ring and everything outside it (the well wall and the neighbouring wells).
 */

export interface WellCircle {
  cx: number;
  cy: number;
  r: number;
  /** Share of the circle's in-image circumference with strong pixels on it (0..1). */
  support: number;
}

export interface WellSearch {
  /** Radius range as fractions of the image's shorter side. */
  minRadius: number;
  maxRadius: number;
  /** Largest centre offset from the image centre, as a fraction of the shorter side. */
  maxOffset: number;
  /** Strength at which a pixel votes. */
  edgeStrength: number;
  /** Minimum support to accept a circle. */
  minSupport: number;
}

export const DEFAULT_WELL_SEARCH: WellSearch = {
  minRadius: 0.5,
  maxRadius: 0.72,
  maxOffset: 0.14,
  edgeStrength: 20,
  minSupport: 0.4,
};

/** Finds the well rim on a strength map (working resolution), or null when no circle is convincing. */
export function findWell(
  strength: Float32Array,
  w: number,
  h: number,
  opts: Partial<WellSearch> = {},
): WellCircle | null {
  const o = { ...DEFAULT_WELL_SEARCH, ...opts };
  // Work on a 2x max-pooled map: the rim is thick enough, and votes cost 4x less.
  const f = 2;
  const pw = Math.floor(w / f);
  const ph = Math.floor(h / f);
  const side = Math.min(pw, ph);
  const rMin = Math.floor(o.minRadius * side);
  const rMax = Math.ceil(o.maxRadius * side);
  const off = Math.ceil(o.maxOffset * side);
  const step = 2;
  const ncx = Math.floor((2 * off) / step) + 1;
  const nr = rMax - rMin + 1;
  const acc = new Float32Array(ncx * ncx * nr);
  const mx = pw / 2;
  const my = ph / 2;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      let m = 0;
      for (let dy = 0; dy < f; dy++)
        for (let dx = 0; dx < f; dx++) m = Math.max(m, strength[(y * f + dy) * w + x * f + dx]);
      if (m < o.edgeStrength) continue;
      const d = Math.hypot(x - mx, y - my);
      if (d < rMin - off || d > rMax + off) continue;
      xs.push(x);
      ys.push(y);
    }
  }
  // At most ~2500 voters (an even subsample): the rim has thousands of pixels, the estimate needs far fewer.
  const stride = Math.max(1, Math.floor(xs.length / 2500));
  for (let k = 0; k < xs.length; k += stride) {
    const x = xs[k];
    const y = ys[k];
    for (let i = 0; i < ncx; i++) {
      const cy = my - off + i * step;
      const dy2 = (y - cy) ** 2;
      for (let j = 0; j < ncx; j++) {
        const cx = mx - off + j * step;
        const r = Math.round(Math.sqrt((x - cx) ** 2 + dy2));
        if (r >= rMin && r <= rMax) acc[(i * ncx + j) * nr + (r - rMin)]++;
      }
    }
  }
  let best = -1;
  let bestScore = 0;

  for (let i = 0; i < ncx; i++) {
    for (let j = 0; j < ncx; j++) {
      const cy = my - off + i * step;
      const cx = mx - off + j * step;
      for (let ri = 0; ri < nr; ri++) {
        // Normalise by the in-image arc length (sampled), so partly visible big circles are not penalised.
        const v =
          acc[(i * ncx + j) * nr + ri] +
          (ri > 0 ? acc[(i * ncx + j) * nr + ri - 1] : 0) +
          (ri + 1 < nr ? acc[(i * ncx + j) * nr + ri + 1] : 0);
        if (v > bestScore) {
          const arc = visibleArc(cx, cy, rMin + ri, pw, ph);
          if (arc <= 0) continue;
          bestScore = v;
          best = (i * ncx + j) * nr + ri;
        }
      }
    }
  }
  if (best < 0) return null;
  const ri = best % nr;
  const c = (best - ri) / nr;
  const j = c % ncx;
  const i = (c - j) / ncx;
  const cx = mx - off + j * step;
  const cy = my - off + i * step;
  const r = rMin + ri;
  const support = Math.min(1, (bestScore * stride) / 3 / Math.max(1, visibleArc(cx, cy, r, pw, ph)));
  if (support < o.minSupport) return null;
  return { cx: cx * f + f / 2, cy: cy * f + f / 2, r: r * f, support };
}

/** In-image length (pixels) of a circle's circumference. */
function visibleArc(cx: number, cy: number, r: number, w: number, h: number): number {
  const n = 180;
  let inside = 0;
  for (let k = 0; k < n; k++) {
    const t = (2 * Math.PI * k) / n;
    const x = cx + r * Math.cos(t);
    const y = cy + r * Math.sin(t);
    if (x >= 0 && y >= 0 && x < w && y < h) inside++;
  }
  return (inside / n) * 2 * Math.PI * r;
}
