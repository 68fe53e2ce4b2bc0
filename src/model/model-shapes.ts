/**
 * The shapes a model's Convs run at, from the cheapest source that has them: the graph's own
 * statements and the static propagation (shape-inference.ts), then, for Conv inputs still
 * unknown, one run of ONNX Runtime (probe.ts) when it loads; what the runtime measured is fed
 * back into the propagation so the Conv outputs after it are known too. `sources` counts, per
 * Conv input, which source gave it; `unknown` lists the Convs whose input is known from none.
 */
import { nodeName } from "./conv-plan.js";
import type { GraphInput } from "./inputs.js";
import type { ModelProto } from "./onnx.js";
import { runtimeTensorDims } from "./probe.js";
import { staticShapes, type KnownShape, type ShapeSource } from "./shape-inference.js";

export interface ModelShapes {
  readonly shapes: ReadonlyMap<string, KnownShape>;
  /** Conv inputs per source. */
  readonly sources: Readonly<Record<ShapeSource, number>>;
  /** Conv node names whose input shape is unknown. */
  readonly unknown: readonly string[];
  /** Why the runtime was not asked or could not answer, when it was needed. */
  readonly runtimeNote: string | null;
}

export interface ModelShapeOptions {
  /** Ask ONNX Runtime for what the graph does not give (default true). */
  readonly runtime?: boolean;
  readonly seed?: number;
  /** Shapes known already (the parent's, for a rewritten model). */
  readonly known?: ReadonlyMap<string, KnownShape>;
}

export async function modelShapes(proto: ModelProto, inputs: readonly GraphInput[], o: ModelShapeOptions = {}): Promise<ModelShapes> {
  const convs = (proto.graph?.node ?? []).flatMap((n, i) => (n.opType === "Conv" ? [{ name: nodeName(n, i), input: n.input?.[0] ?? "" }] : []));
  let shapes = staticShapes(proto, inputs, o.known);
  let missing = convs.filter((c) => !shapes.has(c.input));
  let runtimeNote: string | null = null;
  if (missing.length > 0) {
    const complete = inputs.length > 0 && (proto.graph?.input ?? []).every((v) => shapes.has(v.name ?? "") || inputs.some((i) => i.name === v.name));
    if (o.runtime === false) runtimeNote = "ONNX Runtime not asked";
    else if (!complete) runtimeNote = "the graph inputs' shapes are not all known (give --input-shape)";
    else {
      const measured = await runtimeTensorDims(proto, missing.map((c) => c.input), inputs, o.seed ?? 0);
      if (typeof measured === "string") runtimeNote = measured;
      else {
        const seed = new Map<string, KnownShape>(o.known ?? []);
        for (const [n, d] of measured) seed.set(n, { dims: d, source: "runtime" });
        shapes = staticShapes(proto, inputs, seed);
        missing = convs.filter((c) => !shapes.has(c.input));
      }
    }
  }
  const sources: Record<ShapeSource, number> = { graph: 0, inferred: 0, runtime: 0 };
  for (const c of convs) {
    const s = shapes.get(c.input);
    if (s) sources[s.source]++;
  }
  return { shapes, sources, unknown: missing.map((c) => c.name), runtimeNote };
}

/** One line: how many Conv inputs came from where. */
export function describeShapeSources(s: ModelShapes): string {
  const parts = [
    s.sources.graph > 0 ? `${s.sources.graph} stated in the graph` : "",
    s.sources.inferred > 0 ? `${s.sources.inferred} propagated from the graph's shapes` : "",
    s.sources.runtime > 0 ? `${s.sources.runtime} measured by ONNX Runtime` : "",
    s.unknown.length > 0 ? `${s.unknown.length} unknown${s.runtimeNote ? ` (${s.runtimeNote})` : ""}` : "",
  ].filter((x) => x !== "");
  return `Conv input shapes: ${parts.join(", ")}`;
}
