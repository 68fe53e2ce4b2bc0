/**
 * Slow, obvious reference implementations (the specification the fast code is tested against).
 * Every loop here is written straight from the definition in DESIGN.md, with no shared code from src/.
 * Layouts: 4-D arrays are C order, (a, b, h, w) element at ((i * b + j) * h + y) * w + x.
 */
export type Dims4 = readonly [number, number, number, number];

export interface Arr4 {
  readonly shape: Dims4;
  readonly data: Float64Array;
}

export function at4(t: Arr4, a: number, b: number, y: number, x: number): number {
  const [, B, H, W] = t.shape;
  return t.data[((a * B + b) * H + y) * W + x]!;
}

/**
 * The composed kernel by a quadruple loop over taps:
 * C[o, i, y, x] = sum_m sum_{u, v} f2[o, m, y - u, x - v] f1[m, i, u, v] (full 2-D convolution, no flip).
 */
export function bruteCompose(f1: Arr4, f2: Arr4): Arr4 {
  const [m, cIn, k1h, k1w] = f1.shape;
  const [cOut, , k2h, k2w] = f2.shape;
  const eh = k1h + k2h - 1;
  const ew = k1w + k2w - 1;
  const out = new Float64Array(cOut * cIn * eh * ew);
  for (let o = 0; o < cOut; o++) {
    for (let i = 0; i < cIn; i++) {
      for (let y = 0; y < eh; y++) {
        for (let x = 0; x < ew; x++) {
          let s = 0;
          for (let p = 0; p < m; p++) {
            for (let uh = 0; uh < k1h; uh++) {
              for (let uw = 0; uw < k1w; uw++) {
                const vh = y - uh;
                const vw = x - uw;
                if (vh < 0 || vh >= k2h || vw < 0 || vw >= k2w) continue;
                s += at4(f2, o, p, vh, vw) * at4(f1, p, i, uh, uw);
              }
            }
          }
          out[((o * cIn + i) * eh + y) * ew + x] = s;
        }
      }
    }
  }
  return { shape: [cOut, cIn, eh, ew], data: out };
}

/**
 * Direct strided cross-correlation with zero padding (torch.nn.functional.conv2d):
 * y[n, o, r, c] = b[o] + sum_{ch, u, v} w[o, ch, u, v] x[n, ch, r*sh + u - ph, c*sw + v - pw].
 */
export function bruteConv2d(
  x: Arr4,
  w: Arr4,
  pad: { h: number; w: number },
  stride: { h: number; w: number } = { h: 1, w: 1 },
  bias?: Float64Array,
): Arr4 {
  const [N, C, H, Wd] = x.shape;
  const [O, , fh, fw] = w.shape;
  const oh = Math.floor((H + 2 * pad.h - fh) / stride.h) + 1;
  const ow = Math.floor((Wd + 2 * pad.w - fw) / stride.w) + 1;
  const out = new Float64Array(N * O * oh * ow);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let r = 0; r < oh; r++) {
        for (let c = 0; c < ow; c++) {
          let s = bias ? bias[o]! : 0;
          for (let ch = 0; ch < C; ch++) {
            for (let u = 0; u < fh; u++) {
              const iy = r * stride.h + u - pad.h;
              if (iy < 0 || iy >= H) continue;
              for (let v = 0; v < fw; v++) {
                const ix = c * stride.w + v - pad.w;
                if (ix < 0 || ix >= Wd) continue;
                s += at4(w, o, ch, u, v) * at4(x, n, ch, iy, ix);
              }
            }
          }
          out[((n * O + o) * oh + r) * ow + c] = s;
        }
      }
    }
  }
  return { shape: [N, O, oh, ow], data: out };
}

/** Zero padding of the last two axes, element by element. */
export function brutePad(t: Arr4, ph: number, pw: number): Arr4 {
  const [a, b, h, w] = t.shape;
  const H = h + 2 * ph;
  const W = w + 2 * pw;
  const out = new Float64Array(a * b * H * W);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < b; j++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((i * b + j) * H + y + ph) * W + x + pw] = at4(t, i, j, y, x);
  return { shape: [a, b, H, W], data: out };
}

/** (r x k) @ (k x c), row-major, triple loop. */
export function matmul(a: Float64Array, b: Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[i * k + q]! * b[q * c + j]!;
      out[i * c + j] = s;
    }
  return out;
}

/** A^T A and A^T B for A (r x n), B (r x J), row-major. */
export function gramOf(A: Float64Array, r: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < r; q++) s += A[q * n + i]! * A[q * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

export function crossOf(A: Float64Array, B: Float64Array, r: number, n: number, J: number): Float64Array {
  const out = new Float64Array(n * J);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < J; j++) {
      let s = 0;
      for (let q = 0; q < r; q++) s += A[q * n + i]! * B[q * J + j]!;
      out[i * J + j] = s;
    }
  return out;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

export function maxAbs(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}

export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]! - b[i]!));
  return s;
}

/** ||a - b|| / ||b|| (||a - b|| when b is 0). */
export function relDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new RangeError(`relDiff: lengths ${a.length} and ${b.length}`);
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  const nb = norm(b);
  return Math.sqrt(d) / (nb > 0 ? nb : 1);
}

/** ||compose(f1, f2) - T|| / ||T|| through the brute-force composition. */
export function bruteResidualRel(f1: Arr4, f2: Arr4, T: Arr4): number {
  return relDiff(bruteCompose(f1, f2).data, T.data);
}
