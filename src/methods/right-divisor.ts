import { luFactor, luSolve, nonsymmetricEigen, nonsymmetricEigenFlops } from "../linalg/nonsymmetric-eigen.js";

/**
 * Monic right divisors of a square matrix polynomial P(z) = sum_{j=0}^{D} P_j z^j (c x c) with an
 * invertible leading coefficient, from its eigenpairs (Gohberg, Lancaster & Rodman, "Matrix
 * Polynomials", chapter 3):
 *  - Linearisation. With B_j = P_D^-1 P_j the block companion matrix
 *      C = [[0, I, 0, ...], [0, 0, I, ...], ..., [-B_0, -B_1, ..., -B_{D-1}]]   (cD x cD)
 *    has C x = lambda x exactly for x = [v; lambda v; ...; lambda^{D-1} v] with P(lambda) v = 0, so
 *    its cD eigenpairs are those of P; v is read from the block of x with the largest norm.
 *  - Divisor. F(z) = I z^{D1} + sum_{j<D1} A_j z^j divides P on the right (P = Q F) when F(lambda_i)
 *    v_i = 0 for cD1 eigenpairs whose block Vandermonde columns [v_i; lambda_i v_i; ...;
 *    lambda_i^{D1-1} v_i] are independent: then the cD1 eigenpairs of F are among P's, and the
 *    division leaves no remainder. The conditions are linear in A = [A_0 ... A_{D1-1}]:
 *      A [v_i; ...; lambda_i^{D1-1} v_i] = -lambda_i^{D1} v_i,
 *    solved in real arithmetic: a real eigenvalue contributes its (real) column, a conjugate pair
 *    the real and imaginary parts of one column (the other member's equation is the conjugate), so
 *    a real F needs the chosen set closed under conjugation. Each column is scaled to unit norm.
 * Which eigenvalues F gets is a choice: balancedAssignment (alternating by modulus), extremeAssignments.
 */
export interface EigenUnit {
  /** The eigenvalue re + i im, im >= 0 (a pair is represented by its member with im > 0). */
  readonly re: number;
  readonly im: number;
  /** 1: a real eigenvalue; 2: a conjugate pair. */
  readonly size: 1 | 2;
  readonly modulus: number;
  /** The eigenvector v = vr + i vi of P (c entries each; vi = 0 for a real eigenvalue), unit norm. */
  readonly vr: Float64Array;
  readonly vi: Float64Array;
}

export type Outcome<T> = { readonly ok: true; readonly value: T; readonly flops: number } | { readonly ok: false; readonly why: string; readonly flops: number };

/** Below this ratio of smallest to largest LU pivot a matrix is treated as singular. */
export const PIVOT_RATIO_MIN = 1e-13;

/** The eigenpairs of P (coeffs[0..D], each c x c row-major) from its block companion matrix. */
export function polynomialEigenpairs(coeffs: readonly Float64Array[], c: number): Outcome<EigenUnit[]> {
  const D = coeffs.length - 1;
  const N = c * D;
  if (D === 0) return { ok: true, value: [], flops: 0 };
  const lead = luFactor(c, coeffs[D]!.slice());
  let flops = (2 / 3) * c ** 3;
  if (!lead.ok || lead.pivotRatio < PIVOT_RATIO_MIN) return { ok: false, why: "the leading coefficient is singular", flops };
  const comp = new Float64Array(N * N);
  for (let i = 0; i < N - c; i++) comp[i * N + i + c] = 1;
  for (let j = 0; j < D; j++) {
    const Bj = luSolve(lead, coeffs[j]!, c); // P_D^-1 P_j
    flops += 2 * c ** 3;
    for (let r = 0; r < c; r++) for (let q = 0; q < c; q++) comp[(N - c + r) * N + j * c + q] = -Bj[r * c + q]!;
  }
  const eig = nonsymmetricEigen(N, comp, { vectors: true });
  flops += nonsymmetricEigenFlops(N, true);
  const V = eig.vectors!;
  const units: EigenUnit[] = [];
  for (let k = 0; k < N; k++) {
    const re = eig.re[k]!;
    const im = eig.im[k]!;
    if (im < 0) continue;
    const modulus = Math.hypot(re, im);
    const block = modulus > 1 ? D - 1 : 0;
    const vr = new Float64Array(c);
    const vi = new Float64Array(c);
    let ss = 0;
    for (let r = 0; r < c; r++) {
      vr[r] = V[(block * c + r) * N + k]!;
      if (im > 0) vi[r] = V[(block * c + r) * N + k + 1]!;
      ss += vr[r]! ** 2 + vi[r]! ** 2;
    }
    const s = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let r = 0; r < c; r++) {
      vr[r]! *= s;
      vi[r]! *= s;
    }
    units.push({ re, im, size: im > 0 ? 2 : 1, modulus, vr, vi });
  }
  return { ok: true, value: units, flops };
}

/**
 * Ways to give `quota` eigenvalues (conjugate pairs together) to the right factor, `total` being
 * all of them. Units are taken in order of modulus and dealt so that the right factor's share stays
 * at quota / total all along (balanced in modulus, so neither factor gets all the large or all the
 * small eigenvalues); `bias` in (-1, 1) shifts the dealing, giving different balanced assignments.
 * A pair that would overshoot goes to the other side; a final count off by one is repaired by
 * moving one real eigenvalue across. Returns undefined when no conjugate-closed set of that size
 * exists (quota odd and no real eigenvalue).
 */
