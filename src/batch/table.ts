import type { ChalkInstance } from "chalk";
import { printable } from "../io/quote.js";
import type { LayerRecord, SummaryRecord } from "./records.js";

/**
 * The readable batch report: one row per layer (name, parent shape, groups, m, relative
 * residual, floor, time), the skipped layers with their reasons, then totals and where the
 * factors went.
 */
const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(2));
const shape = (s: readonly number[]): string => `(${s.join(", ")})`;

export function renderTable(records: readonly LayerRecord[], summary: SummaryRecord, c: ChalkInstance): string {
  const ok = records.filter((r) => r.status === "ok");
  const skipped = records.filter((r) => r.status === "skipped");
  const head = ["layer", "parent", "groups", "m", "residual", "floor", "time"];
  // Names and paths come from the inputs: escaped, so a row stays one line.
  const rows = ok.map((r) => [
    printable(r.name),
    shape(r.parent.shape),
    `${r.parent.groups ?? 1}${r.parent.groupsInferred ? "*" : ""}`,
    String(r.filters ?? ""),
    sci(r.residual?.rel ?? 0),
    sci(r.floor?.rel ?? 0),
    `${(r.time?.seconds ?? 0).toFixed(2)} s`,
  ]);
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j]!.length)));
  const right = new Set([2, 3, 4, 5, 6]);
  const line = (cells: readonly string[]): string =>
    "  " + cells.map((x, j) => (right.has(j) ? x.padStart(width[j]!) : x.padEnd(width[j]!))).join("  ").trimEnd();
  const out: string[] = [];
  out.push(c.bold(`decompose-filter: ${summary.inputs.map((f) => printable(f, 400)).join(", ")}  (--filters ${summary.filters})`));
  if (rows.length > 0) {
    out.push(c.dim(line(head)));
    for (const row of rows) out.push(line(row));
  }
  if (ok.some((r) => r.parent.groupsInferred)) out.push(c.dim("  * groups inferred (depthwise after a layer with as many outputs); --groups overrides"));
  if (ok.some((r) => (r.parent.groups ?? 1) > 1)) out.push(c.dim("  grouped layers: run both children with the parent's groups (f1: c_in -> m, f2: m -> c_out)"));
  const calibrated = ok.filter((r) => r.calibration);
  if (calibrated.length > 0) {
    out.push(c.bold("calibration (output-space residual on held-out samples; kernel residual above)"));
    for (const r of calibrated) {
      const k = r.calibration!;
      out.push(`  ${r.name}  ${k.mode} whitening, output ${sci(k.outputRel.heldOut)} held out (${k.samples.heldOut} samples), ${sci(k.outputRel.fit)} on the ${k.samples.fit} fit samples`);
    }
  }
  if (skipped.length > 0) {
    out.push(c.bold(`skipped (${skipped.length})`));
    for (const r of skipped) out.push(`  ${printable(r.name)}  ${shape(r.parent.shape)}  ${c.yellow(r.reason ?? "")}`);
  }
  out.push(c.bold("totals"));
  const ratio = summary.params.parent > 0 ? summary.params.children / summary.params.parent : 0;
  out.push(`  ${summary.decomposed} split, ${summary.skipped} skipped, ${summary.copied} arrays copied through`);
  if (summary.decomposed > 0) {
    out.push(
      `  weights ${summary.params.parent} -> ${summary.params.children} (${(ratio * 100).toFixed(1)}%), ` +
        `residual ${sci(summary.residual.rel)} overall, worst ${sci(summary.residual.maxRel)} (${printable(summary.residual.maxRelLayer ?? "")})`,
    );
  }
  out.push(`  ${summary.time.seconds.toFixed(2)} s wall, ${summary.time.layerSeconds.toFixed(2)} s in layers, ${summary.jobs} job${summary.jobs === 1 ? "" : "s"}`);
  for (const f of summary.outputs) out.push(`  wrote ${printable(f, 400)}`);
  return out.join("\n") + "\n";
}
