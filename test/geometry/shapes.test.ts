/**
 * resolveGeometry's rules (DESIGN.md: k1 + k2 - 1 >= k and (k1 + k2 - 1 - k) even, per axis) and
 * childPadding (two stacked convs with those paddings give the parent's output size, and the
 * composed kernel run with the parent's padding equals the stack in the interior).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DecomposeError } from "../../src/errors.js";
import { conv2d } from "../../src/geometry/conv2d.js";
import { outputSize } from "../../src/geometry/im2col.js";
import { childPadding, resolveGeometry, samePadding } from "../../src/geometry/shapes.js";
import { size2 } from "../../src/geometry/tensor.js";
import { TestRng } from "../helpers/random.js";

function geometryError(f: () => unknown): DecomposeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecomposeError);
    return e as DecomposeError;
  }
  throw new Error("expected a DecomposeError");
}

describe("resolveGeometry", () => {
  it("when k1 and k2 are left out then k1 = k2 = k, ke = 2k - 1 and the target pad is (k - 1) / 2", () => {
    const g = resolveGeometry([8, 4, 3, 3], 5);
    expect(g).toMatchObject({ cOut: 8, cIn: 4, m: 5, k: { h: 3, w: 3 }, k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 } });
    expect(g.ke).toEqual({ h: 5, w: 5 });
    expect(g.targetPad).toEqual({ h: 1, w: 1 });
  });

  it("accepts rectangular parents when each axis satisfies the rule", () => {
    const g = resolveGeometry([4, 6, 3, 5], 4);
    expect(g.ke).toEqual({ h: 5, w: 9 });
    expect(g.targetPad).toEqual({ h: 1, w: 2 });
    const h = resolveGeometry([4, 6, 3, 5], 2, { h: 3, w: 3 }, { h: 1, w: 3 });
    expect(h.ke).toEqual({ h: 3, w: 5 });
    expect(h.targetPad).toEqual({ h: 0, w: 0 });
  });

  it("for every k1, k2 in 1..7 and k in 1..7 it accepts exactly the sizes with ke >= k and ke - k even", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), (k, k1, k2) => {
        const ke = k1 + k2 - 1;
        const ok = ke >= k && (ke - k) % 2 === 0;
        const run = () => resolveGeometry([2, 2, k, k], 1, size2(k1), size2(k2));
        if (ok) {
          const g = run();
          expect(g.ke).toEqual({ h: ke, w: ke });
          expect(2 * g.targetPad.h + k).toBe(ke);
        } else {
          const e = geometryError(run);
          expect(e.code).toBe("E_GEOMETRY");
          expect(e.message).toContain(ke < k ? "smaller" : "odd");
        }
      }),
      { numRuns: 200 },
    );
  });

  it("when the sizes do not fit then the error names the axis and suggests k2 values that do fit", () => {
    const e = geometryError(() => resolveGeometry([2, 2, 3, 5], 1, { h: 3, w: 3 }, { h: 2, w: 3 }, "p.npy"));
    expect(e.code).toBe("E_GEOMETRY");
    expect(e.file).toBe("p.npy");
    expect(e.exitCode).toBe(2);
    // height: 3 + 2 - 1 = 4 vs 3, odd; width: 3 + 3 - 1 = 5 < 5? no, 5 >= 5 and even: fine.
    expect(e.message).toMatch(/height/);
    expect(e.message).not.toMatch(/width/);
    const suggested = /k2 could be ([\d, ]+)/.exec(e.message);
    expect(suggested).not.toBeNull();
    const values = suggested![1]!.split(",").map((s) => Number(s.trim()));
    expect(values.length).toBeGreaterThan(0);
    for (const k2 of values) expect(() => resolveGeometry([2, 2, 3, 5], 1, { h: 3, w: 3 }, { h: k2, w: 3 })).not.toThrow();
    const small = geometryError(() => resolveGeometry([2, 2, 7, 7], 1, size2(1), size2(3)));
    expect(small.message).toMatch(/smaller than the parent's 7/);
    expect(small.message).toMatch(/k2 could be 7/);
  });

  it("when --filters or a kernel size is not a positive integer then it throws a typed error", () => {
    expect(geometryError(() => resolveGeometry([2, 2, 3, 3], 0)).code).toBe("E_OPTION");
    expect(geometryError(() => resolveGeometry([2, 2, 3, 3], 1.5)).code).toBe("E_OPTION");
    expect(geometryError(() => resolveGeometry([2, 2, 3, 3], 2, size2(0), size2(3))).code).toBe("E_GEOMETRY");
    expect(geometryError(() => resolveGeometry([2, 2, 3, 3], 2, size2(3), { h: 2.5, w: 3 })).code).toBe("E_GEOMETRY");
  });
});

describe("samePadding and childPadding", () => {
  it("same padding is (k - 1) / 2 per axis", () => {
    expect(samePadding({ h: 3, w: 5 })).toEqual({ h: 1, w: 2 });
    expect(samePadding({ h: 1, w: 7 })).toEqual({ h: 0, w: 3 });
  });

  it("for odd kernels p1 = (k1 - 1) / 2, p2 = (k2 - 1) / 2 when the parent ran 'same'", () => {
    const g = resolveGeometry([4, 4, 5, 5], 2, size2(3), size2(3));
    expect(childPadding(g, samePadding(g.k))).toEqual({ p1: { h: 1, w: 1 }, p2: { h: 1, w: 1 } });
    const d = resolveGeometry([4, 4, 3, 3], 2);
    expect(childPadding(d, samePadding(d.k))).toEqual({ p1: { h: 1, w: 1 }, p2: { h: 1, w: 1 } });
  });

  it("stacked convs with the child paddings give the parent's output size and p1 + p2 = p + (ke - k) / 2", () => {
    const odd = fc.integer({ min: 0, max: 3 }).map((x) => 2 * x + 1);
    fc.assert(
      fc.property(odd, odd, fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 6, max: 12 }), (kh, kw, k1, dk, p, H) => {
        // k2 chosen so ke - k is even and >= 0 on both axes: ke = k + 2 dk' per axis.
        const k2h = kh + 2 * dk - k1 + 1;
        const k2w = kw + 2 * dk - k1 + 1;
        fc.pre(k2h >= 1 && k2w >= 1 && p <= kh && p <= kw);
        const g = resolveGeometry([1, 1, kh, kw], 1, size2(k1), { h: k2h, w: k2w });
        const pp = { h: Math.min(p, (kh - 1) / 2), w: Math.min(p, (kw - 1) / 2) };
        const c = childPadding(g, pp);
        if (c === undefined) return;
        expect(c.p1.h + c.p2.h).toBe(pp.h + g.targetPad.h);
        expect(c.p1.w + c.p2.w).toBe(pp.w + g.targetPad.w);
        expect(Math.min(c.p1.h, c.p1.w, c.p2.h, c.p2.w)).toBeGreaterThanOrEqual(0);
        const parentOut = outputSize({ input: [1, 1, H, H], window: g.k, pad: pp, stride: size2(1) });
        const mid = outputSize({ input: [1, 1, H, H], window: g.k1, pad: c.p1, stride: size2(1) });
        const out = outputSize({ input: [1, 1, mid.h, mid.w], window: g.k2, pad: c.p2, stride: size2(1) });
        expect(out).toEqual(parentOut);
      }),
      { numRuns: 200 },
    );
  });

  it("when a real stack runs with the child paddings then its output has the parent's shape (rectangular 3x5 parent)", () => {
    const g = resolveGeometry([2, 3, 3, 5], 2);
    const pp = samePadding(g.k);
    const c = childPadding(g, pp)!;
    const rng = new TestRng(9);
    const x = { shape: [1, 3, 11, 13] as const, data: rng.normals(3 * 11 * 13) };
    const parent = conv2d(x, { shape: [2, 3, 3, 5], data: rng.normals(90) }, pp);
    const mid = conv2d(x, { shape: [2, 3, 3, 5], data: rng.normals(90) }, c.p1);
    const out = conv2d(mid, { shape: [2, 2, 3, 5], data: rng.normals(60) }, c.p2);
    expect(out.shape).toEqual(parent.shape);
    expect(parent.shape).toEqual([1, 2, 11, 13]);
  });

  it("when the parent ran with no padding and k1 is large then p1 is capped and p2 stays >= 0", () => {
    const g = resolveGeometry([1, 1, 3, 3], 1, size2(5), size2(1)); // ke = 5, target pad 1
    expect(childPadding(g, { h: 0, w: 0 })).toEqual({ p1: { h: 1, w: 1 }, p2: { h: 0, w: 0 } });
  });
});
