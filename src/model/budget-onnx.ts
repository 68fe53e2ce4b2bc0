/**
 * `--budget r` on an ONNX model: every planned Conv weight is one layer of the plan (src/plan/,
 * through src/batch/budget.ts as for dumps); a weight read by several nodes is one layer, its
 * params counted once and its FLOPs summed over the nodes. Grouped and depthwise Convs stay
 * unsplit and count at full size (the plan gives them only the unsplit option). FLOPs come from
 * where each node runs (src/plan/conv-site.ts): its input's spatial size (`--input-size` when a
 * rule matches the node or weight name, else the model's shapes, model-shapes.ts), its explicit
 * pads, strides and dilations. `--budget-of flops` with a node whose input size is known from
 * nowhere is refused, naming it.
 */
import { budgetPlan, type BudgetOptions, type BudgetResult } from "../batch/budget.js";
import type { LayerSettings } from "../batch/layer.js";
import { DecomposeError } from "../errors.js";
import type { Size2 } from "../geometry/tensor.js";
import { quoted } from "../io/quote.js";
import type { ConvSite } from "../plan/conv-site.js";
import type { ConvEntry, PlannedConv } from "./conv-plan.js";
import type { KnownShape } from "./shape-inference.js";

export interface OnnxBudget {
  readonly result: BudgetResult;
  /** Per entry index: the settings its weight is split with, or null (left unsplit by the plan). */
  readonly settings: ReadonlyMap<number, LayerSettings | null>;
}

export function planOnnxBudget(
  entries: readonly ConvEntry[],
  shapes: ReadonlyMap<string, KnownShape>,
  base: LayerSettings,
  b: BudgetOptions,
  file: string,
): OnnxBudget {
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
  const result = budgetPlan(candidates, base, b);
  const settings = new Map<number, LayerSettings | null>();
  firsts.forEach(({ index }, j) => settings.set(index, result.settings[j] ?? null));
  entries.forEach((e, index) => {
    if (e.status === "planned" && e.sharesWith !== null) settings.set(index, settings.get(e.sharesWith) ?? null);
  });
  return { result, settings };
}

/** Where a node runs: input (h, w), pads summed per axis, strides, dilations; null when the size is unknown. */
function site(e: PlannedConv, shapes: ReadonlyMap<string, KnownShape>, b: BudgetOptions): ConvSite | null {
  // --input-size wins: the first PATTERN=HxW matching the node or weight name, else a plain HxW.
  const rule = (b.inputSizes.find((r) => r.pattern !== null && (r.pattern.test(e.name) || r.pattern.test(e.weight))) ?? b.inputSizes.find((r) => r.pattern === null))?.size ?? null;
  const dims = shapes.get(e.node.input?.[0] ?? "")?.dims;
  const input: Size2 | null = rule ?? (dims && dims.length === 4 ? { h: dims[2]!, w: dims[3]! } : null);
  if (input === null) return null;
  return {
    input,
    pad: { h: e.pads.top + e.pads.bottom, w: e.pads.left + e.pads.right },
    stride: { h: e.attributes.strides[0], w: e.attributes.strides[1] },
    dilation: { h: e.attributes.dilations[0], w: e.attributes.dilations[1] },
  };
}
