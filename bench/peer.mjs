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
