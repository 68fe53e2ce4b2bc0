/**
 * The graph inputs a runtime check feeds: every `graph.input` that is not an initializer, with
 * its element type and shape. Symbolic dimensions (`dim_param`, or none given) must be fixed by
 * `--input-shape name=1x3x112x112`; an override must match the input's rank and any fixed dims.
 */
import { DecomposeError } from "../errors.js";
import { dataTypeName, toInt, type OnnxModel } from "./onnx.js";

export interface GraphInput {
  readonly name: string;
  /** ONNX TensorProto.DataType code and its name. */
  readonly elemType: number;
  readonly type: string;
  readonly dims: readonly number[];
}

/** `name=1x3x112x112` (repeatable). */
export function parseInputShape(s: string): [string, number[]] {
  const m = /^(.+)=(\d+(?:x\d+)*)$/.exec(s.trim());
  if (!m) throw new DecomposeError("E_OPTION", `--input-shape must be name=DxDx... (like input=1x3x112x112), got '${s}'`);
  return [m[1]!, m[2]!.split("x").map(Number)];
}

export function graphInputs(model: OnnxModel, overrides: ReadonlyMap<string, readonly number[]>): GraphInput[] {
  const g = model.proto.graph!;
  const init = new Set((g.initializer ?? []).map((t) => t.name ?? ""));
  const inputs = (g.input ?? []).filter((v) => !init.has(v.name ?? ""));
  for (const name of overrides.keys()) {
    if (!inputs.some((v) => v.name === name)) {
      throw new DecomposeError("E_OPTION", `--input-shape names '${name}', which is not an input of the graph (inputs: ${inputs.map((v) => v.name).join(", ")})`, model.file);
    }
  }
  return inputs.map((v) => {
    const name = v.name ?? "";
    const tt = v.type?.tensorType;
    if (!tt) throw new DecomposeError("E_ONNX", `graph input '${name}' is not a tensor`, model.file);
    const declared = (tt.shape?.dim ?? []).map((d) => (d.dimValue !== null && d.dimValue !== undefined && toInt(d.dimValue) > 0 ? toInt(d.dimValue) : (d.dimParam || "?")));
    const over = overrides.get(name);
    let dims: number[];
    if (over) {
      if (tt.shape && over.length !== declared.length) {
        throw new DecomposeError("E_OPTION", `--input-shape ${name} has ${over.length} dimensions, the input has ${declared.length}`, model.file);
      }
      over.forEach((d, j) => {
        const want = declared[j];
        if (typeof want === "number" && want !== d) {
          throw new DecomposeError("E_OPTION", `--input-shape ${name}: dimension ${j} is fixed to ${want} by the model, got ${d}`, model.file);
        }
      });
      dims = [...over];
    } else {
      const symbolic = declared.find((d) => typeof d === "string");
      if (!tt.shape || symbolic !== undefined) {
        throw new DecomposeError(
          "E_OPTION",
          `graph input '${name}' has a symbolic dimension (${tt.shape ? declared.join("x") : "no shape"}): give --input-shape ${name}=DxDx... for the runtime check, or --no-verify`,
          model.file,
        );
      }
      dims = declared as number[];
    }
    return { name, elemType: tt.elemType ?? 0, type: dataTypeName(tt.elemType), dims };
  });
}
