import type { Size2, Tensor4 } from "../geometry/tensor.js";

/**
 * Unknown vectors of a structured half-step, X ((m, ah, aw) x J), back to kernels:
 *   f1 step (J = c_in):  f1[p, j, a] = X[(p, a), j]   -> (m, c_in, ah, aw)
 *   f2 step (J = c_out): f2[j, p, a] = X[(p, a), j]   -> (c_out, m, ah, aw)
 */
export function f1FromSolution(X: Float64Array, m: number, a: Size2, J: number): Tensor4 {
  const A = a.h * a.w;
  const out = new Float64Array(m * J * A);
  for (let p = 0; p < m; p++) {
    for (let t = 0; t < A; t++) {
      const row = (p * A + t) * J;
      for (let j = 0; j < J; j++) out[(p * J + j) * A + t] = X[row + j]!;
    }
  }
  return { shape: [m, J, a.h, a.w], data: out };
}

export function f2FromSolution(X: Float64Array, m: number, a: Size2, J: number): Tensor4 {
  const A = a.h * a.w;
  const out = new Float64Array(J * m * A);
  for (let p = 0; p < m; p++) {
    for (let t = 0; t < A; t++) {
      const row = (p * A + t) * J;
      for (let j = 0; j < J; j++) out[(j * m + p) * A + t] = X[row + j]!;
    }
  }
  return { shape: [J, m, a.h, a.w], data: out };
}

/** The inverses: f1 (m, J, ah, aw) -> X ((m, a) x J), f2 (J, m, ah, aw) -> X ((m, a) x J). */
export function f1ToSolution(f1: Tensor4): Float64Array {
  const [m, J, ah, aw] = f1.shape;
  const A = ah * aw;
  const X = new Float64Array(f1.data.length);
  for (let p = 0; p < m; p++) {
    for (let j = 0; j < J; j++) {
      const src = (p * J + j) * A;
      for (let t = 0; t < A; t++) X[(p * A + t) * J + j] = f1.data[src + t]!;
    }
  }
  return X;
}

export function f2ToSolution(f2: Tensor4): Float64Array {
  const [J, m, ah, aw] = f2.shape;
  const A = ah * aw;
  const X = new Float64Array(f2.data.length);
  for (let j = 0; j < J; j++) {
    for (let p = 0; p < m; p++) {
      const src = (j * m + p) * A;
      for (let t = 0; t < A; t++) X[(p * A + t) * J + j] = f2.data[src + t]!;
    }
  }
  return X;
}
