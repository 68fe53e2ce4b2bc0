import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_MIN_GAIN, GAIN_FORECAST, forecastGain, stopReason } from "../../src/als/stopping.js";
import { defaultAlsOptions } from "../../src/als/options.js";

const opts = { ...defaultAlsOptions, maxIter: 1000, minGain: DEFAULT_MIN_GAIN };

/** The first n at which the rule stops the trace (or undefined), scanning prefixes as a run would. */
function stopsAt(trace: readonly number[], o = opts): { n: number; reason: string } | undefined {
  for (let n = 1; n <= trace.length; n++) {
    const r = stopReason(trace.slice(0, n), o);
    if (r !== undefined) return { n, reason: r };
  }
  return undefined;
}

describe("gain-forecast stopping rule", () => {
  it("forecasts window x the largest of the last drops", () => {
    // drops 0.04, 0.02, 0.01, 0.005: the largest of the last three is 0.02
    expect(forecastGain([1, 0.96, 0.94, 0.93, 0.925])).toBeCloseTo(GAIN_FORECAST.window * 0.02, 12);
    expect(forecastGain([1, 0.9])).toBe(Infinity);
  });

  it("stops a geometric tail once 10 more iterations would gain < 0.1%, never before, and the loss is bounded", () => {
    // r_n = r_inf + c q^n: the true remaining gain after n is c q^n (sum of all later drops).
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.double({ min: 0.3, max: 0.95, noNaN: true }), (rInf, c, q) => {
        const trace = Array.from({ length: 400 }, (_, n) => rInf + c * q ** (n + 1));
        const s = stopsAt(trace, { ...opts, stallTol: 0 });
        expect(s).toBeDefined();
        const n = s!.n;
        expect(s!.reason).toBe("gain-forecast");
        const last = trace[n - 1]!;
        // At the stop, the largest recent drop times the window is below the threshold ...
        expect(forecastGain(trace.slice(0, n))).toBeLessThan(DEFAULT_MIN_GAIN * last);
        // ... so the next 10 iterations really gain less than 0.1% (drops only shrink here).
        expect((last - trace[Math.min(n - 1 + 10, trace.length - 1)]!) / last).toBeLessThan(DEFAULT_MIN_GAIN);
        // And one iteration earlier the rule did not hold (it did not stop early).
        if (n > GAIN_FORECAST.minIterations) expect(forecastGain(trace.slice(0, n - 1))).toBeGreaterThanOrEqual(DEFAULT_MIN_GAIN * trace[n - 2]!);
      }),
      { seed: 10, numRuns: 300 },
    );
  });

  it("never stops a run with steady drops above the threshold, nor one heading for an exact split", () => {
    const steady = Array.from({ length: 60 }, (_, n) => 1 - 3e-4 * n); // 0.3% per 10 iterations
    expect(stopsAt(steady.slice(0, 30), { ...opts, maxIter: 30 })?.reason).toBe("max-iter");
    const exact = Array.from({ length: 40 }, (_, n) => 0.5 * 0.5 ** n);
    expect(stopsAt(exact)?.reason).toBe("tolerance");
  });

  it("one small step among steady ones does not stop the run (the largest of the last three drops)", () => {
    const t = [1, 0.9, 0.85, 0.82, 0.8, 0.79, 0.785, 0.78499, 0.78];
    expect(stopsAt(t)).toBeUndefined();
  });

  it("is off with minGain 0 and does not act before minIterations", () => {
    const flat = [1, 0.99999, 0.99998, 0.99997, 0.99996];
    expect(stopsAt(flat, { ...opts, minGain: 0, stallTol: 0 })).toBeUndefined();
    expect(stopsAt(flat, { ...opts, stallTol: 0 })).toBeUndefined(); // 5 < minIterations
    expect(stopsAt([...flat, 0.99995], { ...opts, stallTol: 0 })?.reason).toBe("gain-forecast");
  });
});
