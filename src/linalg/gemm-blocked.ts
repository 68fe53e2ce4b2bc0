import { blockConfig } from "./config.js";
import type { GemmKernel } from "./kernels/contract.js";
import { packA, packB } from "./pack.js";
import type { Executor } from "./threads/executor.js";
import { executorFor } from "./threads/pool.js";

/**
 * The blocking loops around the macro-kernel (BLIS gemm_blk_var1..3 + ker_var2), row-major:
 *
 *   for jc over n in steps of nc:          pack op(B)[:, jc..jc+nc] (all k rows, kc-deep chunks)
 *     for ic over m in steps of mc:        copy the C block into the padded workspace buffer
 *       for pc over k in steps of kc:      pack op(A)[ic.., pc..]; macro-kernel (threads split NR-panels)
 *       copy the C block back
 *
 * Keeping the C block resident across the k loop means C crosses the JS/workspace boundary once.
 * `lowerOnly` writes back only elements with row >= column (for SYRK's diagonal blocks), so the
 * strict upper triangle of C is never written.
 */
export interface GemmOptions {
  kernel: GemmKernel;
  /** Force an executor (tests); default: chosen by size and thread count. */
  executor?: Executor;
  lowerOnly?: boolean;
}

const roundUp = (x: number, q: number): number => Math.ceil(x / q) * q;

export function gemmBlocked(
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number,
  opts: GemmOptions,
): void {
  if (m <= 0 || n <= 0) return;
  const lowerOnly = opts.lowerOnly === true;
  if (k <= 0 || alpha === 0) {
    scaleC(m, n, beta, c, ldc, lowerOnly);
    return;
  }
  const kern = opts.kernel;
  const { mr, nr } = kern;
  const cfg = blockConfig;
  const mcMax = Math.max(mr, Math.floor(cfg.mc / mr) * mr);
  const kcMax = cfg.kc;
  const ncCap = Math.max(nr, Math.min(cfg.ncMax, Math.floor(cfg.bPanelDoubles / k / nr) * nr));
  const ncMax = Math.min(roundUp(n, nr), ncCap);

  // Workspace: [A block mcMax x kc | B panel k x ncMax | C block mcPad x ncPad], 16-byte aligned.
  const aOff = 0;
  const bOff = roundUp(mcMax * kcMax, 2);
  const cOff = bOff + roundUp(k * ncMax, 2);
  const wsSize = cOff + mcMax * ncMax;

  const panelsMax = ncMax / nr;
  const exec = opts.executor ?? executorFor(kern, 2 * m * n * k, panelsMax, cfg.parallelMinFlops);

  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    const ncPad = roundUp(nc, nr);
    const panels = ncPad / nr;
    let w = kern.workspace(wsSize);
    for (let pc = 0; pc < k; pc += kcMax) {
      packB(transB, b, ldb, pc, jc, Math.min(kcMax, k - pc), nc, nr, w, bOff + pc * ncPad);
    }
    for (let ic = 0; ic < m; ic += mcMax) {
      const mc = Math.min(mcMax, m - ic);
      if (lowerOnly && ic + mc - 1 < jc) continue; // block strictly above the diagonal
      const mcPad = roundUp(mc, mr);
      w = kern.workspace(wsSize);
      if (beta !== 0) copyIn(mc, nc, c, ic * ldc + jc, ldc, w, cOff, ncPad);
      for (let pc = 0; pc < k; pc += kcMax) {
        const kc = Math.min(kcMax, k - pc);
        packA(transA, a, lda, ic, pc, mc, kc, alpha, mr, w, aOff);
        exec.macro(kern, { mcPad, kc, aOff, bOff: bOff + pc * ncPad, cOff, ldc: ncPad, beta: pc === 0 ? beta : 1 }, panels);
      }
      w = kern.workspace(wsSize);
      if (lowerOnly) copyOutLower(mc, nc, ic - jc, w, cOff, ncPad, c, ic * ldc + jc, ldc);
      else copyOut(mc, nc, w, cOff, ncPad, c, ic * ldc + jc, ldc);
    }
  }
}

function scaleC(m: number, n: number, beta: number, c: Float64Array, ldc: number, lowerOnly: boolean): void {
  for (let i = 0; i < m; i++) {
    const row = i * ldc;
    const end = row + (lowerOnly ? Math.min(n, i + 1) : n);
    if (beta === 0) c.fill(0, row, end);
    else if (beta !== 1) for (let x = row; x < end; x++) c[x] = c[x]! * beta;
  }
}

function copyIn(mc: number, nc: number, c: Float64Array, off: number, ldc: number, w: Float64Array, wOff: number, ldw: number): void {
  for (let i = 0; i < mc; i++) w.set(c.subarray(off + i * ldc, off + i * ldc + nc), wOff + i * ldw);
}

function copyOut(mc: number, nc: number, w: Float64Array, wOff: number, ldw: number, c: Float64Array, off: number, ldc: number): void {
  for (let i = 0; i < mc; i++) c.set(w.subarray(wOff + i * ldw, wOff + i * ldw + nc), off + i * ldc);
}

/** Copy back only (i, j) with i + rowMinusCol >= j, i.e. global row >= global column. */
function copyOutLower(mc: number, nc: number, rowMinusCol: number, w: Float64Array, wOff: number, ldw: number, c: Float64Array, off: number, ldc: number): void {
  for (let i = 0; i < mc; i++) {
    const len = Math.min(nc, i + rowMinusCol + 1);
    if (len > 0) c.set(w.subarray(wOff + i * ldw, wOff + i * ldw + len), off + i * ldc);
  }
}
