import { DecomposeError } from "../errors.js";
import type { Shape4, Tensor4 } from "./tensor.js";

/**
 * Grouped convolutions (PyTorch `groups=g`): the weight is (c_out, c_in/g, kh, kw) and output
 * channels [j c_out/g, (j+1) c_out/g) see only input channels [j c_in/g, (j+1) c_in/g). The
 * layer is g independent convolutions, so it splits group by group: parent group j
 * (c_out/g, c_in/g, k) -> f1_j (m/g, c_in/g, k1), f2_j (c_out/g, m/g, k2), and the children are
 *   f1 = concat_j f1_j : (m, c_in/g, k1),  groups = g  (c_in -> m)
 *   f2 = concat_j f2_j : (c_out, m/g, k2), groups = g  (m -> c_out)
 * both concatenations along axis 0, exactly PyTorch's grouped weight layout. A depthwise parent
 * (c_in/g = 1) with m = g gives two depthwise children.
 */

/** Checks that `groups` divides the parent's output channels (c_in/g is the weight's axis 1). */
export function checkGroups(shape: Shape4, groups: number, file?: string): void {
  if (!Number.isInteger(groups) || groups < 1) {
    throw new DecomposeError("E_OPTION", `--groups must be a positive integer, got ${groups}`, file);
  }
  if (shape[0] % groups !== 0) {
    throw new DecomposeError("E_GEOMETRY", `groups=${groups} does not divide the ${shape[0]} output channels`, file);
  }
}

/** Group j of a grouped weight: output channels [j n/g, (j+1) n/g), shape (n/g, a, h, w). */
export function groupSlice(t: Tensor4, groups: number, j: number): Tensor4 {
  const [n, a, h, w] = t.shape;
  const per = n / groups;
  const size = per * a * h * w;
  return { shape: [per, a, h, w], data: t.data.slice(j * size, (j + 1) * size) };
}

/** Concatenate same-shaped group weights along axis 0 (the inverse of `groupSlice`). */
export function concatGroups(parts: readonly Tensor4[]): Tensor4 {
  const first = parts[0];
  if (first === undefined) throw new RangeError("concatGroups: no parts");
  const [per, a, h, w] = first.shape;
  const data = new Float64Array(parts.length * first.data.length);
  parts.forEach((p, j) => {
    if (p.shape.join() !== first.shape.join()) throw new RangeError("concatGroups: parts differ in shape");
    data.set(p.data, j * first.data.length);
  });
  return { shape: [per * parts.length, a, h, w], data };
}
