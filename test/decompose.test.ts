/**
 * The pipeline (src/decompose.ts): the report's fields (shapes, paddings, trace, why it stopped,
 * residuals checked against the brute-force composition) and its typed errors.
 */
import { describe, expect, it } from "vitest";
import type { MethodName } from "../src/methods/registry.js";
import { decompose, type DecomposeOptions } from "../src/decompose.js";
import { DecomposeError, type ErrorCode } from "../src/errors.js";
import type { Tensor4 } from "../src/geometry/tensor.js";
import { REPORT_SCHEMA } from "../src/report/model.js";
import { loadTensor4 } from "./helpers/fixtures.js";
import { bruteCompose, brutePad, norm, relDiff } from "./helpers/oracles.js";

const W8 = loadTensor4("random-8x8x3.npy");
const RECT = loadTensor4("rect-4x6x3x5.npy");
const FACT = loadTensor4("factorable-5x6x5-m4.npy");
const quick = { maxIter: 3, tol: 0, floor: false, functional: false } as const;

describe("decompose: the report", () => {
  for (const method of ["structured", "projected", "seed"] as const) {
    it(`${method}: shapes, paddings, trace and residuals of a square parent`, () => {
      const seen: [number, number][] = [];
      const d = decompose(W8, { filters: 3, method, maxIter: 4, tol: 0, onIteration: (i, r) => seen.push([i, r]) });
      const r = d.report;
      expect(r.schema).toBe(REPORT_SCHEMA);
      expect(r.tool.name).toBe("decompose-filter");
      expect(r.method).toBe(method);
      const one = { h: 1, w: 1 };
      expect(r.parent).toEqual({ shape: [8, 8, 3, 3], padding: one, stride: one });
      expect(r.target).toEqual({ shape: [8, 8, 5, 5], pad: one });
      // default layout exact: f1 pads P = p + (ke - k) / 2 = 2, f2 pads 0
      expect(r.f1).toEqual({ shape: [3, 8, 3, 3], padding: { h: 2, w: 2 } });
      expect(r.f2).toEqual({ shape: [8, 3, 3, 3], padding: { h: 0, w: 0 }, stride: one, bias: false });
      expect(r.layout).toEqual({
        chosen: "exact",
        exact: { f1: { padding: { h: 2, w: 2 }, stride: one }, f2: { padding: { h: 0, w: 0 }, stride: one } },
        same: { f1: { padding: one, stride: one }, f2: { padding: one, stride: one } },
      });
      expect(r.methodChoice.requested).toBe(method);
      expect(d.f1.shape).toEqual([3, 8, 3, 3]);
      expect(d.f2.shape).toEqual([8, 3, 3, 3]);
      expect(d.f2Bias).toBeUndefined();
      expect(r.filters).toBe(3);
      expect(r).toMatchObject({ lambda: 1e-4, maxIter: 4, tol: 0, seed: 0 });
      expect(r.iterations).toBe(4);
      expect(r.trace.length).toBe(r.iterations);
      expect(r.stopReason).toBe("max-iter");
      expect(seen.map((s) => s[0])).toEqual([1, 2, 3, 4]);
      expect(seen.map((s) => s[1])).toEqual(r.trace);
      const T = brutePad(W8, 1, 1);
      const rel = relDiff(bruteCompose(d.f1, d.f2).data, T.data);
      expect(r.residual.rel).toBeCloseTo(rel, 12);
      expect(r.residual.abs).toBeCloseTo(rel * norm(T.data), 12);
      if (method === "seed") expect(r.residual.unprojectedRel).toBe(r.trace[r.trace.length - 1]);
      else {
        expect(r.residual.unprojectedRel).toBeNull();
        expect(r.trace[r.trace.length - 1]).toBeCloseTo(rel, 9);
      }
      expect(r.floor.rel).toBeGreaterThan(0);
      expect(r.floor.ratio).toBeCloseTo(r.residual.rel / r.floor.rel, 12);
      expect(r.floor.dft).toEqual({ h: 5, w: 5 });
      expect(r.functional).not.toBeNull();
      expect(r.functional!.summary).toMatch(/interior/);
      expect(r.time.flops).toBeGreaterThan(0);
      expect(r.time.seconds).toBeGreaterThanOrEqual(0);
    });
  }

  it("rectangular parent (3x5): per-axis target pad and child paddings", () => {
    const d = decompose(RECT, { filters: 2, ...quick, functional: true });
    expect(d.report.target).toEqual({ shape: [4, 6, 5, 9], pad: { h: 1, w: 2 } });
    expect(d.report.parent.padding).toEqual({ h: 1, w: 2 });
    expect(d.report.f1).toEqual({ shape: [2, 6, 3, 5], padding: { h: 2, w: 4 } });
    expect(d.report.f2.padding).toEqual({ h: 0, w: 0 });
    expect(d.report.layout.same?.f1.padding).toEqual({ h: 1, w: 2 });
    expect(d.report.layout.same?.f2.padding).toEqual({ h: 1, w: 2 });
    expect(d.report.functional!.inputSize).toEqual({ h: 16, w: 20 });
  });

  it("explicit k1, k2 and parent padding: ke = k1 + k2 - 1 and p1 + p2 = p + (ke - k) / 2", () => {
    const d = decompose(W8, { filters: 2, k1: { h: 1, w: 1 }, k2: { h: 5, w: 5 }, parentPadding: { h: 0, w: 0 }, ...quick, functional: true });
    expect(d.report.target.shape).toEqual([8, 8, 5, 5]);
    expect(d.report.f1).toEqual({ shape: [2, 8, 1, 1], padding: { h: 1, w: 1 } });
    expect(d.report.f2).toMatchObject({ shape: [8, 2, 5, 5], padding: { h: 0, w: 0 } });
    const s = decompose(W8, { filters: 2, k1: { h: 1, w: 1 }, k2: { h: 5, w: 5 }, parentPadding: { h: 0, w: 0 }, ...quick, layout: "same" });
    expect(s.report.f1).toEqual({ shape: [2, 8, 1, 1], padding: { h: 0, w: 0 } });
    expect(s.report.f2).toMatchObject({ shape: [8, 2, 5, 5], padding: { h: 1, w: 1 } });
  });

  it("floor and functional check can be turned off", () => {
    const d = decompose(W8, { filters: 2, ...quick });
    expect(d.report.floor).toEqual({ abs: 0, rel: 0, ratio: null, dft: { h: 5, w: 5 }, kind: "not-computed", folded: { h: null, w: null }, bound: null, window: null, side: null });
    expect(d.report.functional).toBeNull();
  });

  it("when m >= min(c_in, c_out) then the floor is 0 and its ratio null", () => {
    const d = decompose(W8, { filters: 8, maxIter: 2, tol: 0, functional: false });
    expect(d.report.floor.rel).toBe(0);
    expect(d.report.floor.ratio).toBeNull();
  });
});

