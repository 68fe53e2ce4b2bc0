/**
 * `--method polynomial` (src/methods/matrix-polynomial.ts): exact splits of square 1-D geometries
 * (m = c_in = c_out, k1 + k2 - 1 = k) by factorising T(z) = F2(z) F1(z). Residuals are checked
 * with the brute-force composition of test/helpers/oracles.ts (no code shared with src/), against
 * structured ALS at the same settings, on singular leading coefficients, on a polynomial with no
 * real factorisation (it must fall back and say so), and through the CLI (default choice, report,
 * refusal).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultAlsOptions } from "../../src/als/options.js";
import { structuredAls } from "../../src/als/methods/structured.js";
import { main, type CliIo } from "../../src/cli.js";
import { decompose } from "../../src/decompose.js";
import { resolveGeometry } from "../../src/geometry/shapes.js";
import type { Size2, Tensor4 } from "../../src/geometry/tensor.js";
import { serializeNpy } from "../../src/io/npy.js";
import { matrixPolynomial, matrixPolynomialUnavailable } from "../../src/methods/matrix-polynomial.js";
import { classifyRegime } from "../../src/quality/regime.js";
import { cleanup, parseJson, tempDir } from "../cli/helpers.js";
import { loadTensor4 } from "../helpers/fixtures.js";
import { bruteCompose, relDiff, type Arr4 } from "../helpers/oracles.js";
import { TestRng } from "../helpers/random.js";

afterAll(cleanup);

type Axis = "h" | "w";
const along = (axis: Axis, n: number): Size2 => (axis === "w" ? { h: 1, w: n } : { h: n, w: 1 });
const shape1d = (a: number, b: number, axis: Axis, n: number): [number, number, number, number] => (axis === "w" ? [a, b, 1, n] : [a, b, n, 1]);
const randomParent = (c: number, k: number, axis: Axis, seed: number): Tensor4 => ({ shape: shape1d(c, c, axis, k), data: new TestRng(seed).normals(c * c * k) });

/** Relative residual of the factors by the brute-force oracle against the parent (ke = k: no padding). */
const bruteResidual = (W: Tensor4, f1: Arr4, f2: Arr4): number => relDiff(bruteCompose(f1, f2).data, W.data);

