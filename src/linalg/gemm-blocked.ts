import { blockConfig } from "./config.js";
import type { GemmKernel, MacroArgs } from "./kernels/contract.js";
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
 * The loops run as a flat list of macro-kernel steps, software-pipelined: the A block, the C block
 * and the B panel each have two workspace buffers, and while the other threads compute step s the
 * calling thread packs A (and copies C in) for step s + 1, copies the previous C block out and packs
 * a share of the next B panel; then it joins step s. Packing is identical and every panel is still
 * computed by one kernel call in one order, so results do not depend on the thread count.
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

interface Step {
  jc: number; nc: number; ic: number; mc: number; pc: number; kc: number;
  /** Index of the B panel (distinct jc among the steps) and of the C block, for buffer parity. */
  jb: number; cb: number;
  /** First / last k step of its C block. */
  first: boolean; last: boolean;
}

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

  // The steps, in loop order; blocks strictly above the diagonal are skipped when lowerOnly.
  const steps: Step[] = [];
  let jb = -1, cb = -1;
  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    let panelUsed = false;
    for (let ic = 0; ic < m; ic += mcMax) {
      const mc = Math.min(mcMax, m - ic);
      if (lowerOnly && ic + mc - 1 < jc) continue;
      if (!panelUsed) { jb++; panelUsed = true; }
      cb++;
      for (let pc = 0; pc < k; pc += kcMax) {
        const kc = Math.min(kcMax, k - pc);
        steps.push({ jc, nc, ic, mc, pc, kc, jb, cb, first: pc === 0, last: pc + kc >= k });
      }
    }
  }
  if (steps.length === 0) return;
  const twoPanels = jb > 0, twoBlocks = cb > 0;

  // Workspace: [A block x2 | B panel x (1 or 2) | C block x (1 or 2)], 16-byte aligned.
  const aSize = roundUp(mcMax * kcMax, 2);
  const bSize = roundUp(k * ncMax, 2);
  const cSize = roundUp(mcMax * ncMax, 2);
  const aOffs = [0, aSize];
  const bOffs = [2 * aSize, twoPanels ? 2 * aSize + bSize : 2 * aSize];
  const cBase = bOffs[1]! + bSize;
  const cOffs = [cBase, twoBlocks ? cBase + cSize : cBase];
  const wsSize = cOffs[1]! + cSize;

  const panelsMax = ncMax / nr;
  const exec = opts.executor ?? executorFor(kern, 2 * m * n * k, panelsMax, cfg.parallelMinFlops);
  const w = kern.workspace(wsSize);

  /** The kc-deep chunks of a B panel, packed a few at a time: [jc, next pc to pack]. */
  const packBChunk = (jc: number, nc: number, pc: number, off: number): void => {
    packB(transB, b, ldb, pc, jc, Math.min(kcMax, k - pc), nc, nr, w, off + pc * roundUp(nc, nr));
  };
  const packWholePanel = (s: Step): void => {
    for (let pc = 0; pc < k; pc += kcMax) packBChunk(s.jc, s.nc, pc, bOffs[s.jb & 1]!);
  };
  const prepare = (s: Step, parity: number): void => {
    if (s.first && beta !== 0) copyIn(s.mc, s.nc, c, s.ic * ldc + s.jc, ldc, w, cOffs[s.cb & 1]!, roundUp(s.nc, nr));
    packA(transA, a, lda, s.ic, s.pc, s.mc, s.kc, alpha, mr, w, aOffs[parity]!);
  };
  const writeBack = (s: Step): void => {
    const off = cOffs[s.cb & 1]!, ld = roundUp(s.nc, nr);
    if (lowerOnly) copyOutLower(s.mc, s.nc, s.ic - s.jc, w, off, ld, c, s.ic * ldc + s.jc, ldc);
    else copyOut(s.mc, s.nc, w, off, ld, c, s.ic * ldc + s.jc, ldc);
  };

  // Next B panel being packed ahead: its first step's index, and the next chunk's pc.
  let nextPanelStep = steps.findIndex((s) => s.jb === 1);
  let nextPanelPc = 0;
  packWholePanel(steps[0]!);
  prepare(steps[0]!, 0);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (i === nextPanelStep) {
      // This step's panel must be complete; then look ahead to the panel after it.
      for (; nextPanelPc < k; nextPanelPc += kcMax) packBChunk(s.jc, s.nc, nextPanelPc, bOffs[s.jb & 1]!);
      nextPanelStep = steps.findIndex((t, j) => j > i && t.jb === s.jb + 1);
      nextPanelPc = 0;
    }
    const ncPad = roundUp(s.nc, nr);
    const args: MacroArgs = {
      mcPad: roundUp(s.mc, mr), kc: s.kc, aOff: aOffs[i & 1]!, bOff: bOffs[s.jb & 1]! + s.pc * ncPad,
      cOff: cOffs[s.cb & 1]!, ldc: ncPad, beta: s.first ? beta : 1,
    };
    exec.begin(kern, args, ncPad / nr);
    // Overlapped with the other threads: nothing below touches this step's A, B panel or C block.
    if (i > 0 && steps[i - 1]!.last) writeBack(steps[i - 1]!);
    if (i + 1 < steps.length) prepare(steps[i + 1]!, (i + 1) & 1);
    if (nextPanelStep > 0 && nextPanelPc < k) {
      const t = steps[nextPanelStep]!;
      const chunksLeft = Math.ceil((k - nextPanelPc) / kcMax);
      const stepsLeft = nextPanelStep - i;
      for (let q = Math.ceil(chunksLeft / stepsLeft); q > 0 && nextPanelPc < k; q--, nextPanelPc += kcMax) {
        packBChunk(t.jc, t.nc, nextPanelPc, bOffs[t.jb & 1]!);
      }
    }
    exec.finish();
  }
  writeBack(steps[steps.length - 1]!);
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
