/** Where the fixtures and the NumPy peer live, and how to load a 4-D fixture as a float64 tensor. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { readNpy } from "../../src/io/npy.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIXTURES = join(REPO_ROOT, "fixtures");
/** The NumPy peer, beside the repository (`../shared/peers/numpy_reference.py` from the root). */
export const PEER = resolve(REPO_ROOT, "..", "shared", "peers", "numpy_reference.py");
export const hasPeer = existsSync(PEER);

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function loadTensor4(name: string): Tensor4 {
  const a = readNpy(fixturePath(name));
  if (a.shape.length !== 4) throw new RangeError(`${name}: expected 4-D, got [${a.shape.join(", ")}]`);
  const [p, q, r, s] = a.shape as [number, number, number, number];
  return { shape: [p, q, r, s], data: a.data };
}

export function loadVector(name: string): Float64Array {
  return readNpy(fixturePath(name)).data;
}

/** One case of fixtures/expectations.json (the NumPy peer's recorded figures). */
export interface PeerCase {
  readonly filters: number;
  readonly iters?: number;
  readonly k1: number | number[];
  readonly k2: number | number[];
  readonly lower_bound_rel: number;
  readonly seed_projected?: { readonly rel_residual: number; readonly unprojected_rel_residual: number };
  readonly structured_als?: { readonly rel_residual: number };
}

interface Expectations {
  readonly [file: string]: { readonly cases?: readonly PeerCase[] } | string;
}

export function peerCase(file: string, filters: number, iters?: number): PeerCase {
  const all = JSON.parse(readFileSync(join(FIXTURES, "expectations.json"), "utf8")) as Expectations;
  const entry = all[file];
  if (entry === undefined || typeof entry === "string" || entry.cases === undefined) {
    throw new Error(`expectations.json has no cases for ${file}`);
  }
  const c = entry.cases.find((k) => k.filters === filters && (iters === undefined || k.iters === iters));
  if (c === undefined) throw new Error(`expectations.json: ${file} has no case with filters ${filters}, iters ${iters}`);
  return c;
}