describe("polynomial on random 1-D parents", () => {
  it("c = 2..16, k = 3..7, every k1 + k2 - 1 = k split, both axes: residual <= 1e-10 (brute-force composition)", () => {
    const worst: string[] = [];
    let cases = 0;
    for (const c of [2, 3, 4, 5, 7, 8, 11, 16]) {
      for (let k = 3; k <= 7; k++) {
        for (let k1 = 2; k1 < k; k1++) {
          const axis: Axis = (c + k + k1) % 2 === 0 ? "w" : "h";
          const W = randomParent(c, k, axis, 1000 * c + 10 * k + k1);
          const g = resolveGeometry(W.shape, c, along(axis, k1), along(axis, k + 1 - k1));
          const r = matrixPolynomial(W, g, defaultAlsOptions);
          const rel = bruteResidual(W, r.f1, r.f2);
          cases++;
          if (!(rel <= 1e-10) || r.construction?.exact !== true) worst.push(`c=${c} k=${k} k1=${k1} ${axis}: ${rel.toExponential(2)} (${r.construction?.description})`);
        }
      }
    }
    expect(cases).toBe(120);
    expect(worst).toEqual([]);
  });

  it("structured ALS at the same geometry stalls near 1e-2 (100 sweeps) where the factorisation is exact", () => {
    for (const [c, k, k1] of [[8, 3, 2], [16, 5, 3]] as const) {
      const W = randomParent(c, k, "w", c + k);
      const g = resolveGeometry(W.shape, c, along("w", k1), along("w", k + 1 - k1));
      const als = structuredAls(W, g, { ...defaultAlsOptions, maxIter: 100, init: "spectral" });
      const poly = matrixPolynomial(W, g, defaultAlsOptions);
      expect(bruteResidual(W, als.f1, als.f2)).toBeGreaterThan(1e-3);
      expect(bruteResidual(W, poly.f1, poly.f2)).toBeLessThan(1e-10);
    }
  });

  it("an exactly factorable parent (the oracle's composition of random f1, f2) is recovered to 1e-12", () => {
    const c = 6;
    const rng = new TestRng(42);
    const f1: Arr4 = { shape: [c, c, 1, 3], data: rng.normals(c * c * 3) };
    const f2: Arr4 = { shape: [c, c, 1, 2], data: rng.normals(c * c * 2) };
    const W = bruteCompose(f1, f2);
    const g = resolveGeometry(W.shape, c, { h: 1, w: 3 }, { h: 1, w: 2 });
    const r = matrixPolynomial(W, g, defaultAlsOptions);
    expect(bruteResidual(W, r.f1, r.f2)).toBeLessThan(1e-12);
  });

  it("a singular leading coefficient is handled by the other end; both ends singular by a rotation", () => {
    const c = 5;
    const k = 4;
    for (const ends of [[k - 1], [0, k - 1]]) {
      const W = randomParent(c, k, "w", 7 + ends.length);
      // Make tap j of rank c - 1: its last output row a copy of the first.
      for (const j of ends) for (let i = 0; i < c; i++) W.data[((c - 1) * c + i) * k + j] = W.data[(0 * c + i) * k + j]!;
      const g = resolveGeometry(W.shape, c, along("w", 2), along("w", 3));
      const r = matrixPolynomial(W, g, defaultAlsOptions);
      expect(bruteResidual(W, r.f1, r.f2), `singular taps ${ends.join(", ")}`).toBeLessThan(1e-10);
      expect(r.construction?.description).toMatch(ends.length === 1 ? /variable 1\/z/ : /variable rotation/);
    }
  });

  it("no real factorisation (c = 1, T(z) = 1 + z^2, roots +-i): falls back to structured ALS and says so; the regime says none exists", () => {
    const W: Tensor4 = { shape: [1, 1, 1, 3], data: Float64Array.from([1, 0, 1]) };
    const g = resolveGeometry(W.shape, 1, along("w", 2), along("w", 2));
    const r = matrixPolynomial(W, g, defaultAlsOptions);
    expect(r.construction?.exact).toBe(false);
    expect(r.construction?.description).toMatch(/no conjugate-closed choice/);
    expect(r.construction?.description).toMatch(/structured ALS/);
    // Every real product (a + b z)(c + d z) has real roots: it cannot come near 1 + z^2.
    expect(bruteResidual(W, r.f1, r.f2)).toBeGreaterThan(0.1);
    const d = decompose(W, { filters: 1, k1: along("w", 2), k2: along("w", 2), functional: false });
    expect(d.report.method).toBe("polynomial");
    expect(r.construction?.impossible).toBe(true);
    expect(d.report.quality?.regime.exact).toBe(false);
    expect(d.report.quality?.regime.description).toMatch(/proven impossible here/);
  });
});

/** The middle row W[:, :, kh / 2 : kh / 2 + 1, :] of a real trained layer: a (c, c, 1, kw) 1-D parent. */
function middleRow(W: Tensor4): Tensor4 {
  const [o, i, kh, kw] = W.shape;
  const y = Math.floor(kh / 2);
  const data = new Float64Array(o * i * kw);
  for (let q = 0; q < o * i; q++) for (let x = 0; x < kw; x++) data[q * kw + x] = W.data[(q * kh + y) * kw + x]!;
  return { shape: [o, i, 1, kw], data };
}

describe("polynomial on rows of real trained layers (fixtures/README.md)", () => {
  it.each([
    ["facerec-conv32-1-conv1.npy", 2],
    ["upscaler-upn1.npy", 3],
    ["upscaler-upn1.npy", 2],
  ] as const)("the middle row of %s, k1 = 1x%i: residual <= 1e-10 where structured ALS (30 sweeps) stays above 1e-3", (name, k1) => {
    const W = middleRow(loadTensor4(name));
    const [c, , , k] = W.shape;
    const g = resolveGeometry(W.shape, c, along("w", k1), along("w", k + 1 - k1));
    const r = matrixPolynomial(W, g, defaultAlsOptions);
    expect(bruteResidual(W, r.f1, r.f2)).toBeLessThan(1e-10);
    const als = structuredAls(W, g, { ...defaultAlsOptions, init: "spectral" });
    expect(bruteResidual(W, als.f1, als.f2)).toBeGreaterThan(1e-3);
  });
});

