// npm run bench [-- --only kernels,decompositions,quality,dump] [--quick]
// Prints one table per part, each with the NumPy peer measured in the same run.
import os from "node:os";
import { printTable } from "./table.mjs";

const args = process.argv.slice(2);
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg ? (onlyArg.includes("=") ? onlyArg.split("=")[1] : args[args.indexOf(onlyArg) + 1]).split(",") : null;
const quick = args.includes("--quick");
const want = (part) => only === null || only.includes(part);

console.log(`decompose-filter bench on ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores, node ${process.version}`);

const parts = [
  ["kernels", "./kernels.mjs"],
  ["decompositions", "./decompositions.mjs"],
  ["quality", "./quality.mjs"],
  ["dump", "./dump.mjs"],
];
for (const [name, path] of parts) {
  if (!want(name)) continue;
  let mod;
  try {
    mod = await import(path);
  } catch (e) {
    console.log(`\n(${name}: not available: ${e.message.split("\n")[0]})`);
    continue;
  }
  const run = mod.bench ?? mod.default ?? Object.values(mod).find((v) => typeof v === "function" && v.name.startsWith("bench"));
  if (typeof run !== "function") {
    console.log(`\n(${name}: module exports no bench function)`);
    continue;
  }
  const result = await run({ quick });
  const tables = Array.isArray(result) ? [{ title: name, columns: mod.COLUMNS, rows: result }] : (result.tables ?? []);
  for (const t of tables) printTable(t.title, t.columns ?? mod.COLUMNS, t.rows);
}
