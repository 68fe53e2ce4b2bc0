/**
 * The fuzz harness: a mutant is (seed index, 1-4 mutations), generated and shrunk by fast-check;
 * each case runs the format's parse and is classified. The contract checked for every case:
 * - the outcome is a parse, or a `DecomposeError` with exit code 2 whose one-line message is
 *   clean (no control characters, at most LINE_MAX characters: what `errorLine` prints);
 * - anything else thrown is a violation (a bug), as is a case slower than `maxMs`;
 * - memory: no single typed-array or ArrayBuffer allocation during the case may exceed
 *   `allocBudget(input length)` (deflate's 1032:1 ratio over the input, plus 1 MiB): a reader
 *   must check a declared size against the real one before it allocates. Allocations are seen by
 *   wrapping the global constructors for the duration of the case (`trackAllocations`).
 */
import fc from "fast-check";
import { isDecomposeError } from "../../src/errors.js";
import { errorLine, LINE_MAX } from "../../src/io/quote.js";
import type { FuzzFormat } from "./formats/index.js";
import { applyGeneric, GENERIC_KINDS, type Mutation } from "./mutations.js";

export interface FuzzInput {
  readonly seed: number;
  readonly mutations: readonly Mutation[];
}

export type CaseOutcome =
  | { readonly kind: "parsed"; readonly ms: number; readonly maxAlloc: number }
  | { readonly kind: "rejected"; readonly code: string; readonly ms: number; readonly maxAlloc: number }
  | { readonly kind: "violation"; readonly why: string; readonly ms: number; readonly maxAlloc: number };

export interface CaseLimits {
  readonly maxMs: number;
}

export const DEFAULT_LIMITS: CaseLimits = { maxMs: 2000 };

export function allocBudget(inputLength: number): number {
  return 1032 * inputLength + (1 << 20);
}

export function mutationArb(format: FuzzFormat, seeds: number): fc.Arbitrary<FuzzInput> {
  const kinds = [...GENERIC_KINDS, ...format.kinds];
  const mutation = fc.record({
    kind: fc.constantFrom(...kinds),
    a: fc.nat({ max: 1 << 20 }),
    b: fc.nat({ max: 1 << 10 }),
    c: fc.nat({ max: 1 << 10 }),
  });
  return fc.record({ seed: fc.nat({ max: seeds - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) });
}

/** The mutant's bytes: the seed with each mutation applied in turn. */
export function mutant(format: FuzzFormat, seeds: readonly Uint8Array[], input: FuzzInput): Uint8Array {
  let bytes = seeds[input.seed]!;
  for (const m of input.mutations) bytes = format.kinds.includes(m.kind) ? format.mutate(bytes, m) : applyGeneric(bytes, m);
  return bytes;
}

/** Run one case and classify it against the contract above. */
export function runCase(format: FuzzFormat, bytes: Uint8Array, limits: CaseLimits = DEFAULT_LIMITS): CaseOutcome {
  const budget = allocBudget(bytes.length);
  const started = performance.now();
  const { result, maxAlloc } = trackAllocations(() => {
    try {
      format.parse(bytes, format.file);
      return { ok: true as const };
    } catch (e) {
      return { ok: false as const, error: e };
    }
  });
  const ms = performance.now() - started;
  const base = { ms, maxAlloc };
  if (maxAlloc > budget) return { kind: "violation", why: `allocated ${maxAlloc} bytes at once for a ${bytes.length}-byte input`, ...base };
  if (ms > limits.maxMs) return { kind: "violation", why: `took ${ms.toFixed(0)} ms`, ...base };
  if (result.ok) return { kind: "parsed", ...base };
  const e = result.error;
  if (!isDecomposeError(e)) return { kind: "violation", why: `untyped ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, ...base };
  if (e.exitCode !== 2) return { kind: "violation", why: `exit code ${e.exitCode} for ${e.code}`, ...base };
  const line = errorLine(e.file, e.message);
  const body = line.slice(0, -1);
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(body)) return { kind: "violation", why: `control character in ${JSON.stringify(body)}`, ...base };
  if (body.length > LINE_MAX + 40) return { kind: "violation", why: `error line of ${body.length} characters`, ...base };
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(e.message) || e.message.length > LINE_MAX) {
    return { kind: "violation", why: `message not escaped or capped at its source: ${JSON.stringify(e.message.slice(0, 200))}`, ...base };
  }
  return { kind: "rejected", code: e.code, ...base };
}

type Ctor = new (...args: never[]) => object;
const TRACKED = ["ArrayBuffer", "Uint8Array", "Uint16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "BigInt64Array"] as const;

/**
 * Run `f` with the global typed-array and ArrayBuffer constructors wrapped to record the largest
 * byte size requested by `new X(length)` (code that captured a constructor earlier, such as a
 * library's private alias, is not seen; the readers' own allocations are).
 */
export function trackAllocations<T>(f: () => T): { result: T; maxAlloc: number } {
  const g = globalThis as unknown as Record<string, Ctor>;
  const saved = TRACKED.map((name) => [name, g[name]!] as const);
  let maxAlloc = 0;
  for (const [name, ctor] of saved) {
    const bytesPer = name === "ArrayBuffer" || name === "Uint8Array" ? 1 : name === "Uint16Array" ? 2 : name.includes("64") ? 8 : 4;
    g[name] = new Proxy(ctor, {
      construct(target, args: unknown[], newTarget) {
        if (typeof args[0] === "number") maxAlloc = Math.max(maxAlloc, args[0] * bytesPer);
        return Reflect.construct(target, args, newTarget === g[name] ? target : newTarget) as object;
      },
    });
  }
  try {
    return { result: f(), maxAlloc };
  } finally {
    for (const [name, ctor] of saved) g[name] = ctor;
  }
}
