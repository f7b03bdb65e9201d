/**
 * Typed-array image operations for the built-in detector: box blur, binary dilation/erosion, hysteresis and
 * connected components. Hand-written because the npm options either decode images themselves (jimp, image-js)
 * or work on canvases; here the detector needs a handful of O(pixels) passes over raw buffers, with no copies.
 */

/** Separable box blur with edge-normalised windows (radius r: window 2r+1). */
export function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let sum = 0;
    let lo = 0;
    let hi = -1;
    for (let x = 0; x < w; x++) {
      const want = Math.min(w - 1, x + r);
      while (hi < want) sum += src[row + ++hi];
      const from = Math.max(0, x - r);
      while (lo < from) sum -= src[row + lo++];
      tmp[row + x] = sum / (hi - lo + 1);
    }
  }
  for (let x = 0; x < w; x++) {
    let sum = 0;
    let lo = 0;
    let hi = -1;
    for (let y = 0; y < h; y++) {
      const want = Math.min(h - 1, y + r);
      while (hi < want) sum += tmp[++hi * w + x];
      const from = Math.max(0, y - r);
      while (lo < from) sum -= tmp[lo++ * w + x];
      out[y * w + x] = sum / (hi - lo + 1);
    }
  }
  return out;
}

/** Blur of `values` where only pixels with weight > 0 count (normalised convolution). */
export function maskedBlur(
  values: Float32Array,
  weights: Float32Array,
  w: number,
  h: number,
  r: number,
  fallback: number,
): Float32Array {
  const vw = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) vw[i] = values[i] * weights[i];
  const num = boxBlur(vw, w, h, r);
  const den = boxBlur(weights, w, h, r);
  for (let i = 0; i < num.length; i++) num[i] = den[i] > 1e-3 ? num[i] / den[i] : fallback;
  return num;
}

/** Binary dilation with a (2r+1)^2 square (separable running counts). */
export function dilate(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return mask.slice();
  return squareFilter(mask, w, h, r, true);
}

/** Binary erosion with a (2r+1)^2 square; outside the image counts as set (so borders do not erode). */
export function erode(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return mask.slice();
  return squareFilter(mask, w, h, r, false);
}

function squareFilter(mask: Uint8Array, w: number, h: number, r: number, isDilate: boolean): Uint8Array {
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  const pass = (src: Uint8Array, dst: Uint8Array, len: number, count: number, stride: number, step: number) => {
    for (let line = 0; line < count; line++) {
      const base = line * stride;
      let ones = 0;
      let lo = 0;
      let hi = -1;
      for (let i = 0; i < len; i++) {
        const want = Math.min(len - 1, i + r);
        while (hi < want) ones += src[base + ++hi * step];
        const from = Math.max(0, i - r);
        while (lo < from) ones -= src[base + lo++ * step];
        const span = hi - lo + 1;
        dst[base + i * step] = isDilate ? (ones > 0 ? 1 : 0) : ones === span ? 1 : 0;
      }
    }
  };
  pass(mask, tmp, w, h, w, 1);
  pass(tmp, out, h, w, 1, w);
  return out;
}

/** Morphological closing (dilate then erode): bridges gaps up to ~2r pixels. */
export function close(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return erode(dilate(mask, w, h, r), w, h, r);
}

/** Morphological opening (erode then dilate): removes specks thinner than ~2r+1 pixels. */
export function open(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  return dilate(erode(mask, w, h, r), w, h, r);
}

/** Pixels with value >= low that are 8-connected to a pixel with value >= high (Canny-style hysteresis). */
export function hysteresis(values: Float32Array, w: number, h: number, low: number, high: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  let sp = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] >= high && !out[i]) {
      out[i] = 1;
      stack[sp++] = i;
      while (sp > 0) {
        const p = stack[--sp];
        const px = p % w;
        const py = (p - px) / w;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = py + dy;
          if (yy < 0 || yy >= h) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = px + dx;
            if (xx < 0 || xx >= w) continue;
            const q = yy * w + xx;
            if (!out[q] && values[q] >= low) {
              out[q] = 1;
              stack[sp++] = q;
            }
          }
        }
      }
    }
  }
  return out;
}

/** Statistics of one connected component. */
export interface Component {
  label: number;
  area: number;
  /** Sum of the strength map over the component. */
  mass: number;
  maxValue: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Centroid. */
  cx: number;
  cy: number;
}

/** 8-connected components of a binary mask with per-component stats over `values`. Labels start at 1. */
export function connectedComponents(
  mask: Uint8Array,
  w: number,
  h: number,
  values?: Float32Array,
): { labels: Int32Array; components: Component[] } {
  const labels = new Int32Array(w * h);
  const stack = new Int32Array(w * h);
  const components: Component[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    const c: Component = { label, area: 0, mass: 0, maxValue: 0, minX: w, minY: h, maxX: -1, maxY: -1, cx: 0, cy: 0 };
    let sp = 0;
    stack[sp++] = start;
    labels[start] = label;
    let sx = 0;
    let sy = 0;
    while (sp > 0) {
      const p = stack[--sp];
      const px = p % w;
      const py = (p - px) / w;
      c.area++;
      sx += px;
      sy += py;
      const v = values ? values[p] : 1;
      c.mass += v;
      if (v > c.maxValue) c.maxValue = v;
      if (px < c.minX) c.minX = px;
      if (px > c.maxX) c.maxX = px;
      if (py < c.minY) c.minY = py;
      if (py > c.maxY) c.maxY = py;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = py + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = px + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (mask[q] && !labels[q]) {
            labels[q] = label;
            stack[sp++] = q;
          }
        }
      }
    }
    c.cx = sx / c.area;
    c.cy = sy / c.area;
    components.push(c);
  }
  return { labels, components };
}

/**
 * Chamfer (3-4) distance from each set pixel to the nearest unset pixel or the image edge, in pixel units.
 * Thick blobs (insect bodies) have deep interiors; rim arcs, hairs and sticks do not.
 */
export function distanceTransform(mask: Uint8Array, w: number, h: number): Float32Array {
  const INF = 1e9;
  const d = new Float32Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? INF : 0;
  // Forward pass (left, up-left, up, up-right); pixels beyond the edge count as background (distance 0).
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (d[i] === 0) continue;
      let v = d[i];
      const left = x > 0 ? d[i - 1] : 0;
      if (left + 3 < v) v = left + 3;
      if (y > 0) {
        const up = d[i - w];
        if (up + 3 < v) v = up + 3;
        const ul = x > 0 ? d[i - w - 1] : 0;
        if (ul + 4 < v) v = ul + 4;
        const ur = x < w - 1 ? d[i - w + 1] : 0;
        if (ur + 4 < v) v = ur + 4;
      } else if (3 < v) v = 3;
      if (x === 0 || x === w - 1) v = Math.min(v, 3);
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    const row = y * w;
    for (let x = w - 1; x >= 0; x--) {
      const i = row + x;
      if (d[i] === 0) continue;
      let v = d[i];
      const right = x < w - 1 ? d[i + 1] : 0;
      if (right + 3 < v) v = right + 3;
      if (y < h - 1) {
        const dn = d[i + w];
        if (dn + 3 < v) v = dn + 3;
        const dr = x < w - 1 ? d[i + w + 1] : 0;
        if (dr + 4 < v) v = dr + 4;
        const dl = x > 0 ? d[i + w - 1] : 0;
        if (dl + 4 < v) v = dl + 4;
      } else if (3 < v) v = 3;
      d[i] = v;
    }
  }
  for (let i = 0; i < d.length; i++) d[i] /= 3;
  return d;
}
