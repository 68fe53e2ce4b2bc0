import type { FunctionalCheck } from "./functional.js";

/** The functional check in words, for the text report and the JSON summary. */
export function describeFunctional(f: FunctionalCheck): string {
  const pct = (x: number): string => (x < 1e-4 ? x.toExponential(1) : `${(100 * x).toPrecision(2)}%`);
  const lead = `layout ${f.layout}: interior (${f.interiorPositions} positions per channel): max error ${pct(f.interiorRelError)} of max |output|`;
  const border = f.borderPositions === 0 ? "no border positions (the composed window never reaches the padding)" : `border (${f.borderPositions} positions): ${pct(f.borderRelError)}`;
  if (f.layout === "exact") {
    return `${lead}; ${border}; the stack equals one conv with the composed kernel at every position (${pct(f.layoutRelError)}), so all error is the kernel residual's`;
  }
  const why =
    f.borderPositions > 0 && f.borderRelError > 10 * Math.max(f.interiorRelError, 1e-12)
      ? "; the same layout zero-pads the intermediate map, so outputs within the second kernel's reach of the edge differ from the parent: the border effect, not a fitting error (--layout exact removes it)"
      : "";
  return `${lead}; ${border}${why}`;
}
