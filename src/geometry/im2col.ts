import type { Shape4, Size2 } from "./tensor.js";

/**
 * im2col for 2-D cross-correlation with zero padding `pad` and stride `stride`:
 *   images x (N, C, H, W)  ->  matrix (N * oh * ow, C * fh * fw), row-major,
 *   row (n, y, x), column (c, u, v), value x[n, c, y*sh + u - ph, x*sw + v - pw] (0 outside),
 *   oh = floor((H + 2 ph - fh) / sh) + 1, likewise ow.
 * Then conv2d(x, w)[n, o, y, x] = (im2col(x) @ w.reshape(O, C*fh*fw)^T)[(n, y, x), o].
 */
export interface Im2colGeometry {
  readonly input: Shape4;
  readonly window: Size2;
  readonly pad: Size2;
  readonly stride: Size2;
}

export function outputSize(g: Im2colGeometry): Size2 {
  const [, , H, W] = g.input;
  return {
    h: Math.floor((H + 2 * g.pad.h - g.window.h) / g.stride.h) + 1,
    w: Math.floor((W + 2 * g.pad.w - g.window.w) / g.stride.w) + 1,
  };
}

/** (rows, cols) of the im2col matrix. */
export function im2colShape(g: Im2colGeometry): [number, number] {
  const [N, C] = g.input;
  const o = outputSize(g);
  return [N * o.h * o.w, C * g.window.h * g.window.w];
}

function normalise(input: Shape4, window: Size2, pad?: Size2, stride?: Size2): Im2colGeometry {
  return { input, window, pad: pad ?? { h: 0, w: 0 }, stride: stride ?? { h: 1, w: 1 } };
}

/**
 * Visits every (row, col, source index) triple where the source lies inside the image.
 * Shared by im2col and its adjoint so the two agree by construction of the index map only;
 * the tests check the adjoint identity independently.
 */
function forEachTap(g: Im2colGeometry, visit: (dst: number, src: number) => void): void {
  const [N, C, H, W] = g.input;
  const o = outputSize(g);
  const { h: fh, w: fw } = g.window;
  const cols = C * fh * fw;
  for (let n = 0; n < N; n++) {
    for (let y = 0; y < o.h; y++) {
      for (let x = 0; x < o.w; x++) {
        const row = ((n * o.h + y) * o.w + x) * cols;
        for (let c = 0; c < C; c++) {
          const base = (n * C + c) * H;
          for (let u = 0; u < fh; u++) {
            const iy = y * g.stride.h + u - g.pad.h;
            if (iy < 0 || iy >= H) continue;
            for (let v = 0; v < fw; v++) {
              const ix = x * g.stride.w + v - g.pad.w;
              if (ix < 0 || ix >= W) continue;
              visit(row + (c * fh + u) * fw + v, (base + iy) * W + ix);
            }
          }
        }
      }
    }
  }
}

export function im2col(x: Float64Array, input: Shape4, window: Size2, pad?: Size2, stride?: Size2): Float64Array {
  const g = normalise(input, window, pad, stride);
  const [r, c] = im2colShape(g);
  const out = new Float64Array(r * c);
  forEachTap(g, (dst, src) => {
    out[dst] = x[src]!;
  });
  return out;
}

/** The adjoint of im2col: scatter-add each column entry back to its image position. */
export function col2im(col: Float64Array, input: Shape4, window: Size2, pad?: Size2, stride?: Size2): Float64Array {
  const g = normalise(input, window, pad, stride);
  const out = new Float64Array(input[0] * input[1] * input[2] * input[3]);
  forEachTap(g, (dst, src) => {
    out[src]! += col[dst]!;
  });
  return out;
}

/** How many im2col entries read each image position: col2im of a matrix of ones. */
export function overlapCounts(input: Shape4, window: Size2, pad?: Size2, stride?: Size2): Float64Array {
  const g = normalise(input, window, pad, stride);
  const out = new Float64Array(input[0] * input[1] * input[2] * input[3]);
  forEachTap(g, (_dst, src) => {
    out[src]! += 1;
  });
  return out;
}
