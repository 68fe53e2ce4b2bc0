/**
 * bfloat16: the top half of an IEEE 754 binary32 (1 sign, 8 exponent bits biased by 127,
 * 7 fraction bits). Decoding is exact; encoding rounds straight from float64 to nearest, ties to
 * even (going through float32 first would round twice).
 */

/** Exact value of a bfloat16 bit pattern. */
export function bfloat16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 7) & 0xff;
  const frac = bits & 0x7f;
  if (exp === 0) return sign * frac * 2 ** -133;
  if (exp === 0xff) return frac === 0 ? sign * Infinity : NaN;
  return sign * (128 + frac) * 2 ** (exp - 134);
}

/** Nearest bfloat16 to `x`; subnormals kept, overflow to Inf, NaN to the quiet NaN 0x7fc0. */
export function numberToBfloat16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  // Largest finite is (2 - 2^-7) 2^127; halfway to 2^128 rounds up to Inf.
  if (a >= (2 - 2 ** -8) * 2 ** 127) return sign | 0x7f80;
  if (a < 2 ** -126) return sign | roundHalfEven(a * 2 ** 133); // subnormal; 128 rolls into 0x0080
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const m = roundHalfEven((a / 2 ** e - 1) * 128); // exact: scaling by 2^k and Sterbenz
  return sign | ((((e + 127) << 7) + m) & 0x7fff); // m === 128 carries into the exponent
}

function roundHalfEven(y: number): number {
  const r = Math.floor(y);
  const d = y - r;
  return d > 0.5 || (d === 0.5 && r % 2 === 1) ? r + 1 : r;
}
