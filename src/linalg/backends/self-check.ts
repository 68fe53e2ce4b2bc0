import type { LinalgBackend } from "./contract.js";

/**
 * The start-up self-check of a candidate back-end against the reference one (the portable
 * back-end): every op of the contract on small odd-sized operands with leading dimensions larger
 * than the rows, both transposes, a failing Cholesky, and the two eigen-solvers. It catches a
 * library with another integer width (ILP64), another calling convention, or wrong kernels for
 * this CPU, before any result depends on it. Tolerance: 1e-10 of the largest magnitude (the
 * computations are O(1)-conditioned; different summation orders differ by ~1e-15). Returns null
 * when every op agrees, else what failed. A few hundred microseconds.
 */
export function selfCheck(candidate: LinalgBackend, reference: LinalgBackend): string | null {
  try {
    return firstFailure(candidate, reference);
  } catch (e) {
    return `self-check threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function firstFailure(cand: LinalgBackend, ref: LinalgBackend): string | null {
  let s = 12345;
  const rnd = (len: number): Float64Array =>
    Float64Array.from({ length: len }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296 - 0.5;
    });
  const agree = (what: string, x: Float64Array, y: Float64Array): string | null => {
    let d = 0, scale = 0;
    for (let i = 0; i < y.length; i++) {
      d = Math.max(d, Math.abs(x[i]! - y[i]!));
      scale = Math.max(scale, Math.abs(y[i]!));
    }
    return d <= 1e-10 * Math.max(scale, 1) && x.length === y.length ? null : `${what} disagrees with the reference (max abs difference ${d})`;
  };
  const both = (what: string, init: Float64Array, run: (b: LinalgBackend, out: Float64Array) => void): string | null => {
    const x = init.slice(), y = init.slice();
    run(cand, x);
    run(ref, y);
    return agree(what, x, y);
  };

  const m = 13, n = 11, k = 37, ld = 41;
  const a = rnd(k * ld), b = rnd(k * ld), c0 = rnd(m * ld);
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const r = both(`dgemm (transA ${ta}, transB ${tb})`, c0, (be, c) => be.gemm(ta, tb, m, n, k, 0.75, a, ld, b, ld, 0.5, c, ld));
    if (r) return r;
  }
  for (const tr of [false, true]) {
    const r = both(`dsyrk (trans ${tr})`, c0, (be, c) => be.syrkLower(tr, m, k, -1, a, ld, 0.5, c, ld));
    if (r) return r;
  }

  // SPD: S = G G^T / p + I (p = 37 columns), n = 29 with leading dimension 31.
  const p = 29, lds = 31;
  const g = rnd(p * k);
  const spd = new Float64Array(p * lds);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let t = i === j ? 1 : 0;
      for (let q = 0; q < k; q++) t += (g[i * k + q]! * g[j * k + q]!) / k;
      spd[i * lds + j] = t;
    }
  }
  const lc = spd.slice(), lr = spd.slice();
  const fc = cand.cholesky(p, lc, lds), fr = ref.cholesky(p, lr, lds);
  if (fc !== -1 || fr !== -1) return `Cholesky of an SPD matrix failed (column ${fc})`;
  const chol = agree("dpotrf", lc, lr);
  if (chol) return chol;
  const rhs = rnd(p * ld);
  for (const [what, op] of [
    ["dtrsm (left)", (be: LinalgBackend, x: Float64Array) => be.trsmLowerLeft(p, n, lr, lds, x, ld)],
    ["dtrsm (left, transposed)", (be: LinalgBackend, x: Float64Array) => be.trsmLowerTransLeft(p, n, lr, lds, x, ld)],
    ["dtrsm (right, transposed)", (be: LinalgBackend, x: Float64Array) => be.trsmLowerTransRight(n, p, lr, lds, x, ld)],
  ] as const) {
    const r = both(what, rhs, op);
    if (r) return r;
  }
  const bad = spd.slice();
  bad[7 * lds + 7] = -1;
  // A negative diagonal entry: the leading minor of order 8 is the first that is not positive.
  const wanted = ref.cholesky(p, bad.slice(), lds), failedAt = cand.cholesky(p, bad, lds);
  if (failedAt !== wanted) return `dpotrf reported column ${failedAt} for a matrix that fails at column ${wanted}`;

  const dense = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) dense[i * p + j] = spd[i * lds + j]!;
  const ev = agree("dsyevd", cand.symmetricEigenvalues(p, dense.slice()), ref.symmetricEigenvalues(p, dense.slice()));
  if (ev) return ev;
  const im = rnd(p * p);
  for (let i = 0; i < p; i++) {
    im[i * p + i] = 0;
    for (let j = 0; j < i; j++) im[i * p + j] = -im[j * p + i]!;
  }
  return agree(
    "zheevd",
    cand.hermitianEigenvalues(p, dense.slice(), im.slice()),
    ref.hermitianEigenvalues(p, dense.slice(), im.slice()),
  );
}
