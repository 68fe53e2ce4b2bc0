import { childPadding, type SplitGeometry } from "./shapes.js";
import type { Size2 } from "./tensor.js";

/**
 * Stacking layouts (DESIGN.md, "Padding of the child layers"): where the two child convs pad and
 * stride so that their stack replaces a parent that ran with padding p and stride s. With
 * P = p + (ke - k) / 2 per axis:
 *  - exact: f1 pads P, stride 1; f2 pads 0, stride s. Zero padding commutes with valid
 *    convolutions: conv(conv(x, f1, P), f2, 0, s) = conv(x, compose(f1, f2), P, s) at EVERY output
 *    position, so the stack differs from the parent only by conv(x, compose - T, P, s), the kernel
 *    residual's effect. The intermediate map is larger than the input by k2 - 1 per axis.
 *  - same: p1 = (k1 - 1) / 2 (floored), p2 = P - p1, f2 stride s: the intermediate map keeps the
 *    input's size, and near the border f2 reads its zero padding where the true intermediate values
 *    are not zero (the border effect). Unavailable (null) where p2 would be negative.
 */
export type LayoutName = "exact" | "same";
export const LAYOUT_NAMES: readonly LayoutName[] = ["exact", "same"];

export interface StackLayout {
  readonly name: LayoutName;
  /** The parent's padding and stride, which the stack reproduces. */
  readonly parentPadding: Size2;
  readonly stride: Size2;
  /** f1's padding (its stride is always 1) and f2's padding (its stride is the parent's). */
  readonly p1: Size2;
  readonly p2: Size2;
}

export interface StackLayouts {
  readonly exact: StackLayout;
  readonly same: StackLayout | null;
}

export function stackLayouts(g: SplitGeometry, parentPadding: Size2, stride: Size2): StackLayouts {
  const P = { h: parentPadding.h + g.targetPad.h, w: parentPadding.w + g.targetPad.w };
  const exact: StackLayout = { name: "exact", parentPadding, stride, p1: P, p2: { h: 0, w: 0 } };
  const same = childPadding(g, parentPadding);
  return { exact, same: same ? { name: "same", parentPadding, stride, p1: same.p1, p2: same.p2 } : null };
}

/** The composed kernel's padding P = p1 + p2 (equal for both layouts). */
export function composedPadding(l: StackLayout): Size2 {
  return { h: l.p1.h + l.p2.h, w: l.p1.w + l.p2.w };
}
