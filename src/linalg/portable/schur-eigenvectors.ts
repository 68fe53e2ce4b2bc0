import { EPS } from "./real-schur.js";

/**
 * Eigenvectors from a real Schur form H = Z T Z^T (real-schur.ts), by back-substitution on the
 * quasi-triangular T (EISPACK hqr2's second half, as in JAMA; Golub & Van Loan, section 7.6.4):
 * for an eigenvalue lambda = T[j][j] the vector y with (T - lambda I) y = 0, y[j] = 1, y[i > j] = 0,
 * is solved upwards row by row (a 2x2 block of T: two rows at once, a 2x2 real or complex solve);
 * a complex pair p +- i q (the 2x2 block at j-1, j) gives one complex vector y = a + i b,
 * solved the same way in complex arithmetic. Then x = Z y. A zero pivot (a repeated eigenvalue) is
 * replaced by eps ||H||, as EISPACK does, so a defective matrix gets nearly parallel vectors rather
 * than a division by zero.
 *
 * T (n x n, row-major) is destroyed (the vectors of T are built in its upper triangle); Z is not
 * changed. Returns V (n x n, row-major), column j the eigenvector of eigenvalue j in the real
 * storage of EISPACK: a real eigenvalue has a real column; a pair at columns j, j+1 (im[j] > 0)
 * holds a + i b as V[:, j] = a, V[:, j+1] = b, where A (a + i b) = (re[j] + i im[j]) (a + i b), and
 * the eigenvector of the conjugate is a - i b. Each vector is scaled to unit 2-norm (complex norm
 * for a pair), with its largest entry real and positive for a real vector.
 */
