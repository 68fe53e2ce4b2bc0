/**
 * The pieces of the matrix-polynomial method: the Moebius change of variable (src/methods/mobius.ts)
 * and the monic right divisor from eigenpairs (src/methods/right-divisor.ts), against polynomial
 * products and evaluations written out here, and NumPy's roots for the scalar case.
 */
import { describe, expect, it } from "vitest";
import { IDENTITY_MOBIUS, inverseMobiusTransform, mobiusTransform, REVERSAL_MOBIUS, rotationMobius } from "../../src/methods/mobius.js";
import { balancedAssignment, monicRightDivisor, polynomialEigenpairs, type EigenUnit } from "../../src/methods/right-divisor.js";
import { pythonJson, skipUnlessPython } from "../helpers/python.js";
import { TestRng } from "../helpers/random.js";

/** The product of matrix polynomials A(z) B(z) (coefficients lowest first; A_i r x s, B_j s x t). */
function polyProduct(A: Float64Array[], B: Float64Array[], r: number, s: number, t: number): Float64Array[] {
  const out = Array.from({ length: A.length + B.length - 1 }, () => new Float64Array(r * t));
  A.forEach((a, i) => B.forEach((b, j) => {
    for (let x = 0; x < r; x++) for (let y = 0; y < t; y++) for (let z = 0; z < s; z++) out[i + j]![x * t + y]! += a[x * s + z]! * b[z * t + y]!;
  }));
  return out;
}

const randomPoly = (deg: number, c: number, rng: TestRng): Float64Array[] => Array.from({ length: deg + 1 }, () => rng.normals(c * c));
const maxDiff = (a: Float64Array[], b: Float64Array[]): number => Math.max(...a.map((x, j) => Math.max(...Array.from(x, (v, q) => Math.abs(v - b[j]![q]!)))));

/** P(lambda) v for complex lambda and v (P_j c x c). */
function evaluate(P: Float64Array[], c: number, re: number, im: number, vr: Float64Array, vi: Float64Array): number {
  let outR = new Float64Array(c);
  let outI = new Float64Array(c);
  // Horner from the top: out = out * lambda + P_j v.
  for (let j = P.length - 1; j >= 0; j--) {
    const nr = new Float64Array(c);
    const ni = new Float64Array(c);
    for (let x = 0; x < c; x++) {
      nr[x] = outR[x]! * re - outI[x]! * im;
      ni[x] = outR[x]! * im + outI[x]! * re;
      for (let y = 0; y < c; y++) {
        nr[x]! += P[j]![x * c + y]! * vr[y]!;
        ni[x]! += P[j]![x * c + y]! * vi[y]!;
      }
    }
    outR = nr;
    outI = ni;
  }
  let ss = 0;
  for (let x = 0; x < c; x++) ss += outR[x]! ** 2 + outI[x]! ** 2;
  return Math.sqrt(ss);
}

describe("Moebius change of variable", () => {
  it("the inverse change gives the polynomial back; the reversal reverses the coefficients", () => {
    const P = randomPoly(4, 3, new TestRng(1));
    for (const m of [IDENTITY_MOBIUS, REVERSAL_MOBIUS, rotationMobius(0.4), rotationMobius(2.5), [2, 1, -1, 3] as const]) {
      expect(maxDiff(inverseMobiusTransform(mobiusTransform(P, m), m), P)).toBeLessThan(1e-12);
    }
    const R = mobiusTransform(P, REVERSAL_MOBIUS);
    expect(maxDiff(R, [...P].reverse())).toBe(0);
  });

  it("preserves factorisations: (F2 F1)~ = F2~ F1~, each factor at its own degree", () => {
    const rng = new TestRng(2);
    const F1 = randomPoly(2, 3, rng);
    const F2 = randomPoly(1, 3, rng);
    const m = rotationMobius(1.3);
    const lhs = mobiusTransform(polyProduct(F2, F1, 3, 3, 3), m);
    const rhs = polyProduct(mobiusTransform(F2, m), mobiusTransform(F1, m), 3, 3, 3);
    expect(maxDiff(lhs, rhs)).toBeLessThan(1e-13);
  });
});

