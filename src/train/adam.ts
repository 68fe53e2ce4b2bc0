/**
 * Adam (Kingma & Ba 2015, Algorithm 1) on one flat parameter array, in place:
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
 */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    readonly lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-12,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(p: Float64Array, g: Float64Array, lr = this.lr): void {
    this.t++;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = (this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * gi);
      const vi = (this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * gi * gi);
      p[i]! -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + this.eps);
    }
  }
}
