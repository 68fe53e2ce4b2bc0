/**
 * A `Conv` node's attributes, read once into plain numbers (ONNX operator Conv, opset 1-22):
 * `group` (default 1), `strides` and `dilations` (default 1 per axis), `pads` as
 * [top, left, bottom, right] (ONNX's [x1_begin, x2_begin, x1_end, x2_end], default 0), and
 * `auto_pad` (NOTSET, SAME_UPPER, SAME_LOWER, VALID) turned into explicit pads. Only 2-D
 * convolutions (4-D weights) are described; anything else is a reason to skip the node.
 */
import { quoted } from "../io/quote.js";
import { toInt, type AttributeProto, type NodeProto } from "./onnx.js";

export interface Pads4 {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

export type AutoPad = "NOTSET" | "SAME_UPPER" | "SAME_LOWER" | "VALID";

export interface ConvAttributes {
  readonly group: number;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly autoPad: AutoPad;
  /** Explicit pads (all zero unless auto_pad is NOTSET). */
  readonly pads: Pads4;
  /** kernel_shape when present. */
  readonly kernelShape: readonly [number, number] | null;
}

const attribute = (n: NodeProto, name: string): AttributeProto | undefined => (n.attribute ?? []).find((a) => a.name === name);
const ints = (a: AttributeProto | undefined): number[] | null => (a ? (a.ints ?? []).map(toInt) : null);

/** The attributes, or the reason they cannot describe a 2-D convolution the split can handle. */
export function convAttributes(n: NodeProto): ConvAttributes | string {
  const group = toInt(attribute(n, "group")?.i ?? 1);
  const pair = (name: string, dflt: number): readonly [number, number] | string => {
    const v = ints(attribute(n, name));
    if (v === null) return [dflt, dflt];
    if (v.length !== 2) return `${name} has ${v.length} values: only 2-D convolutions are split`;
    if (v.some((x) => !Number.isSafeInteger(x) || x < 1)) return `${name} [${v.join(", ")}] must be positive integers`;
    return [v[0]!, v[1]!];
  };
  const strides = pair("strides", 1);
  const dilations = pair("dilations", 1);
  if (typeof strides === "string") return strides;
  if (typeof dilations === "string") return dilations;
  const ks = ints(attribute(n, "kernel_shape"));
  if (ks !== null && ks.length !== 2) return `kernel_shape has ${ks.length} values: only 2-D convolutions are split`;
  const a = attribute(n, "auto_pad");
  const autoText = a?.s ? new TextDecoder().decode(a.s) : "NOTSET";
  if (autoText !== "NOTSET" && autoText !== "SAME_UPPER" && autoText !== "SAME_LOWER" && autoText !== "VALID") {
    return `auto_pad ${quoted(autoText)} is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`;
  }
  const p = ints(attribute(n, "pads")) ?? [0, 0, 0, 0];
  if (p.length !== 4) return `pads has ${p.length} values: only 2-D convolutions are split`;
  if (p.some((x) => !Number.isSafeInteger(x) || x < 0)) return `pads [${p.join(", ")}] must be non-negative integers`;
  if (!Number.isSafeInteger(group) || group < 1) return `group ${group} must be a positive integer`;
  return {
    group,
    strides,
    dilations,
    autoPad: autoText,
    pads: { top: p[0]!, left: p[1]!, bottom: p[2]!, right: p[3]! },
    kernelShape: ks === null ? null : [ks[0]!, ks[1]!],
  };
}

/**
 * Explicit pads the parent ran with. For SAME_UPPER/SAME_LOWER the total per axis is
 * max(0, (ceil(in / s) - 1) s + (k - 1) d + 1 - in), so that out = ceil(in / s); SAME_UPPER puts
 * the odd pixel at the end, SAME_LOWER at the beginning. With stride 1 the total is (k - 1) d
 * whatever the input size; with a larger stride it depends on the input's spatial size `input`
 * (null when unknown: the caller must skip the node).
 */
export function explicitPads(a: ConvAttributes, k: readonly [number, number], input: readonly [number, number] | null): Pads4 | string {
  if (a.autoPad === "NOTSET") return a.pads;
  if (a.autoPad === "VALID") return { top: 0, left: 0, bottom: 0, right: 0 };
  const axis = (j: 0 | 1): [number, number] | null => {
    const s = a.strides[j];
    const span = (k[j] - 1) * a.dilations[j] + 1;
    let total: number;
    if (s === 1) total = span - 1;
    else {
      const n = input?.[j];
      if (n === undefined) return null;
      total = Math.max(0, (Math.ceil(n / s) - 1) * s + span - n);
    }
    const small = Math.floor(total / 2);
    return a.autoPad === "SAME_UPPER" ? [small, total - small] : [total - small, small];
  };
  const h = axis(0);
  const w = axis(1);
  if (h === null || w === null) {
    return `auto_pad ${a.autoPad} with stride ${a.strides.join("x")} needs the input's spatial size, which is not known (give --input-shape or value_info)`;
  }
  return { top: h[0], left: w[0], bottom: h[1], right: w[1] };
}

/**
 * The exact stacking layout in ONNX terms (DESIGN.md, "Layout and semantics"): the target is the
 * parent padded by e = (ke - k) / 2 taps per side, that is e * d pixels once dilated (dilation
 * maps a full convolution of kernels to the full convolution of the dilated kernels), so f1 takes
 * the parent's pads plus e * d on every side at stride 1 and f2 runs unpadded at the parent's
 * stride. The stack then equals conv(x, dilate(compose(f1, f2)), pads, stride) at every output.
 */
export function exactChildPads(parent: Pads4, targetPad: { readonly h: number; readonly w: number }, dilations: readonly [number, number]): { f1: Pads4; f2: Pads4 } {
  const eh = targetPad.h * dilations[0];
  const ew = targetPad.w * dilations[1];
  return {
    f1: { top: parent.top + eh, left: parent.left + ew, bottom: parent.bottom + eh, right: parent.right + ew },
    f2: { top: 0, left: 0, bottom: 0, right: 0 },
  };
}

export function padsList(p: Pads4): number[] {
  return [p.top, p.left, p.bottom, p.right];
}

/**
 * The same layout in ONNX terms (geometry/layout.ts): the intermediate map keeps the input's
 * size, f1 takes its centred share floor((k1 - 1) / 2) d of the total P d-pixels per side and
 * f2 the rest, at the parent's stride. Defined for symmetric parent pads only (the layout is a
 * per-axis amount); the stack then equals the parent only away from the border.
 */
export function sameChildPads(
  parent: Pads4,
  k1: { readonly h: number; readonly w: number },
  targetPad: { readonly h: number; readonly w: number },
  dilations: readonly [number, number],
): { f1: Pads4; f2: Pads4 } {
  const totalH = parent.top + targetPad.h * dilations[0];
  const totalW = parent.left + targetPad.w * dilations[1];
  const p1h = Math.min(Math.floor((k1.h - 1) / 2) * dilations[0], totalH);
  const p1w = Math.min(Math.floor((k1.w - 1) / 2) * dilations[1], totalW);
  return {
    f1: { top: p1h, left: p1w, bottom: p1h, right: p1w },
    f2: { top: totalH - p1h, left: totalW - p1w, bottom: totalH - p1h, right: totalW - p1w },
  };
}

export function symmetric(p: Pads4): boolean {
  return p.top === p.bottom && p.left === p.right;
}
