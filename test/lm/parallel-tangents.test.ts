/**
 * PARTAN's search (src/lm/parallel-tangents.ts) against closed forms: on a quadratic phi the
 * parabola through the probes is phi itself, so the point returned is phi's exact minimiser
 * (clamped to cMax); for any phi the point returned is the least of those evaluated and never
 * worse than the start (fast-check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parallelTangents } from "../../src/lm/parallel-tangents.js";

const point = (phi: (c: number) => number) => (c: number) => ({ c, rr: phi(c) });

describe("parallelTangents", () => {
  it("when phi is a convex quadratic then the minimiser (clamped to cMax) is found exactly", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 3, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), (c0, a) => {
        // Minimiser away from the probes (0.25, 0.5): there the probes themselves are the answer.
        fc.pre(Math.abs(c0 - 0.25) > 0.03 && Math.abs(c0 - 0.5) > 0.06);
        const phi = (c: number) => a * (c - c0) ** 2 + 1;
        const r = parallelTangents({ c: 0, rr: phi(0) }, point(phi), 0.25, 2);
        const expected = Math.min(c0, 2);
        expect(r.evaluations).toBe(3);
        expect(Math.abs(r.best.c - expected)).toBeLessThan(1e-9);
        expect(r.c).toBe(r.best.c);
      }),
    );
  });

  it("when phi rises along the direction then the start is kept and only the two probes are spent", () => {
    const phi = (c: number) => 1 + c + c * c;
    const at = { c: 0, rr: phi(0) };
    const r = parallelTangents(at, point(phi), 0.25, 2);
    expect(r.best).toBe(at);
    expect(r.c).toBe(0);
    expect(r.evaluations).toBe(2);
  });

  it("when phi is concave then no parabola step is taken and the better probe wins", () => {
    const phi = (c: number) => 1 - c * c;
    const r = parallelTangents({ c: 0, rr: phi(0) }, point(phi), 0.25, 2);
    expect(r.evaluations).toBe(2);
    expect(r.best.c).toBe(0.5);
  });

  it("for any phi the result is the least evaluated value and never above the start", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 5, maxLength: 5 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (coef, h) => {
        const phi = (c: number) => coef.reduce((s, k, i) => s + k * c ** i, 0);
        const seen: number[] = [];
        const evaluate = (c: number) => {
          seen.push(phi(c));
          return { c, rr: phi(c) };
        };
        const at = { c: 0, rr: phi(0) };
        const r = parallelTangents(at, evaluate, h, 2);
        expect(r.best.rr).toBeLessThanOrEqual(at.rr);
        expect(r.best.rr).toBe(Math.min(at.rr, ...seen));
        expect(r.evaluations).toBe(seen.length);
      }),
    );
  });
});
