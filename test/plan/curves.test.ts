/**
 * One layer's options (src/plan/curves.ts): the floor for every m at once agrees with the
 * one-m floor of the report; the solver runs only where its floor leaves room below every
 * matrix geometry that costs no more, and every option is cheaper than the parent.
 */
import { describe, expect, it } from "vitest";
import { pad2d } from "../../src/geometry/pad.js";
import { layerCandidates, candidateParams } from "../../src/plan/candidates.js";
import { truncatedSvdTails } from "../../src/plan/closed-form.js";
import { layerCurve } from "../../src/plan/curves.js";
import { frequencyFloor, frequencyFloorSquares } from "../../src/report/floor.js";
import { loadTensor4 } from "../helpers/fixtures.js";
import { TestRng } from "../helpers/random.js";

describe("frequencyFloorSquares", () => {
  it("when computed for every m at once then each equals the one-m floor squared", () => {
    const T = pad2d({ shape: [6, 4, 3, 3], data: new TestRng(3).normals(6 * 4 * 9) }, { h: 1, w: 1 });
    const { squares } = frequencyFloorSquares(T);
    for (let m = 0; m <= 4; m++) expect(Math.sqrt(squares[m]!)).toBe(m >= 4 ? 0 : frequencyFloor(T, m).abs);
  });
});

describe("layerCurve", () => {
  it("when planning a real 32-channel layer then the solver runs exactly where the floor leaves room", () => {
    const W = loadTensor4("facerec-conv32-1-conv1.npy");
    const calls: { k1: number; m: number }[] = [];
    const curve = layerCurve(W, {
      cost: "params",
      inputSize: null,
      solve: (_p, k1, _k2, m) => {
        calls.push({ k1: k1.h, m });
        return Infinity; // what the solver reaches does not matter here, only where it is asked
      },
    });
    const parent = 32 * 32 * 9;
    expect(curve.options[0]).toMatchObject({ geometry: "unsplit", params: parent, errSq: 0 });
    for (const o of curve.options.slice(1)) expect(o.params).toBeLessThan(parent);
    expect(curve.solverRuns).toBe(calls.length);
    expect(calls.length).toBeGreaterThan(0);
    // Recompute the pruning rule independently: closed forms from the tails, floors one m at a time.
    const closed = layerCandidates(W.shape)
      .filter((c) => c.unfolding !== null)
      .flatMap((c) => {
        const t = truncatedSvdTails(W.data, c.unfolding!);
        return Array.from({ length: c.mMax - 1 }, (_, j) => ({ cost: candidateParams(W.shape, c, j + 1), err: t[j + 1]! })).filter((x) => x.cost < parent);
      });
    for (const c of layerCandidates(W.shape).filter((x) => x.unfolding === null)) {
      const pad = (c.k1.h + c.k2.h - 1 - 3) / 2;
      const T = pad2d(W, { h: pad, w: pad });
      const perM = candidateParams(W.shape, c, 1);
      const ms = [...new Set([0.125, 0.25, 0.375, 0.5, 0.75].map((f) => Math.min(31, Math.floor((f * parent) / perM))))].filter((m) => m >= 1 && m * perM < parent);
      for (const m of ms) {
        const floorSq = frequencyFloor(T, m).abs ** 2;
        const best = Math.min(W.data.reduce((a, x) => a + x * x, 0), ...closed.filter((x) => x.cost <= m * perM).map((x) => x.err));
        const ran = calls.some((x) => x.k1 === c.k1.h && x.m === m);
        expect(ran).toBe(floorSq < best * (1 - 1e-9) ? true : floorSq > best * (1 + 1e-9) ? false : ran);
      }
    }
  });
});
