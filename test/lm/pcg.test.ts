/** PCG (src/lm/pcg.ts) against a direct solve of a random SPD system, with and without a preconditioner. */
import { describe, expect, it } from "vitest";
import { pcg } from "../../src/lm/pcg.js";
import { gramOf, matmul, maxAbsDiff } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

describe("pcg", () => {
  const n = 30;
  const rng = new TestRng(5);
  const B = rng.normals(n * n);
  const A = gramOf(B, n, n); // B^T B: SPD
  for (let i = 0; i < n; i++) A[i * n + i]! += 0.1;
  const x = rng.normals(n);
  const b = matmul(A, x, n, n, 1);
  const apply = (v: Float64Array) => matmul(A, v, n, n, 1);

  it("when unpreconditioned then it solves A x = b to the tolerance", () => {
    const r = pcg(apply, (v) => v.slice(), b, 1e-12, 500);
    expect(r.breakdown).toBe(false);
    expect(maxAbsDiff(r.x, x)).toBeLessThan(1e-6);
  });

  it("when preconditioned by Jacobi (the diagonal) then it also converges, in fewer products", () => {
    const plain = pcg(apply, (v) => v.slice(), b, 1e-10, 500);
    const jacobi = pcg(apply, (v) => v.map((t, i) => t / A[i * n + i]!), b, 1e-10, 500);
    expect(maxAbsDiff(jacobi.x, x)).toBeLessThan(1e-5);
    expect(jacobi.iterations).toBeLessThanOrEqual(plain.iterations + 5);
  });

  it("when the operator is indefinite then it stops and says so", () => {
    const r = pcg((v) => v.map((t) => -t), (v) => v.slice(), b, 1e-10, 50);
    expect(r.breakdown).toBe(true);
  });
});
