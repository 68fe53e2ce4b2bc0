import { compose } from "../geometry/compose.js";
import { conv2d } from "../geometry/conv2d.js";
import { composedPadding, type LayoutName, type StackLayout } from "../geometry/layout.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { Rng } from "../random.js";

/**
 * The functional check (DESIGN.md): a random input x through conv(x, W, p, s) and through the
 * stack conv(conv(x, f1, p1), f2, p2, s) of the chosen layout, compared position by position.
 * Border = output positions whose composed (ke) window reaches into the input's zero padding, the
 * only positions where the two layouts can differ; interior = the rest. Also measured: the stack
 * against one conv with the composed kernel, conv(x, compose(f1, f2), P, s). For the exact layout
 * that is rounding at every position (zero padding commutes with valid convolutions), so the whole
 * error is the kernel residual's effect; for the same layout its border part is the border effect.
 */
export interface FunctionalCheck {
  readonly layout: LayoutName;
  /** Input is (1, c_in, h, w). */
  readonly inputSize: Size2;
  readonly parentPadding: Size2;
  readonly stride: Size2;
  readonly interiorMaxError: number;
  readonly borderMaxError: number;
  /** Both relative to max |conv(W)(x)|. */
  readonly interiorRelError: number;
  readonly borderRelError: number;
  /** max |stack - conv(x, compose(f1, f2), P, s)| relative to max |conv(W)(x)|: the layout's own error. */
  readonly layoutRelError: number;
  readonly interiorPositions: number;
  readonly borderPositions: number;
}

export function functionalCheck(W: Tensor4, f1: Tensor4, f2: Tensor4, layout: StackLayout, seed: number, bias?: Float64Array): FunctionalCheck {
  const [, cIn, kh, kw] = W.shape;
  const { parentPadding, stride } = layout;
  const inputSize = { h: Math.max(16, 4 * kh), w: Math.max(16, 4 * kw) };
  const rng = new Rng((seed ^ 0x5eed) >>> 0);
  const x: Tensor4 = { shape: [1, cIn, inputSize.h, inputSize.w], data: rng.normals(cIn * inputSize.h * inputSize.w) };
  const ref = conv2d(x, W, parentPadding, bias, stride);
  const out = conv2d(conv2d(x, f1, layout.p1), f2, layout.p2, bias, stride);
  const C = compose(f1, f2);
  const P = composedPadding(layout);
  const direct = conv2d(x, C, P, bias, stride);
  if (out.shape[2] !== ref.shape[2] || out.shape[3] !== ref.shape[3]) {
    throw new RangeError(`functionalCheck: stack output ${out.shape[2]}x${out.shape[3]} differs from the parent's ${ref.shape[2]}x${ref.shape[3]}`);
  }
  const [, O, oh, ow] = ref.shape;
  const ke = { h: C.shape[2], w: C.shape[3] };
  // The composed window of output y covers input rows y s - P .. y s - P + ke - 1.
  const inside = (y: number, s: number, p: number, k: number, size: number): boolean => y * s - p >= 0 && y * s - p + k - 1 <= size - 1;
  let scale = 0;
  for (let q = 0; q < ref.data.length; q++) scale = Math.max(scale, Math.abs(ref.data[q]!));
  let interior = 0;
  let border = 0;
  let layoutError = 0;
  let nIn = 0;
  let nBorder = 0;
  for (let o = 0; o < O; o++) {
    for (let y = 0; y < oh; y++) {
      const yIn = inside(y, stride.h, P.h, ke.h, inputSize.h);
      for (let xx = 0; xx < ow; xx++) {
        const q = (o * oh + y) * ow + xx;
        const err = Math.abs(ref.data[q]! - out.data[q]!);
        layoutError = Math.max(layoutError, Math.abs(direct.data[q]! - out.data[q]!));
        if (yIn && inside(xx, stride.w, P.w, ke.w, inputSize.w)) {
          interior = Math.max(interior, err);
          if (o === 0) nIn++;
        } else {
          border = Math.max(border, err);
          if (o === 0) nBorder++;
        }
      }
    }
  }
  const s = scale > 0 ? scale : 1;
  return {
    layout: layout.name,
    inputSize,
    parentPadding,
    stride,
    interiorMaxError: interior,
    borderMaxError: border,
    interiorRelError: interior / s,
    borderRelError: border / s,
    layoutRelError: layoutError / s,
    interiorPositions: nIn,
    borderPositions: nBorder,
  };
}
