import type { BackendName, LinalgBackend } from "./contract.js";
import { createOpenBlasBackend } from "./openblas.js";
import { loadOpenBlas } from "./openblas-library.js";
import { selfCheck } from "./self-check.js";
import { wasmBackend } from "./wasm.js";

/**
 * Which back-end the linear-algebra ops run on (the policy; the back-ends are apart):
 *  - "wasm": the portable back-end, always available;
 *  - "openblas": the system's OpenBLAS (openblas-library.ts), an error when it does not load or
 *    fails the self-check;
 *  - "auto" (the default): OpenBLAS when it loads and passes the start-up self-check against the
 *    portable back-end (self-check.ts), else the portable one, silently (`blasStatus().openblasError`
 *    says why, for --verbose).
 * The choice comes from `useBlas`, else DECOMPOSE_FILTER_BLAS, else "auto", and is resolved on the
 * first op (so a run that never needs OpenBLAS never loads it). OpenBLAS is loaded once per
 * process; worker threads each bind it again (the library itself is shared).
 */
export type BlasChoice = "auto" | BackendName;
export const BLAS_CHOICES: readonly BlasChoice[] = ["auto", "openblas", "wasm"];

let active: LinalgBackend | null = null;
let choice: BlasChoice | null = null;
let openblas: { backend: LinalgBackend } | { error: string } | undefined;
/** The thread count set through setBackendThreads, applied to a back-end chosen later. */
let threads: number | null = null;

export class BlasUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`OpenBLAS is not available: ${reason}`);
    this.name = "BlasUnavailableError";
  }
}

/** OpenBLAS, loaded and self-checked once; or why not. */
function openBlasState(): { backend: LinalgBackend } | { error: string } {
  if (openblas === undefined) {
    const loaded = loadOpenBlas();
    if ("error" in loaded) openblas = loaded;
    else {
      const backend = createOpenBlasBackend(loaded.lib);
      const failed = selfCheck(backend, wasmBackend);
      openblas = failed === null ? { backend } : { error: `${loaded.lib.path}: ${failed}` };
    }
  }
  return openblas;
}

/** Parse a choice (the CLI validates its own option and the environment with this). */
export function parseBlasChoice(s: string): BlasChoice | undefined {
  const t = s.trim().toLowerCase();
  return (BLAS_CHOICES as readonly string[]).includes(t) ? (t as BlasChoice) : undefined;
}

function envChoice(): BlasChoice {
  const raw = process.env["DECOMPOSE_FILTER_BLAS"];
  if (raw === undefined || raw === "") return "auto";
  const c = parseBlasChoice(raw);
  if (c === undefined) throw new Error(`DECOMPOSE_FILTER_BLAS must be one of ${BLAS_CHOICES.join(", ")}, got '${raw}'`);
  return c;
}

/** Select the back-end; throws BlasUnavailableError when "openblas" is asked for and cannot run. */
export function useBlas(c: BlasChoice): LinalgBackend {
  let next: LinalgBackend;
  if (c === "wasm") next = wasmBackend;
  else {
    const s = openBlasState();
    if ("backend" in s) next = s.backend;
    else if (c === "openblas") throw new BlasUnavailableError(s.error);
    else next = wasmBackend;
  }
  choice = c;
  active = next;
  if (threads !== null) next.setThreads(threads);
  return next;
}

/** The back-end the ops run on (resolving the default on first use). */
export function backend(): LinalgBackend {
  return active ?? useBlas(envChoice());
}

/** Pass an explicit thread count to the active back-end (and to any chosen later). */
export function setBackendThreads(n: number): void {
  threads = n;
  active?.setThreads(n);
}

export interface BlasStatus {
  readonly choice: BlasChoice;
  readonly backend: BackendName;
  readonly detail: string;
  readonly threads: number;
  /** Why OpenBLAS is not in use, when it was looked for and not used; null otherwise. */
  readonly openblasError: string | null;
}

export function blasStatus(): BlasStatus {
  const b = backend();
  const s = openblas;
  return {
    choice: choice ?? "auto",
    backend: b.name,
    detail: b.detail,
    threads: b.threads(),
    openblasError: b.name === "openblas" ? null : s !== undefined && "error" in s ? s.error : choice === "wasm" ? "not requested (--blas wasm)" : null,
  };
}

/** The back-ends that can run here (the conformance tests run against each). */
export function availableBackends(): LinalgBackend[] {
  const s = openBlasState();
  return "backend" in s ? [wasmBackend, s.backend] : [wasmBackend];
}
