import { DecomposeError } from "../errors.js";
import { formatSize2, type Shape4, type Size2 } from "./tensor.js";

/**
 * The geometry of one split (DESIGN.md, "Layout and semantics"):
 *   parent W (c_out, c_in, kh, kw) -> f1 (m, c_in, k1h, k1w), f2 (c_out, m, k2h, k2w),
 *   composed size ke = k1 + k2 - 1 per axis, target T = W zero-padded by (ke - k) / 2 per side.
 */
export interface SplitGeometry {
  readonly cOut: number;
  readonly cIn: number;
  readonly m: number;
  readonly k: Size2;
  readonly k1: Size2;
  readonly k2: Size2;
  readonly ke: Size2;
  /** Zero padding added to each side of the parent to form the target, per axis. */
  readonly targetPad: Size2;
}

function checkAxis(axis: "height" | "width", k: number, k1: number, k2: number): string | undefined {
  const ke = k1 + k2 - 1;
  if (ke >= k && (ke - k) % 2 === 0) return undefined;
  // Suggest k2 values that work with this k1 (and the default k1 = k2 = k).
  const ok: number[] = [];
  for (let c = 1; ok.length < 3 && c <= k + 2 * Math.max(k1, 1) + 4; c++) {
    const e = k1 + c - 1;
    if (e >= k && (e - k) % 2 === 0) ok.push(c);
  }
  const why = ke < k ? `is smaller than the parent's ${k}` : `differs from the parent's ${k} by an odd amount`;
  return (
    `${axis}: k1 + k2 - 1 = ${k1} + ${k2} - 1 = ${ke} ${why}; ` +
    `need k1 + k2 - 1 >= k and (k1 + k2 - 1 - k) even (with k1 = ${k1}, k2 could be ${ok.join(", ")})`
  );
}

export function resolveGeometry(parent: Shape4, m: number, k1?: Size2, k2?: Size2, file?: string): SplitGeometry {
  const [cOut, cIn, kh, kw] = parent;
  if (!Number.isInteger(m) || m < 1) {
    throw new DecomposeError("E_OPTION", `--filters must be a positive integer, got ${m}`, file);
  }
  const k: Size2 = { h: kh, w: kw };
  const a1 = k1 ?? k;
  const a2 = k2 ?? k;
  for (const [name, s] of [["k1", a1], ["k2", a2]] as const) {
    if (!Number.isInteger(s.h) || !Number.isInteger(s.w) || s.h < 1 || s.w < 1) {
      throw new DecomposeError("E_GEOMETRY", `--${name} must be positive integers, got ${formatSize2(s)}`, file);
    }
  }
  const hProblem = checkAxis("height", kh, a1.h, a2.h);
  const wProblem = checkAxis("width", kw, a1.w, a2.w);
  // Square cases fail identically on both axes: say it once.
  const problems =
    hProblem !== undefined && wProblem !== undefined && kh === kw && a1.h === a1.w && a2.h === a2.w
      ? [hProblem.replace(/^height: /, "")]
      : [hProblem, wProblem].filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new DecomposeError(
      "E_GEOMETRY",
      `kernel sizes k1=${formatSize2(a1)}, k2=${formatSize2(a2)} do not fit the ${kh}x${kw} parent: ${problems.join("; ")}`,
      file,
    );
  }
  const ke: Size2 = { h: a1.h + a2.h - 1, w: a1.w + a2.w - 1 };
  return { cOut, cIn, m, k, k1: a1, k2: a2, ke, targetPad: { h: (ke.h - kh) / 2, w: (ke.w - kw) / 2 } };
}

/** The parent's padding when it ran as "same" (odd kernels): (k - 1) / 2 per axis, floored. */
export function samePadding(k: Size2): Size2 {
  return { h: Math.floor((k.h - 1) / 2), w: Math.floor((k.w - 1) / 2) };
}

/**
 * Paddings for the two child convs so their stack matches a parent that ran with padding `p`:
 * p1 + p2 = p + (ke - k) / 2 per axis. p1 takes the centred share of k1 ((k1 - 1) / 2, floored),
 * p2 the rest. Returns undefined on an axis where the rest would be negative.
 */
export interface ChildPadding {
  readonly p1: Size2;
  readonly p2: Size2;
}

export function childPadding(g: SplitGeometry, parentPadding: Size2): ChildPadding | undefined {
  const total = { h: parentPadding.h + g.targetPad.h, w: parentPadding.w + g.targetPad.w };
  const p1 = { h: Math.min(Math.floor((g.k1.h - 1) / 2), total.h), w: Math.min(Math.floor((g.k1.w - 1) / 2), total.w) };
  const p2 = { h: total.h - p1.h, w: total.w - p1.w };
  if (p2.h < 0 || p2.w < 0) return undefined;
  return { p1, p2 };
}
