/**
 * A dense 4-D float64 array in C (row-major) order. Conv weights use PyTorch's OIHW layout:
 * shape = [c_out, c_in, kh, kw], element (o, i, y, x) at ((o * c_in + i) * kh + y) * kw + x.
 */
export type Shape4 = readonly [number, number, number, number];

export interface Tensor4 {
  readonly shape: Shape4;
  readonly data: Float64Array;
}

/** A per-axis size (height, width). */
export interface Size2 {
  readonly h: number;
  readonly w: number;
}

export function size2(h: number, w: number = h): Size2 {
  return { h, w };
}

export function formatSize2(s: Size2): string {
  return s.h === s.w ? `${s.h}` : `${s.h}x${s.w}`;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function zeros4(shape: Shape4): Tensor4 {
  return { shape, data: new Float64Array(numel(shape)) };
}

export function tensor4(shape: Shape4, data: Float64Array): Tensor4 {
  if (data.length !== numel(shape)) {
    throw new RangeError(`tensor4: data has ${data.length} elements, shape [${shape.join(", ")}] needs ${numel(shape)}`);
  }
  return { shape, data };
}

/** Swap the first two axes: (a, b, h, w) -> (b, a, h, w). OIHW <-> IOHW. */
export function swapChannels(t: Tensor4): Tensor4 {
  const [a, b, h, w] = t.shape;
  const hw = h * w;
  const out = new Float64Array(t.data.length);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const src = (i * b + j) * hw;
      const dst = (j * a + i) * hw;
      for (let p = 0; p < hw; p++) out[dst + p] = t.data[src + p]!;
    }
  }
  return { shape: [b, a, h, w], data: out };
}

/** Sum of squares in float64 (kernel weights are far from over/underflow; no dnrm2 scaling). */
export function sumSquares(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

export function frobeniusNorm(x: Float64Array): number {
  return Math.sqrt(sumSquares(x));
}

export function diffNorm(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
