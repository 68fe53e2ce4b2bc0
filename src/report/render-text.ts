import { Chalk, type ChalkInstance } from "chalk";
import { printable } from "../io/quote.js";
import type { LayoutConvs, Report, SizeHW } from "./model.js";
import { qualityRows } from "./render-quality.js";
import { ALS_TURN_BUDGET, WARM_SWEEPS } from "../quality/method-race.js";
import { VARPRO_STEP_BUDGET } from "../quality/variable-projection-method.js";

/** Colour only for a terminal, never with NO_COLOR set (https://no-color.org), FORCE_COLOR wins. */
export function makeChalk(env: NodeJS.ProcessEnv, isTTY: boolean): ChalkInstance {
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "0" && force !== "false") return new Chalk({ level: 1 });
  const noColor = env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "";
  return new Chalk({ level: isTTY && !noColor ? 1 : 0 });
}

const hw = (s: SizeHW): string => (s.h === s.w ? `${s.h}` : `${s.h}x${s.w}`);
const shape = (s: readonly number[]): string => `(${s.join(", ")})`;
const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(3));

/** The readable report: what was split, how well, and what to do with the result. */
export function renderText(r: Report, c: ChalkInstance): string {
  const lines: string[] = [];
  const head = (s: string): void => {
    lines.push(c.bold(s));
  };
  const row = (k: string, v: string): void => {
    lines.push(`  ${k.padEnd(18)} ${v}`);
  };
  head(`decompose-filter ${r.tool.version}${r.input ? `: ${printable(r.input.file, 400)} (${r.input.dtype})` : ""}`);
  row("parent", `${shape(r.parent.shape)} OIHW, padding ${hw(r.parent.padding)}${r.parent.stride.h * r.parent.stride.w > 1 ? `, stride ${hw(r.parent.stride)}` : ""}`);
  row("target", `${shape(r.target.shape)} (parent zero-padded by ${hw(r.target.pad)})`);
  row("f1 (first conv)", `${shape(r.f1.shape)}${r.f1.padding ? `, padding ${hw(r.f1.padding)}` : ""}, no bias`);
  row("f2 (second conv)", `${shape(r.f2.shape)}${r.f2.padding ? `, padding ${hw(r.f2.padding)}` : ""}${r.f2.stride.h * r.f2.stride.w > 1 ? `, stride ${hw(r.f2.stride)}` : ""}${r.f2.bias ? ", bias = parent's" : ""}`);
  const convs = (l: LayoutConvs): string => `f1 padding ${hw(l.f1.padding)}, f2 padding ${hw(l.f2.padding)}${l.f2.stride.h * l.f2.stride.w > 1 ? ` stride ${hw(l.f2.stride)}` : ""}`;
  const mark = (name: "exact" | "same"): string => (r.layout.chosen === name ? c.bold(`${name} (chosen)`) : name);
  row("layout", `${mark("exact")}: ${convs(r.layout.exact)}; ${mark("same")}: ${r.layout.same ? convs(r.layout.same) : "none (no non-negative child paddings)"}`);
  if (!r.f1.padding) row("", c.yellow("no non-negative child paddings give the same layout for the parent's padding: use --layout exact"));
  const why = r.methodChoice.requested === "auto" ? `auto: ${r.methodChoice.reason}` : r.methodChoice.reason;
  if (r.stopReason === "closed-form") row("method", `${r.method} (${why}): one truncated SVD, no iterations`);
  else if (r.method === "polynomial") row("method", `${r.method} (${why}): ${r.iterations} of max ${r.maxIter} iterations (the factorisation of T(z), then structured sweeps if needed: see the regime below), stopped: ${r.stopReason}`);
  else row("method", `${r.method} (${why}), lambda ${r.lambda} (scale-free), ${iterationWords(r)}, stopped: ${r.stopReason}`);
  const trace = r.trace.length <= 12 ? r.trace : [...r.trace.slice(0, 5), NaN, ...r.trace.slice(-5)];
  row("trace", trace.map((x) => (Number.isNaN(x) ? "..." : sci(x))).join(" "));
  head("residual");
  const good = r.residual.rel <= Math.max(1e-6, r.floor.rel * 1.01);
  row("relative", (good ? c.green : c.yellow)(`${sci(r.residual.rel)}`) + `   (absolute ${sci(r.residual.abs)})${r.optimal ? "   optimal (closed form)" : ""}`);
  if (r.residual.unprojectedRel !== null) {
    row("before projection", `${sci(r.residual.unprojectedRel)}  (the seed's unstructured X K; after col2im projection: ${sci(r.residual.rel)})`);
  }
  row("floor", floorWords(r));
  if (r.functional) {
    head(`functional check (layout ${r.functional.layout})`);
    row("input", `random (1, c_in, ${r.functional.inputSize.h}, ${r.functional.inputSize.w})`);
    row("interior", `max error ${sci(r.functional.interiorRelError)} of max |output|`);
    row("border", `max error ${sci(r.functional.borderRelError)} of max |output|`);
    row("vs composed kernel", `max error ${sci(r.functional.layoutRelError)} of max |output| (the stack against one conv with compose(f1, f2))`);
    lines.push(`  ${c.dim(r.functional.summary)}`);
  }
  const quality = qualityRows(r, c);
  if (quality.length > 0) {
    head("quality");
    for (const [k, v] of quality) row(k, v);
  }
  head("time");
  row("wall", `${r.time.seconds.toFixed(3)} s, ${(r.time.flops / 1e9).toFixed(3)} GFLOP, ${r.time.gflops.toFixed(2)} GFLOP/s`);
  if (r.linalg) row("linear algebra", `${r.linalg.backend} (${r.linalg.detail}), ${r.linalg.threads} thread${r.linalg.threads === 1 ? "" : "s"}`);
  if (r.outputs) {
    head("written");
    row("f1", r.outputs.f1);
    row("f2", r.outputs.f2);
    if (r.outputs.bias) row("f2 bias", r.outputs.bias);
  }
  return lines.join("\n") + "\n";
}

