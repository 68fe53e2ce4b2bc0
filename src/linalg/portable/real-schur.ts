import { DecomposeError } from "../../errors.js";

/**
 * The real Schur form of an upper Hessenberg matrix by the Francis double-shift QR iteration
 * (Golub & Van Loan, Algorithms 7.5.1-7.5.2; EISPACK hqr2's iteration, as in JAMA):
 *   H = Z T Z^T,  T upper quasi-triangular (1x1 blocks: real eigenvalues; 2x2 blocks: complex
 *   conjugate pairs), Z orthogonal.
 * The active window is [l, n]: deflate at the bottom when a subdiagonal entry is negligible
 * (zero, or |H[l][l-1]| < eps (|H[l-1][l-1]| + |H[l][l]|)), taking one real eigenvalue (l = n) or a 2x2 block
 * (l = n - 1; a real pair is rotated to triangular form, a complex pair is kept as a block);
 * otherwise one implicit double-shift step with the eigenvalues of the trailing 2x2 block as the
 * shifts, starting where two consecutive subdiagonal entries are small, chasing a 3x3 Householder
 * bulge down the window. Exceptional shifts break cycles (Wilkinson's at 10, 30, 50, ...
 * iterations without deflation, MATLAB's at 20, 40, ...). More than `maxIterations` iterations
 * without a deflation is a typed E_NUMERIC error: never a hang.
 *
 * H (n x n, row-major, Hessenberg) is overwritten by T; Z (n x n, row-major) is multiplied on the
 * right by the accumulated transformations (pass Q from the Hessenberg reduction to get the Schur
 * vectors of the original matrix). The eigenvalues come back as (re[j], im[j]); a complex pair
 * occupies j, j + 1 with im[j] > 0 > im[j + 1]. `norm` is the sum of |H[i][j]| over the Hessenberg
 * part, the scale the eigenvector back-substitution needs. About 10 n^3 flops with Z.
 */
export interface RealSchur {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly norm: number;
}

export const EPS = 2 ** -52;

