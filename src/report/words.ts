import type { FunctionalCheck } from "./functional.js";

/** The border effect in words, for the text report and the JSON summary. */
export function describeFunctional(f: FunctionalCheck): string {
  const pct = (x: number): string => (x < 1e-4 ? x.toExponential(1) : `${(100 * x).toPrecision(2)}%`);
  const inner =
    `interior (${f.interiorPositions} positions per channel): max error ${pct(f.interiorRelError)} of max |output|`;
  if (f.borderPositions === 0) return `${inner}; no border positions (1x1 second conv)`;
  const border = `border (${f.borderPositions} positions): ${pct(f.borderRelError)}`;
  const why =
    f.borderRelError > 10 * Math.max(f.interiorRelError, 1e-12)
      ? " — the stacked convs zero-pad the intermediate map, so outputs within the second kernel's reach of the edge differ from the parent; this is the border effect, not a fitting error"
      : "";
  return `${inner}; ${border}${why}`;
}