describe("the regime and the default choice", () => {
  it("before solving the regime is matrix-polynomial with exact unknown; after the construction exact is true, shown", () => {
    const W = randomParent(4, 3, "w", 3);
    const g = resolveGeometry(W.shape, 4, along("w", 2), along("w", 2));
    const before = classifyRegime(g, W);
    expect(before.name).toBe("matrix-polynomial");
    expect(before.exact).toBeNull();
    expect(before.counts.parameters).toBe(before.counts.equations);
    const d = decompose(W, { filters: 4, k1: along("w", 2), k2: along("w", 2), functional: false });
    expect(d.report.method).toBe("polynomial");
    expect(d.report.methodChoice.requested).toBe("auto");
    expect(d.report.residual.rel).toBeLessThan(1e-10);
    expect(d.report.quality?.regime.exact).toBe(true);
    expect(d.report.quality?.regime.exactFilters).toBe(4);
    expect(d.report.quality?.regime.description).toMatch(/shown by construction/);
  });

  it("unavailable: a 2-D parent, m != c, c_in != c_out, a padded target; available on both 1-D axes", () => {
    const geo = (shape: [number, number, number, number], m: number, k1: Size2, k2: Size2) => resolveGeometry(shape, m, k1, k2);
    expect(matrixPolynomialUnavailable(geo([4, 4, 3, 3], 4, { h: 2, w: 2 }, { h: 2, w: 2 }))).toMatch(/1-D/);
    expect(matrixPolynomialUnavailable(geo([4, 4, 1, 3], 3, along("w", 2), along("w", 2)))).toMatch(/m = c_in = c_out/);
    expect(matrixPolynomialUnavailable(geo([4, 5, 1, 3], 4, along("w", 2), along("w", 2)))).toMatch(/m = c_in = c_out/);
    expect(matrixPolynomialUnavailable(geo([4, 4, 1, 3], 4, along("w", 3), along("w", 3)))).toMatch(/no zero padding/);
    expect(matrixPolynomialUnavailable(geo([4, 4, 1, 3], 4, along("w", 2), along("w", 2)))).toBeUndefined();
    expect(matrixPolynomialUnavailable(geo([4, 4, 5, 1], 4, along("h", 3), along("h", 3)))).toBeUndefined();
  });
});

describe("the CLI", () => {
  const fakeIo = () => {
    const io = { out: "", err: "", stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t), env: {}, stdoutIsTTY: false } satisfies CliIo & { out: string; err: string };
    return io;
  };
  const writeParent = (name: string, W: Tensor4): string => {
    const dir = tempDir("poly");
    const path = join(dir, name);
    writeFileSync(path, serializeNpy(W.shape, W.data, "float64"));
    return path;
  };

  it("--k1 1x2 --k2 1x2 on a 1x3 parent at m = c: auto picks polynomial, the report says so and the residual is exact", async () => {
    const input = writeParent("oned.npy", randomParent(6, 3, "w", 11));
    const io = fakeIo();
    expect(await main([input, "--filters", "6", "--k1", "1x2", "--k2", "1x2", "--json"], io)).toBe(0);
    const rep = parseJson(io.out);
    expect(rep["method"]).toBe("polynomial");
    expect(rep["residual"]).toMatchObject({});
    expect((rep["residual"] as { rel: number }).rel).toBeLessThan(1e-10);
    expect((rep["methodChoice"] as { requested: string; reason: string }).reason).toMatch(/matrix polynomial/);
    expect((rep["quality"] as { regime: { name: string; exact: boolean } }).regime).toMatchObject({ name: "matrix-polynomial", exact: true });
    const text = fakeIo();
    expect(await main([input, "--filters", "6", "--k1", "1x2", "--k2", "1x2", "--force"], text)).toBe(0);
    expect(text.out).toMatch(/polynomial/);
    expect(text.out).toMatch(/shown by construction/);
  });

  it("--method polynomial on a 3x3 parent: exit 2, one line naming the method and why", async () => {
    const input = writeParent("square.npy", { shape: [4, 4, 3, 3], data: new TestRng(2).normals(144) });
    const io = fakeIo();
    expect(await main([input, "--filters", "4", "--method", "polynomial"], io)).toBe(2);
    expect(io.out).toBe("");
    const lines = io.err.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--method polynomial: needs a 1-D parent/);
  });
});
