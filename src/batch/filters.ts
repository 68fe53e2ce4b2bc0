/**
 * `--filters`: how many middle channels m each layer gets.
 *   `16`    a count, the same for every layer (with groups g, m must be a multiple of g);
 *   `0.5x`  a ratio of each layer's smaller channel count, per group: m_g = max(1, round(r * min(c_out/g, c_in/g)));
 *   `auto`  chosen per layer by the quality code (`setAutoFilters` installs it).
 */
import { parsePositiveInt } from "../cli-parse.js";
import { DecomposeError } from "../errors.js";
import type { Shape4, Tensor4 } from "../geometry/tensor.js";

export type FiltersSpec =
  | { readonly kind: "count"; readonly m: number }
  | { readonly kind: "ratio"; readonly ratio: number }
  | { readonly kind: "auto"; readonly text: string };

/** Picks m for one group's parent (c_out/g, c_in/g, kh, kw); `text` is the option as given. */
export type AutoFilters = (parent: Tensor4, text: string) => number;

let autoFilters: AutoFilters | undefined;

/** The hook for `--filters auto`: the quality code registers its chooser here. */
export function setAutoFilters(f: AutoFilters | undefined): void {
  autoFilters = f;
}

export function parseFiltersSpec(s: string): FiltersSpec {
  const t = s.trim();
  if (/^auto\b/i.test(t)) return { kind: "auto", text: t };
  if (/x$/i.test(t)) {
    const ratio = Number(t.slice(0, -1));
    if (t.length < 2 || !Number.isFinite(ratio) || ratio <= 0) {
      throw new DecomposeError("E_OPTION", `--filters ratio must be a positive number followed by x (like 0.5x), got '${s}'`);
    }
    return { kind: "ratio", ratio };
  }
  return { kind: "count", m: parsePositiveInt("filters", s) };
}

/**
 * Middle channels per group for a parent of `shape` (c_out, c_in/g, kh, kw) split in `groups`
 * groups; a `DecomposeError` when the spec does not fit the layer (the batch lists it as skipped).
 * `group` gives one group's parent, needed only for `auto`.
 */
export function filtersPerGroup(spec: FiltersSpec, shape: Shape4, groups: number, group?: () => Tensor4): number {
  const cOutG = shape[0] / groups;
  const cInG = shape[1];
  switch (spec.kind) {
    case "count":
      if (spec.m % groups !== 0) {
        throw new DecomposeError("E_OPTION", `--filters ${spec.m} is not a multiple of groups=${groups}`);
      }
      return spec.m / groups;
    case "ratio":
      return Math.max(1, Math.round(spec.ratio * Math.min(cOutG, cInG)));
    case "auto":
      if (autoFilters === undefined || group === undefined) {
        throw new DecomposeError("E_OPTION", "--filters auto is not available in this build; give a count (16) or a ratio (0.5x)");
      }
      return autoFilters(group(), spec.text);
  }
}

export function formatFiltersSpec(spec: FiltersSpec): string {
  return spec.kind === "count" ? String(spec.m) : spec.kind === "ratio" ? `${spec.ratio}x` : spec.text;
}
