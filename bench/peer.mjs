// The NumPy peer (../shared/peers/numpy_reference.py) as a subprocess, and a probe for it.
// The peer is optional: a user's clone has no ../shared; callers print a notice and skip.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const PEER = join(root, "..", "shared", "peers", "numpy_reference.py");

/**
 * OpenBLAS on this machine may be pinned to an older core type (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE)
 * for safety; that slows current NumPy. Benchmarks unset both for the peer only.
 */
export function peerEnv() {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Python lines that import the peer module as `p` (for snippets run with python() or spawned). */
export const PEER_IMPORT = `import importlib.util
spec = importlib.util.spec_from_file_location("peer", ${JSON.stringify(PEER)}); p = importlib.util.module_from_spec(spec); spec.loader.exec_module(p)`;

/** Why the peer cannot run here, or null when it can. */
export function peerUnavailable() {
  if (!existsSync(PEER)) return `peer not found at ${PEER}`;
  const r = spawnSync("python3", ["-c", "import numpy, scipy"], { encoding: "utf8" });
  if (r.error) return "python3 not found";
  if (r.status !== 0) return "python3 lacks numpy or scipy";
  return null;
}

/** Run a python snippet with numpy, return its stdout parsed as JSON. */
export function python(code, timeoutMs = 600_000) {
  const r = spawnSync("python3", ["-c", code], { encoding: "utf8", env: peerEnv(), timeout: timeoutMs, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** Run the peer's CLI; returns its JSON. */
export function runPeer(args, timeoutMs = 1_200_000) {
  const r = spawnSync("python3", [PEER, ...args], { encoding: "utf8", env: peerEnv(), timeout: timeoutMs, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`peer failed (${args.join(" ")}): ${r.stderr || r.error}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/**
 * The peer's structured_als on a parent file, with each iteration's seconds: its loop composes the
 * factors once per iteration, as the iteration's last step, so a wrapper around its compose marks
 * where each iteration ends (the norm after it is negligible). Returns { seconds, iterationSeconds,
 * residual, rssMB } (the peak RSS of the Python process, NumPy and SciPy loaded).
 */
export function peerStructuredIterations(npy, m, iters) {
  return python(`
import json, resource, time, numpy as np
${PEER_IMPORT}
W = np.load(${JSON.stringify(npy)}).astype(np.float64)
ends = []
inner = p.compose
def marked(f1, f2):
    C = inner(f1, f2); ends.append(time.perf_counter()); return C
p.compose = marked
t0 = time.perf_counter(); f1, f2, info = p.structured_als(W, ${m}, iters=${iters}, tol=0); s = time.perf_counter() - t0
ends = ends[:${iters}]
print(json.dumps({"seconds": s, "iterationSeconds": [e - (t0 if i == 0 else ends[i - 1]) for i, e in enumerate(ends)], "residual": float(info["trace"][-1]), "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))`);
}
