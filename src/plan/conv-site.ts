/**
 * Where one convolution runs: its input's spatial size, the total padding per axis, stride and
 * dilation (an ONNX Conv node; a dump layer read "same" at stride 1 is the special case
 * `sameSite`). FLOPs are multiply-adds x 2 (bias adds not counted), from the output size
 *   out = floor((in + pad - (k - 1) d - 1) / s) + 1            (ONNX Conv, per axis)
 * - the parent: 2 c_out (c_in / g) kh kw out_h out_w;
 * - its split in the exact layout (DESIGN.md, "Layout and semantics"; src/model/conv-node.ts):
 *   f1 (k1, stride 1) reads the input padded by pad + (ke - k) d, so its map is
 *   mid = in + pad + (ke - k) d - (k1 - 1) d per axis, and f2 (k2, unpadded, stride s) brings it
 *   to the parent's out; 2 m (c_in k1h k1w mid_h mid_w + c_out k2h k2w out_h out_w).
 * A weight read by several nodes has one site per node; its cost is the sum over its sites.
 */
import type { Shape4, Size2 } from "../geometry/tensor.js";

export interface ConvSite {
  readonly input: Size2;
  /** Padding added per axis, both sides together (top + bottom, left + right). */
  readonly pad: Size2;
  readonly stride: Size2;
  readonly dilation: Size2;
}

/** The dumps' convention: "same" padding (k - 1 per axis), stride 1, no dilation. */
export function sameSite(shape: Shape4, input: Size2): ConvSite {
  return { input, pad: { h: shape[2] - 1, w: shape[3] - 1 }, stride: { h: 1, w: 1 }, dilation: { h: 1, w: 1 } };
}

/** ONNX Conv's output size per axis (floor rounding). */
export function siteOutput(k: Size2, s: ConvSite): Size2 {
  const axis = (n: number, p: number, kk: number, d: number, st: number): number => Math.max(0, Math.floor((n + p - (kk - 1) * d - 1) / st) + 1);
  return { h: axis(s.input.h, s.pad.h, k.h, s.dilation.h, s.stride.h), w: axis(s.input.w, s.pad.w, k.w, s.dilation.w, s.stride.w) };
}

/** 2 c_out (c_in / g) kh kw out_h out_w; `shape` is the grouped weight (c_out, c_in / g, kh, kw). */
export function siteParentFlops(shape: Shape4, s: ConvSite): number {
  const out = siteOutput({ h: shape[2], w: shape[3] }, s);
  return 2 * shape[0] * shape[1] * shape[2] * shape[3] * out.h * out.w;
}

/** The stacked f1 (k1) then f2 (k2) with m middle channels at this site, exact layout. */
export function siteChildFlops(shape: Shape4, k1: Size2, k2: Size2, m: number, s: ConvSite): number {
  const k: Size2 = { h: shape[2], w: shape[3] };
  const out = siteOutput(k, s);
  const ke: Size2 = { h: k1.h + k2.h - 1, w: k1.w + k2.w - 1 };
  const mid: Size2 = {
    h: Math.max(0, s.input.h + s.pad.h + (ke.h - k.h) * s.dilation.h - (k1.h - 1) * s.dilation.h),
    w: Math.max(0, s.input.w + s.pad.w + (ke.w - k.w) * s.dilation.w - (k1.w - 1) * s.dilation.w),
  };
  return 2 * m * (shape[1] * k1.h * k1.w * mid.h * mid.w + shape[0] * k2.h * k2.w * out.h * out.w);
}
