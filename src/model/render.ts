/**
 * The text report's model part, below the batch table: parameters (and Conv MACs when measured)
 * before and after, then one row per graph output of the runtime check.
 */
import type { ChalkInstance } from "chalk";
import type { OnnxSummaryRecord } from "./records.js";

const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(2));

export function renderVerify(s: OnnxSummaryRecord, shapes: string, c: ChalkInstance): string {
  const out: string[] = [c.bold("model")];
  const { before, after } = s.model;
  const pct = (a: number, b: number): string => (b > 0 ? `${((a / b) * 100).toFixed(1)}%` : "-");
  out.push(`  parameters ${before.parameters} -> ${after.parameters} (${pct(after.parameters, before.parameters)}), Conv nodes ${before.convNodes} -> ${after.convNodes}`);
  if (before.convMacs !== null && after.convMacs !== null) {
    out.push(`  Conv MACs ${before.convMacs} -> ${after.convMacs} (${pct(after.convMacs, before.convMacs)})`);
  }
  out.push(c.dim(`  ${shapes}`));
  const v = s.verify;
  if (v === null) out.push(c.dim("  runtime check off (--no-verify)"));
  else if (v.status !== "ok") out.push(`  ${c.yellow(v.status === "failed" ? `runtime check FAILED: ${v.reason}` : `not checked end to end: ${v.reason}`)}`);
  else {
    out.push(c.bold(`end to end (${v.runtime}, seeded normal inputs ${v.inputs.map((i) => `${i.name}=${i.dims.join("x")}`).join(", ")}, seed ${v.seed})`));
    const head = ["output", "dims", "max |dev|", "max |out|", "relative", "cosine"];
    const rows = v.outputs.map((d) => [d.name, d.dims.join("x"), sci(d.maxAbs), sci(d.scale), sci(d.rel), d.cosine.toFixed(9)]);
    const width = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
    const line = (cells: readonly string[]): string => "  " + cells.map((x, j) => (j < 2 ? x.padEnd(width[j]!) : x.padStart(width[j]!))).join("  ").trimEnd();
    out.push(c.dim(line(head)));
    for (const [i, r] of rows.entries()) out.push(s.aboveMaxDeviation.includes(v.outputs[i]!.name) ? c.red(line(r)) : line(r));
  }
  const h = s.calibration?.heldOut;
  if (s.calibration && h) {
    out.push(c.bold(`end to end on the ${h.samples} held-out calibration input${h.samples === 1 ? "" : "s"} of ${s.calibration.file} (${s.calibration.calibrated} weights fitted to the other ${s.calibration.samples - h.samples})`));
    for (const d of h.outputs) out.push(`  ${d.name}  max |dev| ${sci(d.maxAbs)}  relative ${sci(d.rel)}  cosine ${d.cosine.toFixed(9)}`);
  }
  return out.join("\n") + "\n";
}
