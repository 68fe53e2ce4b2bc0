/**
 * Which arrays of the dumps are layers to split, with which bias and groups.
 *
 * - In `.npz`/`.safetensors` dumps every 4-D array is a candidate; other arrays are not layers
 *   (they are copied through). A `.npy` input is a candidate whatever its shape, since the user
 *   named it, unless it is the bias of another input.
 * - `--select` / `--exclude` (regular expressions, searched in the array name) filter candidates.
 * - Bias: the 1-D float array named like the weight with `.weight` replaced by `.bias` (or
 *   `<name>.bias`), of length c_out, in the same dump (for `.npy` inputs: among the inputs).
 * - Groups: `--groups g` for every layer; by default inferred only when unambiguous: a weight
 *   (c, 1, kh, kw) right after a 4-D weight with the same c outputs is depthwise (groups = c),
 *   as in MobileNet's pointwise -> depthwise pairs; everything else is groups = 1.
 * - Candidates that cannot be split are planned as skipped, with the reason.
 */
import { isDecomposeError, type ErrorCode } from "../errors.js";
import type { Shape4 } from "../geometry/tensor.js";
import { formatShape } from "../io/npy.js";
import { decodeArray, type Dump, type DumpArray } from "./dump.js";

export interface SelectOptions {
  readonly select?: RegExp;
  readonly exclude?: RegExp;
  /** A fixed group count, or "auto" (inferred when unambiguous, else 1). */
  readonly groups: number | "auto";
  /** --k1 or --k2 was given: 1x1 parents are split too (as a low-rank channel product). */
  readonly explicitSizes: boolean;
}

interface EntryBase {
  /** Index of the dump in the inputs. */
  readonly dump: number;
  readonly array: DumpArray;
}

export interface PlannedLayer extends EntryBase {
  readonly status: "planned";
  readonly shape: Shape4;
  readonly data: Float64Array;
  readonly bias: DumpArray | null;
  readonly biasData: Float64Array | null;
  readonly groups: number;
  readonly groupsInferred: boolean;
}

export interface PlannedSkip extends EntryBase {
  readonly status: "skipped";
  readonly code: ErrorCode;
  readonly reason: string;
}

export type PlanEntry = PlannedLayer | PlannedSkip;

export interface Plan {
  /** Candidates in input order (dump by dump, array by array). */
  readonly entries: readonly PlanEntry[];
  /** Arrays used as a layer's bias (left out of the copied-through arrays when the layer splits). */
  readonly biases: ReadonlySet<DumpArray>;
}

export function planLayers(dumps: readonly Dump[], o: SelectOptions): Plan {
  const entries: PlanEntry[] = [];
  const biases = new Set<DumpArray>();
  const npyInputs = dumps.filter((d) => d.format === "npy").map((d) => d.arrays[0]!);
  dumps.forEach((d, dump) => {
    const pool = d.format === "npy" ? npyInputs : d.arrays;
    let previous: DumpArray | undefined;
    for (const array of d.arrays) {
      const prev = previous;
      if (array.shape.length === 4) previous = array;
      const candidate = d.format === "npy" ? !isBiasOfInput(array, npyInputs) : array.shape.length === 4;
      if (!candidate || !selected(array.name, o)) continue;
      const skip = (code: ErrorCode, reason: string): void => void entries.push({ status: "skipped", dump, array, code, reason });
      if (array.shape.length !== 4) {
        skip("E_SHAPE", `not 4-D: shape ${formatShape(array.shape)}`);
        continue;
      }
      const shape: Shape4 = [array.shape[0]!, array.shape[1]!, array.shape[2]!, array.shape[3]!];
      if (!array.float) {
        skip("E_DTYPE", `dtype ${array.dtype} is not a float type`);
        continue;
      }
      if (shape.some((n) => n === 0)) {
        skip("E_SHAPE", `shape ${formatShape(shape)} has a zero-size axis`);
        continue;
      }
      if (shape[2] === 1 && shape[3] === 1 && !o.explicitSizes) {
        skip("E_GEOMETRY", "1x1 kernel: nothing spatial to split with the default sizes (give --k1/--k2 to split it anyway)");
        continue;
      }
      const { groups, inferred } = chooseGroups(shape, prev, o.groups);
      if (shape[0] % groups !== 0) {
        skip("E_GEOMETRY", `groups=${groups} does not divide the ${shape[0]} output channels`);
        continue;
      }
      let data: Float64Array;
      try {
        data = decodeArray(array, d.file);
      } catch (e) {
        if (!isDecomposeError(e)) throw e;
        skip(e.code, e.message);
        continue;
      }
      const bias = findBias(array, shape[0], pool);
      const biasData = bias === null ? null : tryDecode(bias, d.file);
      if (bias !== null && biasData !== null) biases.add(bias);
      entries.push({
        status: "planned",
        dump,
        array,
        shape,
        data,
        bias: biasData === null ? null : bias,
        biasData,
        groups,
        groupsInferred: inferred,
      });
    }
  });
  return { entries, biases };
}

function selected(name: string, o: SelectOptions): boolean {
  if (o.select && !o.select.test(name)) return false;
  if (o.exclude && o.exclude.test(name)) return false;
  return true;
}

/** The names a weight's bias may have: `x.weight` -> `x.bias`, and `<name>.bias`. */
export function biasNames(weight: string): string[] {
  const names = [`${weight}.bias`];
  if (weight.endsWith(".weight")) names.unshift(`${weight.slice(0, -".weight".length)}.bias`);
  else if (weight.endsWith("weight")) names.unshift(`${weight.slice(0, -"weight".length)}bias`);
  return names;
}

function findBias(weight: DumpArray, cOut: number, pool: readonly DumpArray[]): DumpArray | null {
  for (const n of biasNames(weight.name)) {
    const b = pool.find((a) => a.name === n);
    if (b && b.float && b.shape.length === 1 && b.shape[0] === cOut) return b;
  }
  return null;
}

/** A 1-D `.npy` input that is the bias of a 4-D input. */
function isBiasOfInput(a: DumpArray, inputs: readonly DumpArray[]): boolean {
  if (a.shape.length !== 1) return false;
  return inputs.some((w) => w.shape.length === 4 && w.shape[0] === a.shape[0] && biasNames(w.name).includes(a.name));
}

function tryDecode(a: DumpArray, file: string): Float64Array | null {
  try {
    return decodeArray(a, file);
  } catch (e) {
    if (isDecomposeError(e)) return null;
    throw e;
  }
}

function chooseGroups(shape: Shape4, prev: DumpArray | undefined, groups: number | "auto"): { groups: number; inferred: boolean } {
  if (groups !== "auto") return { groups, inferred: false };
  const depthwise = shape[1] === 1 && shape[0] > 1 && prev !== undefined && prev.shape[0] === shape[0];
  return depthwise ? { groups: shape[0], inferred: true } : { groups: 1, inferred: false };
}
