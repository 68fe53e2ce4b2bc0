import { conv2d } from "../geometry/conv2d.js";
import type { ChildPadding } from "../geometry/shapes.js";
import type { Size2, Tensor4 } from "../geometry/tensor.js";
import { Rng } from "../random.js";

/**
 * The functional check (DESIGN.md): a random input through conv(W) and through conv(f1) then
 * conv(f2), compared position by position. Two stacked zero-padded convs equal the single one only
 * in the interior: where the second conv reads intermediate positions outside the first conv's
 * output, the real intermediate map would have had values there but the stacked net sees zeros.
 * Interior = output positions whose f2 window lies inside the intermediate map, on both axes.
 */
export interface FunctionalCheck {
  /** Input is (1, c_in, size, size). */
  readonly inputSize: Size2;
  readonly parentPadding: Size2;
  readonly interiorMaxError: number;
  readonly borderMaxError: number;
  /** Both relative to max |conv(W)(x)|. */
  readonly interiorRelError: number;
  readonly borderRelError: number;
  readonly interiorPositions: number;
  readonly borderPositions: number;
}

export function functionalCheck(
  W: Tensor4,
  f1: Tensor4,
  f2: Tensor4,
  parentPadding: Size2,
  pads: ChildPadding,
  seed: number,
  bias?: Float64Array,
): FunctionalCheck {
  const [, cIn, kh, kw] = W.shape;
  const k2h = f2.shape[2];
  const k2w = f2.shape[3];
  const inputSize = { h: Math.max(16, 4 * kh), w: Math.max(16, 4 * kw) };
  const rng = new Rng((seed ^ 0x5eed) >>> 0);
  const x: Tensor4 = { shape: [1, cIn, inputSize.h, inputSize.w], data: rng.normals(cIn * inputSize.h * inputSize.w) };
  const ref = conv2d(x, W, parentPadding, bias);
  const mid = conv2d(x, f1, pads.p1);
  const out = conv2d(mid, f2, pads.p2, bias);
  const [, O, oh, ow] = ref.shape;
  const mh = mid.shape[2];
  const mw = mid.shape[3];
  const inside = (y: number, p2: number, k2: number, size: number): boolean => y - p2 >= 0 && y - p2 + k2 - 1 <= size - 1;
  let scale = 0;
  for (let q = 0; q < ref.data.length; q++) scale = Math.max(scale, Math.abs(ref.data[q]!));
  let interior = 0;
  let border = 0;
  let nIn = 0;
  let nBorder = 0;
  for (let o = 0; o < O; o++) {
    for (let y = 0; y < oh; y++) {
      const yIn = inside(y, pads.p2.h, k2h, mh);
      for (let xx = 0; xx < ow; xx++) {
        const q = (o * oh + y) * ow + xx;
        const err = Math.abs(ref.data[q]! - out.data[q]!);
        if (yIn && inside(xx, pads.p2.w, k2w, mw)) {
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
    inputSize,
    parentPadding,
    interiorMaxError: interior,
    borderMaxError: border,
    interiorRelError: interior / s,
    borderRelError: border / s,
    interiorPositions: nIn,
    borderPositions: nBorder,
  };
}
