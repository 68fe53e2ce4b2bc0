/**
 * The end-to-end check: the parent and the decomposed model run in ONNX Runtime on the same
 * seeded random inputs (standard normal, of the graph inputs' shapes), and every graph output is
 * compared:
 *   max_abs = max |y_child - y_parent|,   rel = max_abs / max |y_parent|,
 *   cosine  = <y_child, y_parent> / (||y_child|| ||y_parent||).
 * Importable on its own (`verifyModels`); it needs only the two serialized models.
 */
import { Rng } from "../random.js";
import { float16BitsToNumber, numberToFloat16Bits } from "../io/npy.js";
import type { GraphInput } from "./inputs.js";
import { onnx } from "./onnx.js";
import { loadRuntime } from "./runtime.js";

export interface OutputDeviation {
  readonly name: string;
  readonly dims: readonly number[];
  readonly maxAbs: number;
  /** max |parent output| */
  readonly scale: number;
  readonly rel: number;
  readonly cosine: number;
}

export type VerifyResult =
  | {
      readonly status: "ok";
      readonly runtime: string;
      readonly seed: number;
      readonly inputs: readonly { readonly name: string; readonly type: string; readonly dims: readonly number[] }[];
      readonly outputs: readonly OutputDeviation[];
      readonly seconds: number;
    }
  /** The check could not run (no runtime, a type it has no kernel for): a notice, not a failure. */
  | { readonly status: "unchecked"; readonly reason: string }
  /** The parent runs but the decomposed model does not: a bug in the split. */
  | { readonly status: "failed"; readonly reason: string };

export interface VerifyOptions {
  readonly inputs: readonly GraphInput[];
  readonly seed: number;
  /** True when a split weight is DOUBLE (ONNX Runtime has no float64 Conv kernel on CPU). */
  readonly hasDouble?: boolean;
  readonly threads?: number;
}

const T = onnx.TensorProto.DataType;

export async function verifyModels(parent: Uint8Array, child: Uint8Array, o: VerifyOptions): Promise<VerifyResult> {
  const started = performance.now();
  const rt = await loadRuntime();
  if (!rt.ok) return { status: "unchecked", reason: rt.reason };
  const { ort } = rt;
  const feeds = feedsFor(ort, o.inputs, o.seed);
  if (typeof feeds === "string") return { status: "unchecked", reason: feeds };
  const options = { intraOpNumThreads: o.threads ?? 1, interOpNumThreads: 1 };
  let parentSession: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    parentSession = await ort.InferenceSession.create(parent, options);
  } catch (e) {
    const why = firstLine(e);
    if (o.hasDouble) return { status: "unchecked", reason: `ONNX Runtime has no float64 (DOUBLE) Conv on CPU, so this double model cannot be checked (${why})` };
    return { status: "unchecked", reason: `ONNX Runtime cannot load the parent model (${why})` };
  }
  let a: Record<string, OrtTensor>;
  try {
    a = await parentSession.run(feeds);
  } catch (e) {
    return { status: "unchecked", reason: `ONNX Runtime cannot run the parent model on random inputs (${firstLine(e)})` };
  }
  let b: Record<string, OrtTensor>;
  try {
    const childSession = await ort.InferenceSession.create(child, options);
    b = await childSession.run(feeds);
    await childSession.release();
  } catch (e) {
    return { status: "failed", reason: `the parent runs but the decomposed model does not: ${firstLine(e)}` };
  } finally {
    await parentSession.release();
  }
  const outputs: OutputDeviation[] = [];
  for (const name of parentSession.outputNames) {
    const ya = ownTensor(a, name);
    const yb = ownTensor(b, name);
    if (ya === undefined) return { status: "unchecked", reason: `ONNX Runtime returned no output '${name}' for the parent model` };
    if (yb === undefined || ya.dims.join() !== yb.dims.join()) {
      return { status: "failed", reason: `output '${name}' has dims [${ya.dims.join(", ")}] in the parent, [${yb?.dims.join(", ") ?? "missing"}] in the decomposed model` };
    }
    outputs.push({ name, dims: [...ya.dims], ...deviation(values(ya.type, ya.data), values(yb.type, yb.data)) });
  }
  return {
    status: "ok",
    runtime: `onnxruntime-node ${rt.version}`,
    seed: o.seed,
    inputs: o.inputs.map((i) => ({ name: i.name, type: i.type, dims: i.dims })),
    outputs,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The runtime's own protobuf parser as a second validator: protobufjs decodes some corrupt bytes
 * without complaint (it does not check a known field's wire type), ONNX Runtime's C++ parser does
 * not. Returns the parser's message when it refuses the bytes as a protobuf, else null (also when
 * the runtime is absent, or loads the model but rejects something else, such as a float64 Conv).
 */
export async function runtimeParseError(bytes: Uint8Array): Promise<string | null> {
  const rt = await loadRuntime();
  if (!rt.ok) return null;
  try {
    const s = await rt.ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    await s.release();
    return null;
  } catch (e) {
    const why = firstLine(e);
    return /protobuf parsing failed|Protobuf parsing failed/i.test(why) ? why : null;
  }
}

type Ort = Extract<Awaited<ReturnType<typeof loadRuntime>>, { ok: true }>["ort"];
type OrtTensor = InstanceType<Ort["Tensor"]>;

/** A session result by output name, own keys only (an output may be called `constructor`). */
function ownTensor(results: Record<string, OrtTensor>, name: string): OrtTensor | undefined {
  return Object.prototype.hasOwnProperty.call(results, name) ? results[name] : undefined;
}

/** Seeded standard normal inputs of the graph inputs' shapes, or why they cannot be made. */
export function feedsFor(ort: Ort, inputs: readonly GraphInput[], seed: number): Record<string, OrtTensor> | string {
  const rng = new Rng(seed);
  const feeds: Record<string, OrtTensor> = {};
  // defineProperty, not `feeds[name] =`: an input called `__proto__` must be an own key.
  const feed = (name: string, t: OrtTensor): void => void Object.defineProperty(feeds, name, { value: t, enumerable: true, writable: true, configurable: true });
  for (const input of inputs) {
    const n = input.dims.reduce((a, b) => a * b, 1);
    const x = rng.normals(n);
    if (input.elemType === T.FLOAT) feed(input.name, new ort.Tensor("float32", Float32Array.from(x), [...input.dims]));
    else if (input.elemType === T.DOUBLE) feed(input.name, new ort.Tensor("float64", x, [...input.dims]));
    else if (input.elemType === T.FLOAT16) feed(input.name, new ort.Tensor("float16", Uint16Array.from(x, numberToFloat16Bits), [...input.dims]));
    else return `graph input '${input.name}' is ${input.type}: the check feeds only FLOAT, FLOAT16 and DOUBLE inputs`;
  }
  return feeds;
}

function values(type: string, data: unknown): Float64Array {
  if (type === "float16") return Float64Array.from(data as Uint16Array, float16BitsToNumber);
  if (type === "int64" || type === "uint64") return Float64Array.from(data as BigInt64Array, Number);
  return Float64Array.from(data as ArrayLike<number>);
}

/** max |b - a|, max |a|, their ratio and the cosine of the angle between a and b. */
export function deviation(a: Float64Array, b: Float64Array): { maxAbs: number; scale: number; rel: number; cosine: number } {
  let maxAbs = 0, scale = 0, ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    const d = Math.abs(y - x);
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
    scale = Math.max(scale, Math.abs(x));
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  const cosine = aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
  return { maxAbs, scale, rel: scale > 0 ? maxAbs / scale : maxAbs, cosine };
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