export function schurEigenvectors(nn: number, h: Float64Array, z: Float64Array, re: Float64Array, im: Float64Array, norm: number): Float64Array {
  const H = (i: number, j: number): number => h[i * nn + j]!;
  const set = (i: number, j: number, v: number): void => {
    h[i * nn + j] = v;
  };
  if (norm === 0) {
    // The zero matrix: every vector is an eigenvector; Z's columns are an orthonormal basis.
    return z.slice();
  }
  let cr = 0;
  let ci = 0;
  // (xr + i xi) / (yr + i yi), by Smith's algorithm.
  const cdiv = (xr: number, xi: number, yr: number, yi: number): void => {
    if (Math.abs(yr) > Math.abs(yi)) {
      const rr = yi / yr;
      const d = yr + rr * yi;
      cr = (xr + rr * xi) / d;
      ci = (xi - rr * xr) / d;
    } else {
      const rr = yr / yi;
      const d = yi + rr * yr;
      cr = (rr * xr + xi) / d;
      ci = (rr * xi - xr) / d;
    }
  };
  let x = 0, y = 0, w = 0, r = 0, s = 0, t = 0, zz = 0, q = 0;
  for (let n = nn - 1; n >= 0; n--) {
    const p = re[n]!;
    q = im[n]!;
    if (q === 0) {
      // Real vector: column n of the upper triangle of h.
      let l = n;
      set(n, n, 1);
      for (let i = n - 1; i >= 0; i--) {
        w = H(i, i) - p;
        r = 0;
        for (let j = l; j <= n; j++) r += H(i, j) * H(j, n);
        if (im[i]! < 0) {
          // The second row of a 2x2 block comes first (going up): keep it for the block solve.
          zz = w;
          s = r;
        } else {
          l = i;
          if (im[i] === 0) {
            set(i, n, w !== 0 ? -r / w : -r / (EPS * norm));
          } else {
            // Rows i, i+1 of a complex block: [[w, x], [y, zz]] [t; u] = -[r; s].
            x = H(i, i + 1);
            y = H(i + 1, i);
            const d = (re[i]! - p) * (re[i]! - p) + im[i]! * im[i]!;
            t = (x * s - zz * r) / d;
            set(i, n, t);
            set(i + 1, n, Math.abs(x) > Math.abs(zz) ? (-r - w * t) / x : (-s - y * t) / zz);
          }
          t = Math.abs(H(i, n));
          if (EPS * t * t > 1) for (let j = i; j <= n; j++) set(j, n, H(j, n) / t);
        }
      }
    } else if (q < 0) {
      // Complex vector of p + i q (q < 0), in columns n-1 (real part) and n (imaginary part).
      let l = n - 1;
      if (Math.abs(H(n, n - 1)) > Math.abs(H(n - 1, n))) {
        set(n - 1, n - 1, q / H(n, n - 1));
        set(n - 1, n, -(H(n, n) - p) / H(n, n - 1));
      } else {
        cdiv(0, -H(n - 1, n), H(n - 1, n - 1) - p, q);
        set(n - 1, n - 1, cr);
        set(n - 1, n, ci);
      }
      set(n, n - 1, 0);
      set(n, n, 1);
      for (let i = n - 2; i >= 0; i--) {
        let ra = 0;
        let sa = 0;
        for (let j = l; j <= n; j++) {
          ra += H(i, j) * H(j, n - 1);
          sa += H(i, j) * H(j, n);
        }
        w = H(i, i) - p;
        if (im[i]! < 0) {
          zz = w;
          r = ra;
          s = sa;
        } else {
          l = i;
          if (im[i] === 0) {
            cdiv(-ra, -sa, w, q);
            set(i, n - 1, cr);
            set(i, n, ci);
          } else {
            x = H(i, i + 1);
            y = H(i + 1, i);
            let vr = (re[i]! - p) * (re[i]! - p) + im[i]! * im[i]! - q * q;
            const vi = (re[i]! - p) * 2 * q;
            if (vr === 0 && vi === 0) vr = EPS * norm * (Math.abs(w) + Math.abs(q) + Math.abs(x) + Math.abs(y) + Math.abs(zz));
            cdiv(x * r - zz * ra + q * sa, x * s - zz * sa - q * ra, vr, vi);
            set(i, n - 1, cr);
            set(i, n, ci);
            if (Math.abs(x) > Math.abs(zz) + Math.abs(q)) {
              set(i + 1, n - 1, (-ra - w * H(i, n - 1) + q * H(i, n)) / x);
              set(i + 1, n, (-sa - w * H(i, n) - q * H(i, n - 1)) / x);
            } else {
              cdiv(-r - y * H(i, n - 1), -s - y * H(i, n), zz, q);
              set(i + 1, n - 1, cr);
              set(i + 1, n, ci);
            }
          }
          t = Math.max(Math.abs(H(i, n - 1)), Math.abs(H(i, n)));
          if (EPS * t * t > 1) {
            for (let j = i; j <= n; j++) {
              set(j, n - 1, H(j, n - 1) / t);
              set(j, n, H(j, n) / t);
            }
          }
        }
      }
    }
  }
  // Back to the original basis: V = Z Y, Y upper triangular (column j has entries 0..j).
  const v = new Float64Array(nn * nn);
  for (let i = 0; i < nn; i++) {
    for (let j = 0; j < nn; j++) {
      let acc = 0;
      for (let k = 0; k <= j; k++) acc += z[i * nn + k]! * h[k * nn + j]!;
      v[i * nn + j] = acc;
    }
  }
  normaliseColumns(nn, v, im);
  return v;
}

/** Unit 2-norm per eigenvector (a pair's two columns together); a real vector's largest entry positive. */
function normaliseColumns(n: number, v: Float64Array, im: Float64Array): void {
  for (let j = 0; j < n; j++) {
    const pair = im[j]! > 0 && j + 1 < n;
    let ss = 0;
    let big = 0;
    for (let i = 0; i < n; i++) {
      const a = v[i * n + j]!;
      ss += a * a;
      if (pair) ss += v[i * n + j + 1]! ** 2;
      if (Math.abs(a) > Math.abs(big)) big = a;
    }
    const scale = ss > 0 ? (pair || big >= 0 ? 1 : -1) / Math.sqrt(ss) : 0;
    if (scale === 0) continue;
    for (let i = 0; i < n; i++) {
      v[i * n + j]! *= scale;
      if (pair) v[i * n + j + 1]! *= scale;
    }
    if (pair) j++;
  }
}
