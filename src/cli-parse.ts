import { DecomposeError } from "./errors.js";
import type { Size2 } from "./geometry/tensor.js";

/** Option-value parsers for the CLI: strict, each error one line naming the option. */

export function parsePositiveInt(name: string, s: string): number {
  const v = Number(s);
  if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(v) || v < 1) {
    throw new DecomposeError("E_OPTION", `--${name} must be a positive integer, got '${s}'`);
  }
  return v;
}

export function parseNonNegativeInt(name: string, s: string): number {
  const v = Number(s);
  if (!/^\s*\d+\s*$/.test(s) || !Number.isSafeInteger(v)) {
    throw new DecomposeError("E_OPTION", `--${name} must be a non-negative integer, got '${s}'`);
  }
  return v;
}

export function parseNonNegativeNumber(name: string, s: string): number {
  const v = Number(s);
  if (s.trim() === "" || !Number.isFinite(v) || v < 0) {
    throw new DecomposeError("E_OPTION", `--${name} must be a finite number >= 0, got '${s}'`);
  }
  return v;
}

/** `3` (square) or `3x1` (height x width), each a positive integer. */
export function parseSize2(name: string, s: string): Size2 {
  const m = /^\s*(\d+)(?:\s*[xX]\s*(\d+))?\s*$/.exec(s);
  const h = m ? Number(m[1]) : NaN;
  const w = m ? (m[2] !== undefined ? Number(m[2]) : h) : NaN;
  if (!(h >= 1 && w >= 1)) throw new DecomposeError("E_OPTION", `--${name} must be N or HxW with positive integers, got '${s}'`);
  return { h, w };
}

/** `same`, `N` or `HxW` (N may be 0). */
export function parsePadding(s: string): Size2 | "same" {
  if (s.trim() === "same") return "same";
  const m = /^\s*(\d+)(?:\s*[xX]\s*(\d+))?\s*$/.exec(s);
  if (!m) throw new DecomposeError("E_OPTION", `--padding must be 'same', N or HxW, got '${s}'`);
  const h = Number(m[1]);
  return { h, w: m[2] !== undefined ? Number(m[2]) : h };
}

export function parseChoice<T extends string>(name: string, s: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === s);
  if (found === undefined) throw new DecomposeError("E_OPTION", `--${name} must be one of ${choices.join(", ")}, got '${s}'`);
  return found;
}