/**
 * The iterations against --max-iter. lm and varpro spend it in units (method-race.ts,
 * variable-projection-method.ts), so their trace, one entry per sweep or step, can be longer.
 */
function iterationWords(r: Report): string {
  if (r.method === "lm")
    return `${r.iterations} sweeps and steps within --max-iter ${r.maxIter} (the ${WARM_SWEEPS} warm sweeps count 1, an LM step 1, a turn of 3 to 30 structured sweeps ${ALS_TURN_BUDGET})`;
  if (r.method === "varpro") return `${r.iterations} sweeps and steps within --max-iter ${r.maxIter} (the ${WARM_SWEEPS} warm sweeps count 1 each, a varpro step ${VARPRO_STEP_BUDGET})`;
  return `${r.iterations} of max ${r.maxIter} iterations`;
}

/** The floor in words: the optimum of a matrix geometry, or a rank bound that never implies exactness. */
function floorWords(r: Report): string {
  const f = r.floor;
  const ratio = f.ratio === null ? "" : `   residual / floor = ${f.ratio.toFixed(3)}`;
  const folded = f.folded.h !== null || f.folded.w !== null ? `, axes folded into channels: h ${f.folded.h ?? "-"}, w ${f.folded.w ?? "-"}` : "";
  switch (f.kind) {
    case "not-computed":
      return "not computed";
    case "optimum":
      return `${sci(f.rel)}   the optimum of this matrix geometry (Eckart-Young)${ratio}`;
    case "rank-bound": {
      const known = r.quality?.regime.exact === true ? "an exact split is known to exist (regime)" : "no exact split is known";
      if (f.bound === "block-toeplitz" && f.window !== null)
        return `${sci(f.rel)}   a rank bound (block-Toeplitz: the ${f.window.h}x${f.window.w}-output valid-convolution matrix, through ${f.side}'s side${folded}); positive, so no exact split exists${ratio}`;
      if (f.rel > 0) return `${sci(f.rel)}   a rank bound only (frequency floor${folded})${ratio}`;
      const toeplitz = r.quality?.regime.exact === true ? "" : ", and no block-Toeplitz window within its size cap gave more";
      return `0   a rank bound only (frequency floor${folded}), 0 once m reaches the channel rank${toeplitz}; ${known}`;
    }
  }
}
