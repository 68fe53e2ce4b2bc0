/**
 * FLOPs at a Conv site (src/plan/conv-site.ts) against a brute-force count: every output position
 * of an ONNX Conv is enumerated (a window start y s - pad_begin whose last tap (k - 1) d stays
 * inside the padded input), and each position costs 2 (c_in / g) kh kw multiply-adds per output
 * channel. The split is counted the same way on the two child nodes the surgery writes
 * (src/model/conv-node.ts, exactChildPads: f1 at stride 1 with the parent's pads plus
 * (ke - k) / 2 d per side, f2 unpadded at the parent's stride).
 */
import { describe, expect, it } from "vitest";
import { exactChildPads, type Pads4 } from "../../src/model/conv-node.js";
import { sameSite, siteChildFlops, siteOutput, siteParentFlops, type ConvSite } from "../../src/plan/conv-site.js";
import { candidateFlops, parentFlops } from "../../src/plan/candidates.js";
import type { Shape4, Size2 } from "../../src/geometry/tensor.js";

/** Output positions along one axis, by enumeration. */
function positions(n: number, begin: number, end: number, k: number, d: number, s: number): number {
  let count = 0;
  for (let y = 0; ; y++) {
    const start = y * s - begin;
    if (start + (k - 1) * d > n - 1 + end) break;
    count++;
  }
  return count;
}

/** One ONNX Conv node: 2 c_out (c_in / g) kh kw per output position. */
function bruteConv(inH: number, inW: number, cOut: number, cInPerGroup: number, k: Size2, pads: Pads4, stride: Size2, d: Size2): { flops: number; out: Size2 } {
  const oh = positions(inH, pads.top, pads.bottom, k.h, d.h, stride.h);
  const ow = positions(inW, pads.left, pads.right, k.w, d.w, stride.w);
  return { flops: 2 * cOut * cInPerGroup * k.h * k.w * oh * ow, out: { h: oh, w: ow } };
}

const cases: { shape: Shape4; input: Size2; pads: Pads4; stride: Size2; d: Size2; k1: Size2; k2: Size2; m: number }[] = [
  { shape: [8, 4, 3, 3], input: { h: 12, w: 12 }, pads: { top: 1, left: 1, bottom: 1, right: 1 }, stride: { h: 1, w: 1 }, d: { h: 1, w: 1 }, k1: { h: 2, w: 2 }, k2: { h: 2, w: 2 }, m: 5 },
  { shape: [8, 4, 3, 3], input: { h: 13, w: 11 }, pads: { top: 0, left: 1, bottom: 2, right: 1 }, stride: { h: 2, w: 2 }, d: { h: 1, w: 1 }, k1: { h: 3, w: 1 }, k2: { h: 1, w: 3 }, m: 3 },
  { shape: [6, 5, 3, 5], input: { h: 20, w: 17 }, pads: { top: 2, left: 4, bottom: 2, right: 4 }, stride: { h: 1, w: 3 }, d: { h: 2, w: 2 }, k1: { h: 3, w: 5 }, k2: { h: 3, w: 5 }, m: 4 },
  { shape: [16, 16, 1, 1], input: { h: 7, w: 7 }, pads: { top: 0, left: 0, bottom: 0, right: 0 }, stride: { h: 2, w: 2 }, d: { h: 1, w: 1 }, k1: { h: 1, w: 1 }, k2: { h: 1, w: 1 }, m: 6 },
  { shape: [8, 4, 5, 5], input: { h: 9, w: 9 }, pads: { top: 0, left: 0, bottom: 0, right: 0 }, stride: { h: 1, w: 1 }, d: { h: 1, w: 1 }, k1: { h: 5, w: 5 }, k2: { h: 1, w: 1 }, m: 2 },
];

describe("FLOPs at a Conv site against a brute-force count", () => {
  for (const [j, c] of cases.entries()) {
    it(`when case ${j} (${c.shape.join("x")}, stride ${c.stride.h}x${c.stride.w}, dilation ${c.d.h}) is counted then the parent and its split agree with enumeration`, () => {
      const site: ConvSite = { input: c.input, pad: { h: c.pads.top + c.pads.bottom, w: c.pads.left + c.pads.right }, stride: c.stride, dilation: c.d };
      const k = { h: c.shape[2], w: c.shape[3] };
      const parent = bruteConv(c.input.h, c.input.w, c.shape[0], c.shape[1], k, c.pads, c.stride, c.d);
      expect(siteOutput(k, site)).toEqual(parent.out);
      expect(siteParentFlops(c.shape, site)).toBe(parent.flops);
      const targetPad = { h: (c.k1.h + c.k2.h - 1 - k.h) / 2, w: (c.k1.w + c.k2.w - 1 - k.w) / 2 };
      const pads = exactChildPads(c.pads, targetPad, [c.d.h, c.d.w]);
      const f1 = bruteConv(c.input.h, c.input.w, c.m, c.shape[1], c.k1, pads.f1, { h: 1, w: 1 }, c.d);
      const f2 = bruteConv(f1.out.h, f1.out.w, c.shape[0], c.m, c.k2, pads.f2, c.stride, c.d);
      expect(f2.out).toEqual(parent.out); // the exact layout keeps the parent's output size
      expect(siteChildFlops(c.shape, c.k1, c.k2, c.m, site)).toBe(f1.flops + f2.flops);
    });
  }

  it("when the site is the dumps' same padding at stride 1 then the counts are the plan's candidateFlops and parentFlops", () => {
    const shape: Shape4 = [8, 4, 3, 3];
    const size = { h: 14, w: 10 };
    const site = sameSite(shape, size);
    expect(siteParentFlops(shape, site)).toBe(parentFlops(shape, size));
    for (const [k1, k2] of [[{ h: 2, w: 2 }, { h: 2, w: 2 }], [{ h: 3, w: 1 }, { h: 1, w: 3 }], [{ h: 3, w: 3 }, { h: 3, w: 3 }], [{ h: 1, w: 1 }, { h: 3, w: 3 }]] as const) {
      expect(siteChildFlops(shape, k1, k2, 5, site)).toBe(candidateFlops(shape, { k1, k2 }, 5, size));
    }
  });
});