describe("decompose: every stop reason is reachable", () => {
  it("max-iter: the budget is spent", () => {
    const d = decompose(W8, { filters: 2, maxIter: 2, tol: 0, floor: false, functional: false });
    expect(d.report.stopReason).toBe("max-iter");
    expect(d.report.iterations).toBe(2);
  });

  it("tolerance: a loose tol is met early", () => {
    for (const method of ["structured", "projected", "seed"] as const) {
      const d = decompose(FACT, { filters: 4, k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, method, maxIter: 50, tol: 0.9, floor: false, functional: false });
      expect(d.report.stopReason).toBe("tolerance");
      expect(d.report.iterations).toBeLessThan(50);
      expect(d.report.trace.length).toBe(d.report.iterations);
      expect(d.report.trace[d.report.trace.length - 1]!).toBeLessThanOrEqual(0.9);
    }
  });

  it("stalled: with tol 0 an exact split stops once the residual stops improving", () => {
    const d = decompose(FACT, { filters: 4, k1: { h: 3, w: 3 }, k2: { h: 3, w: 3 }, lambda: 0, maxIter: 400, tol: 0, floor: false, functional: false });
    expect(d.report.stopReason).toBe("stalled");
    expect(d.report.iterations).toBeLessThan(400);
    expect(d.report.trace.length).toBe(d.report.iterations);
  });
});

describe("decompose: errors are DecomposeError with stable codes", () => {
  const bad: { name: string; parent?: Tensor4; o: Partial<DecomposeOptions>; code: ErrorCode; msg: RegExp }[] = [
    { name: "--filters 0", o: { filters: 0 }, code: "E_OPTION", msg: /--filters/ },
    { name: "--filters 2.5", o: { filters: 2.5 }, code: "E_OPTION", msg: /--filters/ },
    { name: "--filters NaN", o: { filters: Number.NaN }, code: "E_OPTION", msg: /--filters/ },
    { name: "negative lambda", o: { lambda: -1 }, code: "E_OPTION", msg: /--lambda/ },
    { name: "infinite lambda", o: { lambda: Infinity }, code: "E_OPTION", msg: /--lambda/ },
    { name: "max-iter 0", o: { maxIter: 0 }, code: "E_OPTION", msg: /--max-iter/ },
    { name: "max-iter 1.5", o: { maxIter: 1.5 }, code: "E_OPTION", msg: /--max-iter/ },
    { name: "tol NaN", o: { tol: Number.NaN }, code: "E_OPTION", msg: /--tol/ },
    { name: "seed -1", o: { seed: -1 }, code: "E_OPTION", msg: /--seed/ },
    { name: "seed 2^32", o: { seed: 2 ** 32 }, code: "E_OPTION", msg: /--seed/ },
    { name: "unknown method", o: { method: "bogus" as unknown as MethodName }, code: "E_OPTION", msg: /unknown method/ },
    { name: "k1 + k2 - 1 < k", o: { k1: { h: 1, w: 1 }, k2: { h: 1, w: 1 } }, code: "E_GEOMETRY", msg: /k2 could be/ },
    { name: "odd difference", o: { k1: { h: 3, w: 3 }, k2: { h: 2, w: 2 } }, code: "E_GEOMETRY", msg: /odd/ },
    { name: "bias length", o: { bias: new Float64Array(3) }, code: "E_SHAPE", msg: /bias/ },
    { name: "zero-size axis", parent: { shape: [2, 0, 3, 3], data: new Float64Array(0) }, o: {}, code: "E_SHAPE", msg: /zero-size/ },
    {
      name: "NaN in the parent",
      parent: { shape: [1, 1, 3, 3], data: Float64Array.from([0, 0, 0, 0, Number.NaN, 0, 0, 0, 0]) },
      o: {},
      code: "E_NONFINITE",
      msg: /flat index 4/,
    },
  ];
  for (const c of bad) {
    it(`${c.name} -> ${c.code}, exit code 2, file named`, () => {
      let err: unknown;
      try {
        decompose(c.parent ?? W8, { filters: 2, maxIter: 1, floor: false, functional: false, file: "p.npy", ...c.o });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecomposeError);
      const e = err as DecomposeError;
      expect(e.code).toBe(c.code);
      expect(e.exitCode).toBe(2);
      expect(e.file).toBe("p.npy");
      expect(e.message).toMatch(c.msg);
      expect(e.describe()).toBe(`p.npy: ${e.message}`);
    });
  }
});
