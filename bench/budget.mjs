// Budget plan against uniform ratios on real trained layers, at equal total parameters.
//   node bench/budget.mjs [--budgets 0.25,0.5] [--max-iter 30]
// Sets: the four face-recognition layers in fixtures/ and the 12 convs of @upscalerjs/default-model
// (TF.js HWIO kernels transposed to OIHW). For each budget r it prints:
//   plan      --budget r (geometry and m per layer, solver runs)
//   uniform   --filters x with the default geometry, x the largest ratio whose weights fit r
//   per-layer the planner on each layer alone at r (every layer keeps r of its own weights, best geometry each)
// Residuals are the measured sqrt(sum ||E||^2 / sum ||T||^2) over all layers (an unsplit layer adds 0).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decompose, readNpy } from "../dist/index.js";
import { planBudget } from "../dist/plan/budget.js";
import { alsSolver } from "../dist/plan/curves.js";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const budgets = opt("budgets", "0.25,0.5").split(",").map(Number);
const maxIter = Number(opt("max-iter", "30"));

function faceLayers() {
  return ["facerec-conv32-1-conv1", "facerec-conv64-1-conv1", "facerec-conv64-down-conv1", "facerec-conv32-down"].map((name) => {
    const a = readNpy(join("fixtures", `${name}.npy`));
    return { name, shape: a.shape, data: a.data };
  });
}

export function upscalerLayers(dir = "node_modules/@upscalerjs/default-model/models") {
  const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
  const bin = readFileSync(join(dir, model.weightsManifest[0].paths[0]));
  const f32 = new Float32Array(bin.buffer, bin.byteOffset, bin.byteLength / 4);
  let at = 0;
  const layers = [];
  for (const w of model.weightsManifest[0].weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const v = f32.subarray(at, at + n);
    at += n;
    if (w.shape.length !== 4) continue;
    const [kh, kw, ci, co] = w.shape; // HWIO -> OIHW, no flip (both cross-correlation)
    const data = new Float64Array(n);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++)
      data[((o * ci + i) * kh + y) * kw + x] = v[((y * kw + x) * ci + i) * co + o];
    layers.push({ name: w.name.replace(/\/kernel$/, ""), shape: [co, ci, kh, kw], data });
  }
  return layers;
}

const sq = (d) => d.reduce((a, x) => a + x * x, 0);
const solverOptions = { maxIter, method: "structured" };

function measured(layers, choice) {
  // choice[l] = { k1, k2, m } | null; runs the solver once per split layer.
  let e = 0, t = 0, params = 0, runs = 0;
  layers.forEach((l, j) => {
    t += sq(l.data);
    const c = choice[j];
    if (!c) {
      params += l.data.length;
      return;
    }
    const r = decompose({ shape: l.shape, data: l.data }, { ...solverOptions, filters: c.m, ...(c.k1 ? { k1: c.k1, k2: c.k2 } : {}), floor: false, functional: false });
    runs++;
    e += r.report.residual.abs ** 2;
    params += r.f1.data.length + r.f2.data.length;
  });
  return { rel: Math.sqrt(e / t), params, runs };
}

function planned(layers, r) {
  const started = performance.now();
  const plan = planBudget(layers.map((l) => ({ ...l, groups: 1, inputSize: null })), { ratio: r, of: "params", objective: "total", solve: alsSolver(solverOptions) });
  const planSeconds = (performance.now() - started) / 1000;
  const choice = plan.layers.map(({ option: o }) => (o.m === null ? null : { k1: o.k1, k2: o.k2, m: o.m }));
  return { plan, choice, planSeconds };
}

function uniform(layers, budgetParams) {
  const paramsAt = (x) => layers.reduce((s, l) => {
    const [co, ci, kh, kw] = l.shape;
    return s + Math.max(1, Math.round(x * Math.min(co, ci))) * (co + ci) * kh * kw;
  }, 0);
  let x = 1;
  while (x > 0.001 && paramsAt(x) > budgetParams) x -= 0.001;
  return { x, choice: layers.map((l) => ({ m: Math.max(1, Math.round(x * Math.min(l.shape[0], l.shape[1]))) })) };
}

for (const [set, layers] of [["face-recognition (4 layers, fixtures/)", faceLayers()], ["@upscalerjs/default-model (12 convs)", upscalerLayers()]]) {
  const parent = layers.reduce((s, l) => s + l.data.length, 0);
  console.log(`\n${set}: ${parent} weights; max-iter ${maxIter}`);
  for (const r of budgets) {
    const p = planned(layers, r);
    const pm = measured(layers, p.choice);
    const u = uniform(layers, pm.params);
    const um = measured(layers, u.choice);
    const per = layers.map((l) => planned([l], r).choice[0]);
    const perm = measured(layers, per);
    const geoms = p.plan.layers.map(({ option: o }) => `${o.geometry}${o.m === null ? "" : ":" + o.m}`).join(" ");
    console.log(`  budget ${r}: plan ${pm.rel.toFixed(4)} (${pm.params} weights, predicted ${p.plan.residualRel.toFixed(4)}, ${p.plan.solverRuns} solver runs to plan, ${p.planSeconds.toFixed(1)} s)`);
    console.log(`    uniform --filters ${u.x.toFixed(3)}x default geometry: ${um.rel.toFixed(4)} (${um.params} weights)`);
    console.log(`    per-layer ratio ${r}, best geometry each: ${perm.rel.toFixed(4)} (${perm.params} weights)`);
    console.log(`    plan: ${geoms}`);
  }
}
