import { afterAll, describe, expect, it } from "vitest";
import { cholesky } from "../../src/linalg/cholesky.js";
import { gemm } from "../../src/linalg/gemm.js";
import { gram } from "../../src/linalg/gram.js";
import { disposeThreads, getThreads, linalgInfo, setThreads } from "../../src/linalg/info.js";
import { solveSpd } from "../../src/linalg/spd-solve.js";
import { randomArray, spdMatrix } from "./helpers.js";

const initial = getThreads();
afterAll(() => {
  setThreads(initial);
  disposeThreads();
});

/** Run `f` with 1 and then 2 threads; both results must be bitwise identical. */
function sameOnOneAndTwoThreads(f: () => Float64Array): void {
  setThreads(1);
  const one = f();
  setThreads(2);
  const two = f();
  expect(two).toEqual(one);
}

describe("results do not depend on the thread count", () => {
  it("when a GEMM is large enough for workers then 1 and 2 threads agree bit for bit", () => {
    const m = 301, n = 203, k = 405;
    const a = randomArray(m * k, 31), b = randomArray(k * n, 32);
    sameOnOneAndTwoThreads(() => {
      const c = new Float64Array(m * n);
      gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n);
      return c;
    });
    expect(linalgInfo().workers).toBe(linalgInfo().threaded ? 1 : 0);
  });
  it("when factoring and solving a 300 x 300 SPD system then 1 and 2 threads agree bit for bit", () => {
    const n = 300;
    const s = spdMatrix(n, 33), rhs = randomArray(n * 5, 34);
    sameOnOneAndTwoThreads(() => {
      const a = s.slice(), b = rhs.slice();
      expect(cholesky(n, a.slice(), n).ok).toBe(true);
      solveSpd(n, a, 5, b);
      const out = new Float64Array(n * n + n * 5);
      out.set(a);
      out.set(b, n * n);
      return out;
    });
  });
  it("when forming a Gram matrix then 1 and 2 threads agree bit for bit", () => {
    const rows = 97, n = 260;
    const a = randomArray(rows * n, 35);
    sameOnOneAndTwoThreads(() => {
      const c = new Float64Array(n * n);
      gram(rows, n, a, n, c, n);
      return c;
    });
  });
  it("when setThreads gets a non-positive or fractional count then it throws", () => {
    expect(() => setThreads(0)).toThrow(RangeError);
    expect(() => setThreads(1.5)).toThrow(RangeError);
  });
  it("when the problem is small then no worker is started", () => {
    setThreads(2);
    disposeThreads();
    const c = new Float64Array(64);
    gemm(false, false, 8, 8, 8, 1, randomArray(64, 36), 8, randomArray(64, 37), 8, 0, c, 8);
    expect(linalgInfo().workers).toBe(0);
  });
});
