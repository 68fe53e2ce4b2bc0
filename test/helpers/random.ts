/**
 * Test-side random numbers, independent of src/random.ts (so a bug there cannot hide one here):
 * a 32-bit LCG (Numerical Recipes constants) with Box-Muller normals.
 */
export class TestRng {
  private s: number;

  constructor(seed: number) {
    this.s = (seed * 2654435761 + 12345) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s / 4294967296;
  }

  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  normals(n: number, std = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = std * this.normal();
    return out;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }
}
