/**
 * ONNX Runtime (`onnxruntime-node`, an optional dependency) loaded on demand: a dynamic import
 * inside try, so a missing or unloadable binding is a reason string, never a crash.
 */
type Ort = typeof import("onnxruntime-node");

export type RuntimeLoad = { readonly ok: true; readonly ort: Ort; readonly version: string } | { readonly ok: false; readonly reason: string };

let cached: Promise<RuntimeLoad> | undefined;

export function loadRuntime(): Promise<RuntimeLoad> {
  cached ??= (async (): Promise<RuntimeLoad> => {
    try {
      const ort = await import("onnxruntime-node");
      const version = ort.env.versions.node ?? ort.env.versions.common ?? "unknown";
      return { ok: true, ort, version };
    } catch (e) {
      const why = e instanceof Error ? e.message.split("\n")[0]! : String(e);
      return { ok: false, reason: `onnxruntime-node could not be loaded (${why}); install it (npm install onnxruntime-node) to check models end to end` };
    }
  })();
  return cached;
}
