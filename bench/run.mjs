// npm run bench [-- --only time-to-quality,kernels,decompositions,fixtures,quality,geometries,floors,lm,stopping,dump] [--quick]
// One table per part, each with the NumPy peer measured in the same run (skipped, with a notice,
// when python3/numpy or ../shared/peers are missing). Build first (npm run bench does).
import os from "node:os";
import { printTable } from "./table.mjs";

const args = process.argv.slice(2);
const onlyIdx = args.findIndex((a) => a === "--only" || a.startsWith("--only="));
const only = onlyIdx < 0 ? null : (args[onlyIdx].includes("=") ? args[onlyIdx].split("=")[1] : args[onlyIdx + 1]).split(",");
const quick = args.includes("--quick");
const want = (part) => only === null || only.includes(part);

console.log(`decompose-filter bench: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);

if (want("time-to-quality")) {
  const { timeToQuality, COLUMNS } = await import("./time-to-quality.mjs");
  printTable("Time to quality: the default run against the NumPy peer's ALS (within 1% of the best known, or 1e-6 where exact)", COLUMNS, timeToQuality({ quick }));
}

if (want("kernels")) {
  const { bench, COLUMNS } = await import("./kernels.mjs");
  const rows = await bench({ quick });
  printTable(`Kernels (wasm kernel ${rows.info.kernel}, ${rows.info.threads} threads); targets at n = 2304: wasm >= 0.30 of NumPy, openblas >= 0.8`, COLUMNS, rows);
  if (rows.notice) console.log(`\n${rows.notice}`);
}

if (want("decompositions")) {
  const { benchDecompositions, COLUMNS, DEFAULT_CASES } = await import("./decompositions.mjs");
  const cases = quick ? DEFAULT_CASES.filter((c) => c.c <= 128) : DEFAULT_CASES;
  const rows = await benchDecompositions({ cases });
  printTable("Whole decompositions, structured, random start, fixed iterations, per back-end; targets: openblas s/iter within 1.3x of NumPy, peak RSS within three normal matrices + the parent + 150 MB; wasm ratio <= 3 from 128 channels", COLUMNS, rows);
}

if (want("fixtures")) {
  const { benchFixtures, COLUMNS } = await import("./fixtures.mjs");
  printTable("Every shipped parent, all three methods (CLI defaults, --seed 0)", COLUMNS, await benchFixtures());
}

if (want("quality")) {
  const { qualityTable, renderQualityTable } = await import("./quality.mjs");
  const t = await qualityTable({ quick });
  console.log("\n### Quality: the real 32-channel 3x3 layer (fixtures/facerec-conv32-1-conv1.npy)\n");
  console.log(renderQualityTable(t));
}

if (want("geometries")) {
  const { geometryRows, layoutRows, GEOMETRY_COLUMNS, LAYOUT_COLUMNS } = await import("./geometries.mjs");
  printTable("Geometries: residual and time, closed form against structured ALS forced (60 iterations)", GEOMETRY_COLUMNS, geometryRows({ quick }));
  printTable("Stacking layouts on the same factors (max error at the border, relative to max |output| in brackets)", LAYOUT_COLUMNS, layoutRows());
}

if (want("floors")) {
  const { benchFloors, COLUMNS, FILE } = await import("./floors.mjs");
  printTable(`Floors on ${FILE} (64 x 32, 3x3 -> 2x2 + 2x2): the frequency and block-Toeplitz bounds against NumPy computing the same bound, and the default run's residual`, COLUMNS, benchFloors({ quick }));
}

if (want("stopping")) {
  const { benchStopping, COLUMNS, TITLE } = await import("./stopping.mjs");
  const { rows, summary } = benchStopping({ quick });
  printTable(TITLE, COLUMNS, rows);
  console.log(summary);
}

if (want("lm")) {
  const { benchLm, COLUMNS } = await import("./lm.mjs");
  printTable("Hard geometries (ke = k): LM vs structured ALS vs the NumPy peer, time to a relative residual (target: 1e-6 where exact by count, else within 1% of the best known)", COLUMNS, benchLm({ quick }));
}

if (want("dump")) {
  const { benchDump } = await import("./dump.mjs");
  const { useBlas } = await import("../dist/linalg/index.js");
  let blas = ["wasm"];
  try {
    useBlas("openblas");
    blas = ["wasm", "openblas"];
  } catch {
    console.log("bench: NOTICE: OpenBLAS does not load here: the dump is measured on wasm only");
  }
  const r = await benchDump({ maxIter: null, width: quick ? 16 : 64, blas });
  printTable(
    `ResNet-18-shaped dump, ${(r.params / 1e6).toFixed(2)}M parameters, --filters 0.5x, default iterations (serial/parallel ${r.serialOverParallel?.toFixed(2) ?? "n/a"}, byte-identical across --jobs: ${Object.entries(r.identical).map(([b, same]) => `${b} ${same ? "yes" : "no"}`).join(", ")}; OpenBLAS differs by thread count, README)`,
    [
      ["back-end", (x) => x.backend],
      ["jobs", (x) => x.jobs],
      ["iterations (all layers)", (x) => x.iterations],
      ["seconds", (x) => x.seconds.toFixed(1)],
      ["peak RSS MiB", (x) => x.peakRssMiB.toFixed(0)],
      ["split / skipped", (x) => `${x.decomposed} / ${x.skipped}`],
      ["weights parent -> children", (x) => `${x.params.parent} -> ${x.params.children}`],
      ["residual (all layers)", (x) => x.residualRel.toExponential(3)],
    ],
    r.runs,
  );
}
