import type { ChalkInstance } from "chalk";
import type { Report } from "./model.js";

const sci = (x: number): string => (x === 0 ? "0" : x.toExponential(3));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The quality section of the text report, as [key, value] rows (issue 5). */
export function qualityRows(r: Report, c: ChalkInstance): [string, string][] {
  const q = r.quality;
  const rows: [string, string][] = [];
  if (q) {
    rows.push(["regime", `${q.regime.name}: ${q.regime.description}`]);
    const known = q.regime.exactFilters === null ? "no exact split known for these kernel sizes" : `a known exact split from m >= ${q.regime.exactFilters}`;
    rows.push(["exact from", `${known}; dense exact from m >= ${q.regime.denseExactFilters} (m k2h k2w >= c_in keh kew, or the mirror)`]);
    if (q.regime.name === "no-exact-known" || q.regime.name === "matrix-polynomial") rows.push(["count", `${q.regime.counts.parameters} parameters (m (c_in k1h k1w + c_out k2h k2w) - m^2) against ${q.regime.counts.equations} equations (c_out c_in keh kew): a heuristic, not a proof`]);
    if (q.init !== null) rows.push(["init", `${q.init}${q.initNoise > 0 ? `, noise ${q.initNoise}` : ""}`]);
    rows.push(["off-centre energy", `f1 ${pct(q.energyOffCentre.f1)}, f2 ${pct(q.energyOffCentre.f2)} (0% = a spatial delta)`]);
    const s = q.stopping;
    const acc = s.structured
      ? `; ridge continued x${s.structured.lambdaDecay}/iteration to ${s.structured.lambdaMin}, up to ${s.structured.refine} iterated-Tikhonov step(s) per solve while the ridge's bias is above 1e-9, line search ${s.structured.extrapolate ? "on" : "off"}`
      : "";
    if (r.stopReason !== "closed-form") rows.push(["stopping rule", `residual <= ${s.tol}, or < ${s.stallTol} relative gain over ${s.stallWindow} iterations (stalled), ${s.minGain > 0 ? `or a forecast gain < ${s.minGain} relative over the next ${s.gainWindow} (gain-forecast), ` : ""}or ${s.maxIter} iterations${acc}`]);
    if (q.restarts) {
      rows.push(["restarts", `${q.restarts.n}, best seed ${q.restarts.bestSeed}: ${q.restarts.perStart.map((p) => sci(p.residualRel)).join(" ")}`]);
    }
    if (q.balance) rows.push(["balance", `f1 x ${q.balance.scale.toPrecision(4)}, f2 / ${q.balance.scale.toPrecision(4)} (equal std; composition unchanged)`]);
    if (q.noise) rows.push(["noise", `uniform ${q.noise.ratio} x ptp per factor; residual ${sci(q.noise.residualBeforeRel)} before, ${sci(r.residual.rel)} after`]);
    if (q.refineSkipped) rows.push(["refine", q.refineSkipped]);
    if (q.refine) {
      const f = q.refine;
      rows.push([
        "refine",
        `${f.method === "als" ? `${f.steps} ALS sweeps on the expected functional error (${f.stopped})` : `${f.steps} Adam steps (lr ${f.learningRate} x rms)`}, ${f.imageSize.h}x${f.imageSize.w} images: border ${sci(f.before.borderRelError)} -> ${sci(f.after.borderRelError)}, ` +
          `interior ${sci(f.before.interiorRelError)} -> ${sci(f.after.interiorRelError)}, residual ${sci(f.before.residualRel)} -> ${sci(f.after.residualRel)}`,
      ]);
    }
  }
  const a = r.autoFilters;
  if (a) {
    rows.push(["filters auto", a.chosen === null ? c.yellow(`no m reached ${a.targetResidual}`) : `m = ${a.chosen} (smallest reaching ${a.targetResidual})`]);
    for (const t of a.tried) {
      const what = t.outcome === "floor-above-target" ? `skipped: floor ${sci(t.floorRel)} > target` : `residual ${sci(t.residualRel ?? NaN)} (${t.outcome}), floor ${sci(t.floorRel)}`;
      rows.push([`  m = ${t.m}`, what]);
    }
  }
  return rows;
}
