import { existsSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { installAutoForSettings } from "./batch/auto.js";
import { filtersPerGroup } from "./batch/filters.js";
import { settingsToOptions } from "./batch/layer.js";
import type { CliIo } from "./cli-io.js";
import type { CliSettings } from "./cli-options.js";
import { decompose } from "./decompose.js";
import { DecomposeError } from "./errors.js";
import { resolveGeometry, samePadding } from "./geometry/shapes.js";
import type { Tensor4 } from "./geometry/tensor.js";
import type { FileToWrite } from "./io/files.js";
import { factorSetManifestPath } from "./io/manifest.js";
import { writeOutputSets } from "./io/output-sets.js";
import { expectShape4, readNpy, serializeNpy } from "./io/npy.js";
import { checkRepresentable } from "./io/dtype-range.js";
import { checkOutputFileDirectory, prepareOutputDirectory } from "./io/out-dir.js";
import { errorLine } from "./io/quote.js";
import { lastAutoFilters } from "./quality/auto-filters.js";
import { renderJson } from "./report/render-json.js";
import { makeChalk, renderText } from "./report/render-text.js";

/**
 * One `.npy` parent: read, check everything that can fail before the work, decompose, write
 * `<stem>.f1.npy`, `<stem>.f2.npy` (and `<stem>.f2.bias.npy`), the --report file and, last,
 * `<stem>.manifest.json` all at once (io/output-sets.ts), print the report.
 * Returns the exit code (1 when above --max-residual).
 */
export function runSingle(file: string, s: CliSettings, io: CliIo): number {
  const L = s.layer;
  const parentArr = readNpy(file);
  const shape = expectShape4(parentArr, file);
  const parent: Tensor4 = { shape, data: parentArr.data };
  let bias: Float64Array | undefined;
  if (s.bias !== undefined) {
    const b = readNpy(s.bias);
    if (b.shape.length !== 1 || b.shape[0] !== shape[0]) {
      throw new DecomposeError("E_SHAPE", `bias must have shape (${shape[0]},) to match the parent's c_out, got (${b.shape.join(", ")})`, s.bias);
    }
    bias = b.data;
  }
  // The kernel-size rules do not depend on m: check them before any work (m = 1 stands in).
  resolveGeometry(shape, 1, L.k1, L.k2, file);

  const outDir = s.outDir ?? dirname(file);
  const stem = basename(file, extname(file) === ".npy" ? ".npy" : "");
  const paths = {
    f1: join(outDir, `${stem}.f1.npy`),
    f2: join(outDir, `${stem}.f2.npy`),
    bias: bias ? join(outDir, `${stem}.f2.bias.npy`) : null,
  };
  const manifest = factorSetManifestPath(outDir, stem);
  // Fail before the work, not after it; writeFilesAtomic checks again when it writes.
  prepareOutputDirectory(outDir);
  if (s.report) checkOutputFileDirectory(s.report);
  if (!s.force) {
    const targets = [paths.f1, paths.f2, ...(paths.bias ? [paths.bias] : []), ...(s.report ? [s.report] : []), manifest];
    for (const t of targets) if (existsSync(t)) throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", t);
  }

  installAutoForSettings(L, file);
  const filters = filtersPerGroup(L.filters, shape, 1, () => parent);
  const result = decompose(parent, {
    ...settingsToOptions(L),
    filters,
    ...(bias ? { bias } : {}),
    parentPadding: L.padding === "same" ? samePadding({ h: shape[2], w: shape[3] }) : L.padding,
    file,
  });
  const dtype = s.dtype ?? parentArr.dtype;
  const fits = (values: Float64Array, what: string): void => checkRepresentable(values, dtype, what, s.dtype !== undefined, file);
  fits(result.f1.data, "f1");
  fits(result.f2.data, "f2");
  if (result.f2Bias) fits(result.f2Bias, "f2.bias");
  const report = result.report;
  report.input = { file, dtype: parentArr.dtype };
  if (L.filters.kind === "auto") {
    const auto = lastAutoFilters();
    if (auto) report.autoFilters = auto;
  }
  report.outputs = paths;
  const writes: FileToWrite[] = [
    { path: paths.f1, bytes: serializeNpy(result.f1.shape, result.f1.data, dtype) },
    { path: paths.f2, bytes: serializeNpy(result.f2.shape, result.f2.data, dtype) },
  ];
  if (paths.bias && result.f2Bias) writes.push({ path: paths.bias, bytes: serializeNpy([result.f2Bias.length], result.f2Bias, dtype) });
  const json = renderJson(report);
  const reportFile = s.report ? { path: s.report, bytes: new TextEncoder().encode(json + "\n") } : undefined;
  const inputs = [file, ...(s.bias ? [s.bias] : [])].map((p) => resolve(p));
  writeOutputSets([{ manifest, files: writes }], reportFile, { force: s.force, protect: inputs });

  if (s.json) io.stdout(json + "\n");
  else if (!s.quiet) io.stdout(renderText(report, makeChalk(io.env, io.stdoutIsTTY)));

  if (s.maxResidual !== undefined && report.residual.rel > s.maxResidual) {
    io.stderr(errorLine(file, `relative residual ${report.residual.rel.toExponential(3)} is above --max-residual ${s.maxResidual}`));
    return 1;
  }
  return 0;
}
