/**
 * Outputs must be finite: before a factor is written in a narrower dtype, count the values that
 * would round to ±Inf there (float16: |x| >= 65520, halfway past 65504; float32 and bfloat16:
 * past 2^128 - 2^103 and its bfloat16 counterpart; float64: already non-finite) and refuse the
 * dtype, naming how many, instead of writing Inf.
 */
import { DecomposeError } from "../errors.js";
import { numberToBfloat16Bits } from "./bf16.js";
import { numberToFloat16Bits } from "./npy.js";

export type OutputDtype = "float16" | "float32" | "float64" | "bfloat16";

const LARGEST: Readonly<Record<OutputDtype, string>> = { float16: "65504", float32: "3.4028235e38", bfloat16: "3.3895314e38", float64: "1.7976931e308" };

function overflows(x: number, dtype: OutputDtype): boolean {
  if (!Number.isFinite(x)) return true;
  switch (dtype) {
    case "float16":
      return (numberToFloat16Bits(x) & 0x7c00) === 0x7c00;
    case "bfloat16":
      return (numberToBfloat16Bits(x) & 0x7f80) === 0x7f80;
    case "float32":
      return !Number.isFinite(Math.fround(x));
    case "float64":
      return false;
  }
}

/**
 * Refuse `dtype` for `values` (named `what`: f1, f2, f2.bias, a layer's f1) when any would
 * overflow; `explicit` says whether --dtype chose it (else it is the parent's).
 */
export function checkRepresentable(values: Float64Array, dtype: OutputDtype, what: string, explicit: boolean, file: string | undefined): void {
  let count = 0;
  for (let q = 0; q < values.length; q++) if (overflows(values[q]!, dtype)) count++;
  if (count === 0) return;
  const beyond = `${count} of the ${values.length} values of ${what} are beyond ${dtype}'s largest finite value ${LARGEST[dtype]}`;
  throw new DecomposeError(
    "E_OPTION",
    dtype === "float64"
      ? `${beyond}: no output dtype holds them (a --noise or --init-noise that large overflows the factors)`
      : explicit
        ? `--dtype ${dtype}: ${beyond}`
        : `${beyond} (${dtype} is the parent's dtype; give --dtype float64)`,
    file,
  );
}