export function balancedAssignment(units: readonly EigenUnit[], quota: number, bias: number): boolean[] | undefined {
  const order = units.map((_, q) => q).sort((x, y) => units[x]!.modulus - units[y]!.modulus);
  const total = units.reduce((a, u) => a + u.size, 0);
  const share = total > 0 ? quota / total : 0;
  const right = new Array<boolean>(units.length).fill(false);
  let given = 0;
  let seen = 0;
  for (const q of order) {
    const size = units[q]!.size;
    seen += size;
    const ideal = share * seen + bias;
    const fits = given + size <= quota;
    const otherFull = seen - given > total - quota; // the other side cannot take it
    if (fits && (otherFull || Math.abs(given + size - ideal) <= Math.abs(given - ideal))) {
      right[q] = true;
      given += size;
    }
  }
  if (given === quota) return right;
  // Off by one: move a real eigenvalue across (the one nearest in modulus to the balance).
  const need = quota - given; // +1: give one more; -1: take one back
  if (Math.abs(need) !== 1) return undefined;
  const candidate = order.find((q) => units[q]!.size === 1 && right[q] === (need < 0));
  if (candidate === undefined) return undefined;
  right[candidate] = need > 0;
  return right;
}

/** Further assignments: the smallest moduli to the right factor, and the largest. */
export function extremeAssignments(units: readonly EigenUnit[], quota: number): boolean[][] {
  const out: boolean[][] = [];
  for (const ascending of [true, false]) {
    const order = units.map((_, q) => q).sort((x, y) => (ascending ? 1 : -1) * (units[x]!.modulus - units[y]!.modulus));
    const right = new Array<boolean>(units.length).fill(false);
    let given = 0;
    for (const q of order) {
      if (given + units[q]!.size <= quota) {
        right[q] = true;
        given += units[q]!.size;
      }
    }
    if (given === quota) out.push(right);
  }
  return out;
}

/**
 * The monic right divisor F (coefficients F_0..F_{D1}, F_{D1} = I, each c x c row-major) through
 * the chosen eigenpairs (cD1 eigenvalues, counting a pair twice), or why not (dependent columns).
 */
export function monicRightDivisor(units: readonly EigenUnit[], chosen: readonly boolean[], c: number, D1: number): Outcome<Float64Array[]> {
  const n = c * D1;
  const identity = new Float64Array(c * c);
  for (let r = 0; r < c; r++) identity[r * c + r] = 1;
  if (D1 === 0) return { ok: true, value: [identity], flops: 0 };
  // Columns of X (n x n) and of B (c x n), stored transposed: row col of Xt is column col of X.
  const Xt = new Float64Array(n * n);
  const Bt = new Float64Array(n * c);
  let col = 0;
  units.forEach((u, q) => {
    if (!chosen[q]) return;
    // x = [v; lambda v; ...; lambda^{D1-1} v] and b = -lambda^{D1} v, in complex arithmetic.
    let pr = Float64Array.from(u.vr);
    let pi = Float64Array.from(u.vi);
    const xr = new Float64Array(n);
    const xi = new Float64Array(n);
    for (let j = 0; j < D1; j++) {
      xr.set(pr, j * c);
      xi.set(pi, j * c);
      const nr = new Float64Array(c);
      const ni = new Float64Array(c);
      for (let r = 0; r < c; r++) {
        nr[r] = u.re * pr[r]! - u.im * pi[r]!;
        ni[r] = u.re * pi[r]! + u.im * pr[r]!;
      }
      pr = nr;
      pi = ni;
    }
    const parts: [Float64Array, Float64Array][] = u.size === 1 ? [[xr, pr]] : [[xr, pr], [xi, pi]];
    for (const [x, b] of parts) {
      let ss = 0;
      for (const e of x) ss += e * e;
      const s = ss > 0 ? 1 / Math.sqrt(ss) : 0;
      for (let r = 0; r < n; r++) Xt[col * n + r] = x[r]! * s;
      for (let r = 0; r < c; r++) Bt[col * c + r] = -b[r]! * s;
      col++;
    }
  });
  if (col !== n) return { ok: false, why: `${col} conditions for ${n} unknowns per row`, flops: 0 };
  // A X = B  <=>  X^T A^T = B^T: one LU of X^T, c right-hand sides.
  const lu = luFactor(n, Xt);
  let flops = (2 / 3) * n ** 3;
  if (!lu.ok || lu.pivotRatio < PIVOT_RATIO_MIN) return { ok: false, why: "the chosen eigenvectors' block Vandermonde matrix is singular", flops };
  const At = luSolve(lu, Bt, c); // (n x c): At[(j c + q), r] = A_j[r, q]
  flops += 2 * n * n * c;
  const coeffs: Float64Array[] = [];
  for (let j = 0; j < D1; j++) {
    const Fj = new Float64Array(c * c);
    for (let r = 0; r < c; r++) for (let q = 0; q < c; q++) Fj[r * c + q] = At[(j * c + q) * c + r]!;
    coeffs.push(Fj);
  }
  coeffs.push(identity);
  return { ok: true, value: coeffs, flops };
}
