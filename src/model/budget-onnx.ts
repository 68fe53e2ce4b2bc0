/**
 * `--budget r` on an ONNX model: every planned Conv weight is one layer of the plan (src/plan/,
 * through src/batch/budget.ts as for dumps); a weight read by several nodes is one layer, its
 * params counted once and its FLOPs summed over the nodes. Grouped and depthwise Convs stay
 * unsplit and count at full size (the plan gives them only the unsplit option), and so does a
 * ConvTranspose with a constant float weight (c_in, c_out / g, kh, kw): its FLOPs are
 * 2 c_in (c_out / g) kh kw in_h in_w (every input pixel scatters the whole kernel, whatever the
 * stride), which is the Conv count at a site whose output is its input. FLOPs come from
 * where each node runs (src/plan/conv-site.ts): its input's spatial size (`--input-size` when a
 * rule matches the node or weight name, else the model's shapes, model-shapes.ts), its explicit
 * pads, strides and dilations. `--budget-of flops` with a node whose input size is known from
 * nowhere is refused, naming it.
 */
import { budgetPlan, type BudgetCandidate, type BudgetOptions, type BudgetResult } from "../batch/budget.js";
import type { LayerSettings } from "../batch/layer.js";
import { DecomposeError } from "../errors.js";
import type { Size2 } from "../geometry/tensor.js";
import { quoted } from "../io/quote.js";
import type { ConvSite } from "../plan/conv-site.js";
import type { Shape4 } from "../geometry/tensor.js";
import { convAttributes } from "./conv-node.js";
import type { ConvEntry, PlannedConv, SkippedConv } from "./conv-plan.js";
import { floatTypeOf, tensorDims, tensorValues, type OnnxModel } from "./onnx.js";
import type { KnownShape } from "./shape-inference.js";
import { constantTensors } from "./weights.js";

export interface OnnxBudget {
  readonly result: BudgetResult;
  /** Per entry index: the settings its weight is split with, or null (left unsplit by the plan). */
  readonly settings: ReadonlyMap<number, LayerSettings | null>;
}

export function planOnnxBudget(
  model: OnnxModel,
  entries: readonly ConvEntry[],
  shapes: ReadonlyMap<string, KnownShape>,
  base: LayerSettings,
  b: BudgetOptions,
): OnnxBudget {
  const file = model.file;
  const firsts = entries.flatMap((e, index) => (e.status === "planned" && e.sharesWith === null ? [{ e, index }] : []));
  const candidates = firsts.map(({ e, index }) => {
    const users = entries.flatMap((x) => (x.status === "planned" && (x.sharesWith === index || x === e) ? [x] : []));
    const sites = users.map((u) => site(u, shapes, b));
    if (b.of === "flops") {
      const j = sites.findIndex((s) => s === null);
      if (j >= 0) {
        throw new DecomposeError(
          "E_OPTION",
          `--budget-of flops needs the input shape of Conv ${quoted(users[j]!.name)} (tensor ${quoted(users[j]!.node.input?.[0] ?? "")}), which neither the graph, the shape propagation nor ONNX Runtime gives: give --input-shape for symbolic graph inputs, or --input-size '${users[j]!.name}=HxW'`,
          file,
        );
      }
    }
    return {
      index,
      input: file,
      name: e.name,
      shape: e.shape,
      data: e.data,
      groups: e.attributes.group,
      sites: sites.every((s) => s !== null) ? (sites as ConvSite[]) : null,
    };
  });
  const all = [...candidates, ...transposed(model, entries, shapes, b)].sort((x, y) => x.index - y.index);
  const result = budgetPlan(all, base, b);
  const settings = new Map<number, LayerSettings | null>();
  all.forEach(({ index }, j) => settings.set(index, result.settings[j] ?? null));
  entries.forEach((e, index) => {
    if (e.status === "planned" && e.sharesWith !== null) settings.set(index, settings.get(e.sharesWith) ?? null);
  });
  return { result, settings };
}

/** ConvTranspose nodes with a constant float 4-D weight, as fixed plan layers (one per distinct weight). */
function transposed(model: OnnxModel, entries: readonly ConvEntry[], shapes: ReadonlyMap<string, KnownShape>, b: BudgetOptions): BudgetCandidate[] {
  const constants = constantTensors(model.proto.graph!);
  const byWeight = new Map<string, { index: number; e: SkippedConv; sites: (ConvSite | null)[] }>();
  entries.forEach((e, index) => {
    if (e.status !== "skipped" || e.opType !== "ConvTranspose") return;
    const src = constants.get(e.weight);
    const a = convAttributes(e.node);
    if (src === undefined || floatTypeOf(src.tensor) === null || tensorDims(src.tensor).length !== 4 || typeof a === "string") return;
    const [, , kh, kw] = tensorDims(src.tensor) as [number, number, number, number];
    const dims = shapes.get(e.node.input?.[0] ?? "")?.dims;
    const input = inputSize(e, dims, b);
    // out = in: pad (k - 1) d, stride 1.
    const site: ConvSite | null = input === null ? null : { input, pad: { h: (kh - 1) * a.dilations[0], w: (kw - 1) * a.dilations[1] }, stride: { h: 1, w: 1 }, dilation: { h: a.dilations[0], w: a.dilations[1] } };
    if (b.of === "flops" && site === null) {
      throw new DecomposeError("E_OPTION", `--budget-of flops needs the input shape of ConvTranspose ${quoted(e.name)}: give --input-shape for symbolic graph inputs, or --input-size '${e.name}=HxW'`, model.file);
    }
    const seen = byWeight.get(e.weight);
    if (seen) seen.sites.push(site);
    else byWeight.set(e.weight, { index, e, sites: [site] });
  });
  return [...byWeight.values()].map(({ index, e, sites }) => {
    const src = constants.get(e.weight)!;
    return {
      index,
      input: model.file,
      name: e.name,
      shape: shape4(tensorDims(src.tensor)),
      data: tensorValues(src.tensor, model.file),
      groups: 1,
      fixed: true,
      sites: sites.every((x) => x !== null) ? (sites as ConvSite[]) : null,
    };
  });
}

/** Where a node runs: input (h, w), pads summed per axis, strides, dilations; null when the size is unknown. */
function site(e: PlannedConv, shapes: ReadonlyMap<string, KnownShape>, b: BudgetOptions): ConvSite | null {
  const input = inputSize(e, shapes.get(e.node.input?.[0] ?? "")?.dims, b);
  if (input === null) return null;
  return {
    input,
    pad: { h: e.pads.top + e.pads.bottom, w: e.pads.left + e.pads.right },
    stride: { h: e.attributes.strides[0], w: e.attributes.strides[1] },
    dilation: { h: e.attributes.dilations[0], w: e.attributes.dilations[1] },
  };
}

/** --input-size wins: the first PATTERN=HxW matching the node or weight name, else a plain HxW; then the model's shape. */
function inputSize(e: { readonly name: string; readonly weight: string }, dims: readonly number[] | undefined, b: BudgetOptions): Size2 | null {
  const rule = (b.inputSizes.find((r) => r.pattern !== null && (r.pattern.test(e.name) || r.pattern.test(e.weight))) ?? b.inputSizes.find((r) => r.pattern === null))?.size ?? null;
  return rule ?? (dims && dims.length === 4 ? { h: dims[2]!, w: dims[3]! } : null);
}

function shape4(d: readonly number[]): Shape4 {
  return [d[0]!, d[1]!, d[2]!, d[3]!];
}