describe("eigenpairs and monic right divisors", () => {
  it("the companion's eigenpairs satisfy P(lambda) v = 0; the scalar case matches numpy.roots", (ctx) => {
    const c = 4;
    const P = randomPoly(3, c, new TestRng(3));
    const eig = polynomialEigenpairs(P, c);
    expect(eig.ok).toBe(true);
    if (!eig.ok) return;
    expect(eig.value.reduce((a, u) => a + u.size, 0)).toBe(12);
    for (const u of eig.value) expect(evaluate(P, c, u.re, u.im, u.vr, u.vi)).toBeLessThan(1e-11);
    const scalar = [Float64Array.of(6), Float64Array.of(-5), Float64Array.of(1), Float64Array.of(2)]; // 2z^3 + z^2 - 5z + 6
    const roots = skipUnlessPython(pythonJson<[number, number][]>("import json, numpy as np; print(json.dumps([[float(r.real), abs(float(r.imag))] for r in np.roots([2, 1, -5, 6])]))", null), ctx, "test/methods/right-divisor.test.ts (numpy roots)");
    const s = polynomialEigenpairs(scalar, 1);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    for (const [re, im] of roots) expect(Math.min(...s.value.map((u) => Math.hypot(u.re - re, u.im - im)))).toBeLessThan(1e-12);
  });

  it("a singular leading coefficient is refused, as data", () => {
    const P = randomPoly(2, 2, new TestRng(4));
    P[2] = Float64Array.from([1, 2, 2, 4]);
    const eig = polynomialEigenpairs(P, 2);
    expect(eig.ok).toBe(false);
  });

  it("the divisor through chosen eigenpairs is monic, vanishes on them, and divides P exactly", () => {
    const c = 3;
    const P = randomPoly(3, c, new TestRng(5));
    const eig = polynomialEigenpairs(P, c);
    if (!eig.ok) throw new Error(eig.why);
    const deal = balancedAssignment(eig.value, c * 2, 0)!;
    const F = monicRightDivisor(eig.value, deal, c, 2);
    if (!F.ok) throw new Error(F.why);
    expect(Array.from(F.value[2]!)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    eig.value.forEach((u, q) => {
      if (deal[q]) expect(evaluate(F.value, c, u.re, u.im, u.vr, u.vi)).toBeLessThan(1e-10);
    });
    // P = Q F with Q of degree 1: Q_1 = P_3 (F monic), Q_0 = P_2 - Q_1 F_1; the remainder must vanish.
    const Q1 = P[3]!;
    const Q0 = P[2]!.map((v, q) => v - polyProduct([Q1], [F.value[1]!], c, c, c)[0]![q]!);
    expect(maxDiff(polyProduct([Q0, Q1], F.value, c, c, c), P)).toBeLessThan(1e-10);
  });

  it("deals: the quota is met with pairs kept together, balanced in modulus; impossible when all complex and the quota odd", () => {
    const unit = (modulus: number, size: 1 | 2): EigenUnit => ({ re: size === 1 ? modulus : 0, im: size === 2 ? modulus : 0, size, modulus, vr: new Float64Array(1), vi: new Float64Array(1) });
    const units = [unit(0.1, 1), unit(0.5, 2), unit(1, 1), unit(2, 2), unit(3, 1), unit(4, 1)]; // 8 eigenvalues
    for (const bias of [0, 0.5, -0.5]) {
      const deal = balancedAssignment(units, 4, bias)!;
      expect(units.reduce((a, u, q) => a + (deal[q] ? u.size : 0), 0)).toBe(4);
      // Balanced: both sides hold some of the smallest half and some of the largest half.
      expect(deal.slice(0, 3).some(Boolean) && deal.slice(3).some(Boolean)).toBe(true);
      expect(deal.slice(0, 3).some((x) => !x) && deal.slice(3).some((x) => !x)).toBe(true);
    }
    expect(balancedAssignment([unit(1, 2), unit(2, 2)], 1, 0)).toBeUndefined();
    expect(balancedAssignment([unit(1, 2), unit(2, 1), unit(3, 1)], 1, 0)).toBeDefined();
  });
});