export function realSchur(nn: number, h: Float64Array, z: Float64Array, maxIterations = 30 * Math.max(10, nn)): RealSchur {
  const H = (i: number, j: number): number => h[i * nn + j]!;
  const set = (i: number, j: number, v: number): void => {
    h[i * nn + j] = v;
  };
  const re = new Float64Array(nn);
  const im = new Float64Array(nn);
  let norm = 0;
  for (let i = 0; i < nn; i++) for (let j = Math.max(i - 1, 0); j < nn; j++) norm += Math.abs(H(i, j));

  let n = nn - 1;
  let exshift = 0;
  let iter = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, zz = 0;
  while (n >= 0) {
    // The bottom of the active window: the last negligible subdiagonal entry at or above n.
    let l = n;
    while (l > 0) {
      s = Math.abs(H(l - 1, l - 1)) + Math.abs(H(l, l));
      if (s === 0) s = norm;
      if (H(l, l - 1) === 0 || Math.abs(H(l, l - 1)) < EPS * s) break;
      l--;
    }
    if (l === n) {
      // One real eigenvalue.
      set(n, n, H(n, n) + exshift);
      re[n] = H(n, n);
      im[n] = 0;
      n--;
      iter = 0;
    } else if (l === n - 1) {
      // A 2x2 block: eigenvalues x + p +- sqrt(p^2 + w) of [[a, b], [c, d]], p = (a - d) / 2, w = b c.
      w = H(n, n - 1) * H(n - 1, n);
      p = (H(n - 1, n - 1) - H(n, n)) / 2;
      q = p * p + w;
      zz = Math.sqrt(Math.abs(q));
      set(n, n, H(n, n) + exshift);
      set(n - 1, n - 1, H(n - 1, n - 1) + exshift);
      x = H(n, n);
      if (q >= 0) {
        // Real pair: rotate the block to upper triangular form.
        zz = p >= 0 ? p + zz : p - zz;
        re[n - 1] = x + zz;
        re[n] = zz !== 0 ? x - w / zz : re[n - 1]!;
        im[n - 1] = 0;
        im[n] = 0;
        x = H(n, n - 1);
        s = Math.abs(x) + Math.abs(zz);
        p = x / s;
        q = zz / s;
        r = Math.sqrt(p * p + q * q);
        p /= r;
        q /= r;
        for (let j = n - 1; j < nn; j++) {
          zz = H(n - 1, j);
          set(n - 1, j, q * zz + p * H(n, j));
          set(n, j, q * H(n, j) - p * zz);
        }
        for (let i = 0; i <= n; i++) {
          zz = H(i, n - 1);
          set(i, n - 1, q * zz + p * H(i, n));
          set(i, n, q * H(i, n) - p * zz);
        }
        for (let i = 0; i < nn; i++) {
          const zi = z[i * nn + n - 1]!;
          z[i * nn + n - 1] = q * zi + p * z[i * nn + n]!;
          z[i * nn + n] = q * z[i * nn + n]! - p * zi;
        }
      } else {
        // Complex pair x + p +- i sqrt(-q), kept as a 2x2 block.
        re[n - 1] = x + p;
        re[n] = x + p;
        im[n - 1] = zz;
        im[n] = -zz;
      }
      n -= 2;
      iter = 0;
    } else {
      // No deflation yet: the shifts are the eigenvalues of the trailing 2x2 block (x, y, w).
      x = H(n, n);
      y = H(n - 1, n - 1);
      w = H(n, n - 1) * H(n - 1, n);
      if (iter > 0 && iter % 20 === 10) {
        // Wilkinson's ad hoc shift.
        exshift += x;
        for (let i = 0; i <= n; i++) set(i, i, H(i, i) - x);
        s = Math.abs(H(n, n - 1)) + Math.abs(H(n - 1, n - 2));
        x = y = 0.75 * s;
        w = -0.4375 * s * s;
      }
      if (iter > 0 && iter % 20 === 0) {
        // MATLAB's ad hoc shift.
        s = (y - x) / 2;
        s = s * s + w;
        if (s > 0) {
          s = Math.sqrt(s);
          if (y < x) s = -s;
          s = x - w / ((y - x) / 2 + s);
          for (let i = 0; i <= n; i++) set(i, i, H(i, i) - s);
          exshift += s;
          x = y = w = 0.964;
        }
      }
      iter++;
      if (iter > maxIterations) {
        throw new DecomposeError("E_NUMERIC", `the Francis QR iteration did not converge: ${maxIterations} iterations without deflating eigenvalue ${n + 1} of ${nn}`);
      }
      // Start where two consecutive subdiagonal entries are small (the bulge stays negligible above).
      let m = n - 2;
      while (m >= l) {
        zz = H(m, m);
        r = x - zz;
        s = y - zz;
        p = (r * s - w) / H(m + 1, m) + H(m, m + 1);
        q = H(m + 1, m + 1) - zz - r - s;
        r = H(m + 2, m + 1);
        s = Math.abs(p) + Math.abs(q) + Math.abs(r);
        p /= s;
        q /= s;
        r /= s;
        if (m === l) break;
        if (Math.abs(H(m, m - 1)) * (Math.abs(q) + Math.abs(r)) < EPS * (Math.abs(p) * (Math.abs(H(m - 1, m - 1)) + Math.abs(zz) + Math.abs(H(m + 1, m + 1))))) break;
        m--;
      }
      for (let i = m + 2; i <= n; i++) {
        set(i, i - 2, 0);
        if (i > m + 2) set(i, i - 3, 0);
      }
      // The double QR step on rows l..n and columns m..n: a 3x3 (last: 2x2) reflector per k.
      for (let k = m; k <= n - 1; k++) {
        const notLast = k !== n - 1;
        if (k !== m) {
          p = H(k, k - 1);
          q = H(k + 1, k - 1);
          r = notLast ? H(k + 2, k - 1) : 0;
          x = Math.abs(p) + Math.abs(q) + Math.abs(r);
          if (x === 0) continue;
          p /= x;
          q /= x;
          r /= x;
        }
        s = Math.sqrt(p * p + q * q + r * r);
        if (p < 0) s = -s;
        if (s === 0) continue;
        if (k !== m) set(k, k - 1, -s * x);
        else if (l !== m) set(k, k - 1, -H(k, k - 1));
        p += s;
        x = p / s;
        y = q / s;
        zz = r / s;
        q /= p;
        r /= p;
        for (let j = k; j < nn; j++) {
          p = H(k, j) + q * H(k + 1, j);
          if (notLast) {
            p += r * H(k + 2, j);
            set(k + 2, j, H(k + 2, j) - p * zz);
          }
          set(k, j, H(k, j) - p * x);
          set(k + 1, j, H(k + 1, j) - p * y);
        }
        for (let i = 0; i <= Math.min(n, k + 3); i++) {
          p = x * H(i, k) + y * H(i, k + 1);
          if (notLast) {
            p += zz * H(i, k + 2);
            set(i, k + 2, H(i, k + 2) - p * r);
          }
          set(i, k, H(i, k) - p);
          set(i, k + 1, H(i, k + 1) - p * q);
        }
        for (let i = 0; i < nn; i++) {
          const row = i * nn;
          p = x * z[row + k]! + y * z[row + k + 1]!;
          if (notLast) {
            p += zz * z[row + k + 2]!;
            z[row + k + 2]! -= p * r;
          }
          z[row + k]! -= p;
          z[row + k + 1]! -= p * q;
        }
      }
    }
  }
  return { re, im, norm };
}
