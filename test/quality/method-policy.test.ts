/**
 * The hard-geometry rule (src/quality/method-policy.ts): a second-order method exactly on ke = k
 * with both children 2-D (lm below the count ratio VARPRO_COUNT_RATIO, varpro from it on), silent elsewhere; and `--method lm` on the exactly factorable 5x5 fixture at 3x3 + 3x3
 * reaching an exact split (brute-force residual).
 */
import { describe, expect, it } from "vitest";
import { decompose } from "../../src/decompose.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import { size2 } from "../../src/geometry/tensor.js";
import { hardGeometryRule, VARPRO_COUNT_RATIO } from "../../src/quality/method-policy.js";
import { loadTensor4 } from "../helpers/fixtures.js";
import { bruteResidualRel } from "../helpers/oracles.js";

const geometry = (k: [number, number], k1: [number, number], k2: [number, number], m = 8) =>
  resolveGeometry([8, 8, k[0], k[1]], m, size2(k1[0], k1[1]), size2(k2[0], k2[1]));

describe("hardGeometryRule", () => {
  it.each([
    [[5, 5], [3, 3], [3, 3], "lm"],
    [[3, 3], [2, 2], [2, 2], "lm"],
    [[5, 3], [3, 2], [3, 2], "lm"],
    [[3, 3], [3, 3], [3, 3], "structured"], // ke = 5 > k: zero-padded target
    [[3, 3], [3, 1], [1, 3], "structured"], // separable: a matrix low-rank problem
    [[3, 3], [1, 1], [3, 3], "structured"], // 1x1 child
    [[1, 5], [1, 3], [1, 3], "structured"], // 1-D parent: a matrix polynomial
  ] as const)("when k = %j, k1 = %j, k2 = %j then %s", (k, k1, k2, want) => {
    const g = geometry([...k], [...k1], [...k2]);
    expect(hardGeometryRule(g)?.name ?? "structured").toBe(want);
  });

  // The count ratio (m (c_in k1h k1w + c_out k2h k2w) - m^2) / (c_out c_in keh kew) at 8 x 8 channels,
  // 3x3 -> 2x2 + 2x2: m = 8 gives 448 / 576 = 0.78, m = 9 gives 495 / 576 = 0.86, m = 10 gives 540 / 576 = 0.94,
  // m = 12 gives 624 / 576 >= 1 (exact by count): varpro from VARPRO_COUNT_RATIO on.
  it.each([
    [8, "lm"],
    [9, "varpro"],
    [10, "varpro"],
    [12, "varpro"],
  ] as const)("when 3x3 -> 2x2 + 2x2 at m = %d then %s (the count ratio against VARPRO_COUNT_RATIO)", (m, want) => {
    const g = geometry([3, 3], [2, 2], [2, 2], m);
    expect(VARPRO_COUNT_RATIO).toBe(0.8);
    expect(hardGeometryRule(g)?.name).toBe(want);
  });

  it("when --method lm meets the exactly factorable 5x5 parent at 3x3 + 3x3 then it splits it exactly", () => {
    const W = loadTensor4("factorable-5x6x5-m4.npy");
    const d = decompose(W, { filters: 4, k1: size2(3), k2: size2(3), method: "lm", floor: false, functional: false, maxIter: 60 });
    expect(d.report.method).toBe("lm");
    expect(bruteResidualRel(d.f1, d.f2, W)).toBeLessThanOrEqual(1e-6);
  });
});
