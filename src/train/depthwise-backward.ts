import type { Size2, Tensor4 } from "../geometry/tensor.js";

/**
 * Depthwise stride-1 cross-correlation (torch conv2d with groups = C): each channel c has its own
 * kernel w[c, 0] (w is (C, 1, kh, kw)), zero padding `pad`:
 *   y[n, c, i, j] = b[c] + sum_{u,v} w[c, 0, u, v] x[n, c, i + u - ph, j + v - pw]
 * and its backward pass: dw[c, 0, u, v] = sum dy[n, c, i, j] x[n, c, i + u - ph, j + v - pw],
 * dx[n, c, i + u - ph, j + v - pw] += dy[n, c, i, j] w[c, 0, u, v], db[c] = sum dy[n, c].
 * Direct loops: a depthwise layer has no channel reduction to hand to GEMM.
 */
export function depthwiseForward(x: Tensor4, w: Tensor4, pad: Size2, bias?: Float64Array): Tensor4 {
  const [N, C, H, W] = x.shape;
  const [, , kh, kw] = w.shape;
  const oh = H + 2 * pad.h - kh + 1;
  const ow = W + 2 * pad.w - kw + 1;
  const y = new Float64Array(N * C * oh * ow);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xb = (n * C + c) * H * W;
      const yb = (n * C + c) * oh * ow;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          let s = bias ? bias[c]! : 0;
          for (let u = 0; u < kh; u++) {
            const yy = i + u - pad.h;
            if (yy < 0 || yy >= H) continue;
            for (let v = 0; v < kw; v++) {
              const xx = j + v - pad.w;
              if (xx < 0 || xx >= W) continue;
              s += w.data[(c * kh + u) * kw + v]! * x.data[xb + yy * W + xx]!;
            }
          }
          y[yb + i * ow + j] = s;
        }
      }
    }
  }
  return { shape: [N, C, oh, ow], data: y };
}

export function depthwiseBackward(
  x: Tensor4,
  w: Tensor4,
  pad: Size2,
  dy: Tensor4,
): { dx: Tensor4; dw: Tensor4; db: Float64Array } {
  const [N, C, H, W] = x.shape;
  const [, , kh, kw] = w.shape;
  const [, , oh, ow] = dy.shape;
  const dx = new Float64Array(x.data.length);
  const dw = new Float64Array(w.data.length);
  const db = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const xb = (n * C + c) * H * W;
      const yb = (n * C + c) * oh * ow;
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const g = dy.data[yb + i * ow + j]!;
          db[c]! += g;
          for (let u = 0; u < kh; u++) {
            const yy = i + u - pad.h;
            if (yy < 0 || yy >= H) continue;
            for (let v = 0; v < kw; v++) {
              const xx = j + v - pad.w;
              if (xx < 0 || xx >= W) continue;
              const wi = (c * kh + u) * kw + v;
              dw[wi]! += g * x.data[xb + yy * W + xx]!;
              dx[xb + yy * W + xx]! += g * w.data[wi]!;
            }
          }
        }
      }
    }
  }
  return { dx: { shape: x.shape, data: dx }, dw: { shape: w.shape, data: dw }, db };
}
