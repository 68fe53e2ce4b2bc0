/**
 * What m a split can use, and what it would cost, checked before any work.
 *
 * Useful m: compose(f1, f2) = Σ_p f2[:, p] ⊛ f1[p]. If f1's row p (a vector of c_in·k1h·k1w
 * numbers) is a linear combination Σ_q a_q f1[q] of the others, its term equals
 * Σ_q a_q f2[:, p] ⊛ f1[q] and is absorbed by f2[:, q] += a_q f2[:, p]: once m exceeds
 * c_in·k1h·k1w (the most independent rows f1 can have) the extra channels add nothing. The same
 * holds for f2's columns and c_out·k2h·k2w. So m above min(c_in·k1h·k1w, c_out·k2h·k2w) is
 * refused, saying why.
 *
 * Memory: the structured method's normal equations for m middle channels and unknown taps a
 * hold the lag sums (m² (2a_h-1)(2a_w-1) doubles) and then the normal matrix (m² a_h a_w), for
 * a = k1 and a = k2 in turn; their sum for the larger side bounds the working set. A split whose
 * bound exceeds MAX_WORKING_BYTES is refused with the figure it needs.
 */
import { DecomposeError } from "../errors.js";
import type { Size2 } from "../geometry/tensor.js";
import { formatBytes } from "../io/limits.js";

/** The most memory one split may plan for (8 GiB). */
export const MAX_WORKING_BYTES = 8 * 2 ** 30;

export function usefulFilters(cOut: number, cIn: number, k1: Size2, k2: Size2): number {
  return Math.min(cIn * k1.h * k1.w, cOut * k2.h * k2.w);
}

/** Bytes the normal equations of a split need at their largest (module comment). */
export function workingBytes(m: number, k1: Size2, k2: Size2): number {
  const side = (a: Size2): number => m * m * ((2 * a.h - 1) * (2 * a.w - 1) + a.h * a.w) * 8;
  return Math.max(side(k1), side(k2));
}

/** Refuse m beyond what any split can use, or beyond the memory limit; `file` names the parent. */
export function checkSplitSize(cOut: number, cIn: number, m: number, k1: Size2, k2: Size2, file: string | undefined): void {
  const useful = usefulFilters(cOut, cIn, k1, k2);
  if (m > useful) {
    throw new DecomposeError(
      "E_OPTION",
      `--filters ${m} is more than any split of this parent can use: beyond m = ${useful} = min(c_in·k1h·k1w, c_out·k2h·k2w) ` +
        `= min(${cIn}·${k1.h}·${k1.w}, ${cOut}·${k2.h}·${k2.w}) extra middle channels are linear combinations of the others`,
      file,
    );
  }
  const need = workingBytes(m, k1, k2);
  if (need > MAX_WORKING_BYTES) {
    throw new DecomposeError(
      "E_LIMIT",
      `--filters ${m} needs about ${formatBytes(need)} for the normal equations, over the limit of ${formatBytes(MAX_WORKING_BYTES)}`,
      file,
    );
  }
}
