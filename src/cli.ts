import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import type { MethodName } from "./als/result.js";
import { parseChoice, parseNonNegativeInt, parseNonNegativeNumber, parsePadding, parsePositiveInt, parseSize2 } from "./cli-parse.js";
import { filtersPerGroup, parseFiltersSpec } from "./batch/filters.js";
import { runBatch } from "./batch/run.js";
import { decompose } from "./decompose.js";
import { INIT_NAMES } from "./als/init.js";
import { installAutoFilters, lastAutoFilters } from "./quality/auto-filters.js";
import { DecomposeError, isDecomposeError } from "./errors.js";
import { samePadding } from "./geometry/shapes.js";
import { writeFilesAtomic, type FileToWrite } from "./io/files.js";
import { expectShape4, readNpy, serializeNpy, type NpyDtype } from "./io/npy.js";
import { renderJson } from "./report/render-json.js";
import { makeChalk, renderText } from "./report/render-text.js";
import { VERSION } from "./version.js";

/** Where the CLI talks to: a real process, or a test's buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdoutIsTTY: boolean;
  /** Where the progress bar of a multi-layer run draws, when stderr is a terminal. */
  readonly progressStream?: NodeJS.WritableStream | null;
  /** The bytes of `-` (stdin). */
  readStdin?(): Uint8Array;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
  progressStream: process.stderr.isTTY === true ? process.stderr : null,
  readStdin: () => readFileSync(0),
};

const METHODS: readonly MethodName[] = ["structured", "projected", "seed"];
const DTYPES: readonly NpyDtype[] = ["float16", "float32", "float64"];

interface RawOptions {
  filters: string;
  k1?: string;
  k2?: string;
  method: string;
  lambda: string;
  maxIter: string;
  tol: string;
  seed: string;
  padding: string;
  outDir?: string;
  dtype?: string;
  bias?: string;
  json?: boolean;
  report?: string;
  maxResidual?: string;
  force?: boolean;
  quiet?: boolean;
  select?: string;
  exclude?: string;
  groups: string;
  onlyDecomposed?: boolean;
  strict?: boolean;
  jobs?: string;
  init: string;
  initNoise?: string;
  restarts?: string;
  balance?: boolean;
  noise?: string;
  refine?: string;
  targetResidual?: string;
}

function program(io: CliIo): Command {
  return new Command()
    .name("decompose-filter")
    .description(
      "Split a convolution kernel (PyTorch OIHW layout) into two stacked kernels f1, f2 with m " +
        "middle channels by regularised alternating least squares, and report how well " +
        "conv(conv(x, f1), f2) reproduces conv(x, parent).",
    )
    .argument("<inputs...>", "parent filters: .npy (c_out, c_in, kh, kw) float16/32/64, or .npz/.safetensors dumps; - for stdin")
    .requiredOption("-f, --filters <m>", "middle channels m (f1 has m outputs, f2 m inputs): a count (16), or a ratio of each layer's smaller channel count (0.5x)")
    .option("--k1 <n>", "first conv's kernel size, N or HxW (default: the parent's)")
    .option("--k2 <n>", "second conv's kernel size, N or HxW (default: the parent's)")
    .addOption(new Option("-m, --method <name>", "structured | projected | seed").default("structured"))
    .option("--lambda <x>", "ridge weight, relative to mean(diag) of each normal matrix", "1e-4")
    .option("--max-iter <n>", "maximum ALS iterations", "30")
    .option("--tol <x>", "stop when the relative residual is below this", "1e-7")
    .option("--seed <n>", "random seed (same seed, same input: identical outputs)", "0")
    .option("--padding <p>", "padding the parent ran with: same, N or HxW", "same")
    .option("-o, --out-dir <dir>", "where to write <stem>.f1.npy and <stem>.f2.npy (default: next to the input)")
    .option("--dtype <type>", "output dtype: float16 | float32 | float64 (default: the parent's)")
    .option("--bias <file.npy>", "the parent's bias (c_out); written as <stem>.f2.bias.npy")
    .option("--json", "print the report as one JSON document on stdout, nothing else (several layers: NDJSON, one line per layer, then a summary)")
    .option("--report <file.json>", "also write the JSON report to this file")
    .option("--max-residual <x>", "exit 1 when the final relative residual is above this")
    .option("--select <regex>", "dumps: split only the arrays whose name matches")
    .option("--exclude <regex>", "dumps: leave out the arrays whose name matches")
    .option("--groups <g>", "the parents' conv groups: a number, or auto (depthwise inferred from a dump when unambiguous, else 1)", "auto")
    .option("--only-decomposed", "dumps: write only the factors, not the arrays left unsplit")
    .option("--strict", "exit 2 when a layer cannot be split, instead of listing it as skipped")
    .option("-j, --jobs <n>", "layers split in parallel on worker threads (default: the number of cores)")
    .addOption(new Option("--init <name>", "structured's start: auto | random | identity | spectral (auto: by regime)").default("auto"))
    .option("--init-noise <x>", "add normal noise of x times the start's norm to the start")
    .option("--restarts <n>", "best of n seeded starts (seed, seed+1, ...)")
    .option("--balance", "rescale so f1 and f2 have equal standard deviation (composition unchanged)")
    .option("--noise <ratio>", "after solving, add uniform noise of ratio * ptp(factor) to each factor (Net2Net: 1e-4)")
    .option("--refine <steps>", "fine-tune f1, f2 by Adam on the functional error over random images, borders included")
    .option("--target-residual <x>", "with --filters auto: the relative residual the smallest m must reach")
    .option("--force", "replace existing output files")
    .option("-q, --quiet", "print no report (errors still go to stderr)")
    .version(VERSION, "-V, --version")
    .helpOption("-h, --help", "show this help")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(`decompose-filter: ${s.replace(/^error: /, "")}`),
    });
}

/** Parse argv (without node and script), run, print; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const cmd = program(io);
  try {
    cmd.parse([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? 0 : 2;
    }
    throw e;
  }
  const files = cmd.args;
  const raw = cmd.opts<RawOptions>();
  try {
    if (isSingleLayer(files, raw)) return run(files[0]!, raw, io);
    return await runMany(files, raw, io);
  } catch (e) {
    if (isDecomposeError(e)) {
      io.stderr(`decompose-filter: ${e.describe()}\n`);
      return e.exitCode;
    }
    io.stderr(`decompose-filter: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

function run(file: string, raw: RawOptions, io: CliIo): number {
  const filtersSpec = parseFiltersSpec(raw.filters);
  const k1 = raw.k1 === undefined ? undefined : parseSize2("k1", raw.k1);
  const k2 = raw.k2 === undefined ? undefined : parseSize2("k2", raw.k2);
  const method = parseChoice("method", raw.method, METHODS);
  const lambda = parseNonNegativeNumber("lambda", raw.lambda);
  const maxIter = parsePositiveInt("max-iter", raw.maxIter);
  const tol = parseNonNegativeNumber("tol", raw.tol);
  const seed = parseNonNegativeInt("seed", raw.seed);
  if (seed > 0xffffffff) throw new DecomposeError("E_OPTION", `--seed must be below 2^32, got '${raw.seed}'`);
  const padding = parsePadding(raw.padding);
  const dtypeOverride = raw.dtype === undefined ? undefined : parseChoice("dtype", raw.dtype, DTYPES);
  const maxResidual = raw.maxResidual === undefined ? undefined : parseNonNegativeNumber("max-residual", raw.maxResidual);

  const parentArr = readNpy(file);
  const shape = expectShape4(parentArr, file);
  const init = parseChoice("init", raw.init, ["auto", ...INIT_NAMES] as const);
  const initNoise = raw.initNoise === undefined ? undefined : parseNonNegativeNumber("init-noise", raw.initNoise);
  const quality = {
    ...(raw.restarts === undefined ? {} : { restarts: parsePositiveInt("restarts", raw.restarts) }),
    ...(raw.balance ? { balance: true } : {}),
    ...(raw.noise === undefined ? {} : { noise: parseNonNegativeNumber("noise", raw.noise) }),
    ...(raw.refine === undefined ? {} : { refine: parseNonNegativeInt("refine", raw.refine) }),
  };
  installAutoFilters(raw.targetResidual === undefined ? undefined : parseNonNegativeNumber("target-residual", raw.targetResidual), {
    ...(k1 ? { k1 } : {}),
    ...(k2 ? { k2 } : {}),
    method,
    lambda,
    maxIter,
    tol,
    seed,
    init,
    ...(initNoise === undefined ? {} : { initNoise }),
    file,
  });
  const filters = filtersPerGroup(filtersSpec, shape, 1, () => ({ shape, data: parentArr.data }));
  let bias: Float64Array | undefined;
  if (raw.bias !== undefined) {
    const b = readNpy(raw.bias);
    if (b.shape.length !== 1 || b.shape[0] !== shape[0]) {
      throw new DecomposeError("E_SHAPE", `bias must have shape (${shape[0]},) to match the parent's c_out, got (${b.shape.join(", ")})`, raw.bias);
    }
    bias = b.data;
  }

  const outDir = raw.outDir ?? dirname(file);
  const stem = basename(file, extname(file) === ".npy" ? ".npy" : "");
  const paths = {
    f1: join(outDir, `${stem}.f1.npy`),
    f2: join(outDir, `${stem}.f2.npy`),
    bias: bias ? join(outDir, `${stem}.f2.bias.npy`) : null,
  };
  // Fail before the work, not after it; writeFilesAtomic checks again when it writes.
  const targets = [paths.f1, paths.f2, ...(paths.bias ? [paths.bias] : []), ...(raw.report ? [raw.report] : [])];
  if (!raw.force) {
    for (const t of targets) if (existsSync(t)) throw new DecomposeError("E_EXISTS", "exists (use --force to replace it)", t);
  }

  const result = decompose(
    { shape, data: parentArr.data },
    {
      filters,
      ...(k1 ? { k1 } : {}),
      ...(k2 ? { k2 } : {}),
      method,
      lambda,
      maxIter,
      tol,
      seed,
      ...(bias ? { bias } : {}),
      init,
      ...(initNoise === undefined ? {} : { initNoise }),
      quality,
      parentPadding: padding === "same" ? samePadding({ h: shape[2], w: shape[3] }) : padding,
      file,
    },
  );
  const dtype = dtypeOverride ?? parentArr.dtype;
  const report = result.report;
  report.input = { file, dtype: parentArr.dtype };
  if (filtersSpec.kind === "auto") {
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
  if (raw.report) writes.push({ path: raw.report, bytes: new TextEncoder().encode(json + "\n") });
  const inputs = [file, ...(raw.bias ? [raw.bias] : [])].map((p) => resolve(p));
  writeFilesAtomic(writes, { force: raw.force === true, protect: inputs });

  if (raw.json) io.stdout(json + "\n");
  else if (!raw.quiet) io.stdout(renderText(report, makeChalk(io.env, io.stdoutIsTTY)));

  if (maxResidual !== undefined && report.residual.rel > maxResidual) {
    io.stderr(
      `decompose-filter: ${file}: relative residual ${report.residual.rel.toExponential(3)} is above --max-residual ${maxResidual}\n`,
    );
    return 1;
  }
  return 0;
}

/** One `.npy` parent without groups: the single-layer report, as before; anything else is a batch. */
function isSingleLayer(files: readonly string[], raw: RawOptions): boolean {
  const ext = extname(files[0] ?? "").toLowerCase();
  const grouped = raw.groups.trim() !== "auto" && raw.groups.trim() !== "1";
  return files.length === 1 && files[0] !== "-" && ext !== ".npz" && ext !== ".safetensors" && !grouped;
}

/** Several inputs, dumps, stdin or groups: src/batch/run.ts, NDJSON or a table. */
async function runMany(files: readonly string[], raw: RawOptions, io: CliIo): Promise<number> {
  if (raw.bias !== undefined) {
    throw new DecomposeError("E_OPTION", "--bias takes a single .npy parent; in dumps and lists of files a bias is paired by name (x.weight / x.bias)");
  }
  const regex = (name: string, s: string | undefined): RegExp | undefined => {
    if (s === undefined) return undefined;
    try {
      return new RegExp(s);
    } catch (e) {
      throw new DecomposeError("E_OPTION", `--${name} is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const seed = parseNonNegativeInt("seed", raw.seed);
  if (seed > 0xffffffff) throw new DecomposeError("E_OPTION", `--seed must be below 2^32, got '${raw.seed}'`);
  const padding = parsePadding(raw.padding);
  const select = regex("select", raw.select);
  const exclude = regex("exclude", raw.exclude);
  const dtype = raw.dtype === undefined ? undefined : parseChoice("dtype", raw.dtype, DTYPES);
  const maxResidual = raw.maxResidual === undefined ? undefined : parseNonNegativeNumber("max-residual", raw.maxResidual);
  return runBatch(
    files,
    {
      settings: {
        filters: parseFiltersSpec(raw.filters),
        ...(raw.k1 === undefined ? {} : { k1: parseSize2("k1", raw.k1) }),
        ...(raw.k2 === undefined ? {} : { k2: parseSize2("k2", raw.k2) }),
        method: parseChoice("method", raw.method, METHODS),
        lambda: parseNonNegativeNumber("lambda", raw.lambda),
        maxIter: parsePositiveInt("max-iter", raw.maxIter),
        tol: parseNonNegativeNumber("tol", raw.tol),
        seed,
        padding,
        ...(raw.targetResidual === undefined ? {} : { autoTarget: parseNonNegativeNumber("target-residual", raw.targetResidual) }),
        extra: {
          init: parseChoice("init", raw.init, ["auto", ...INIT_NAMES] as const),
          ...(raw.initNoise === undefined ? {} : { initNoise: parseNonNegativeNumber("init-noise", raw.initNoise) }),
          quality: {
            ...(raw.restarts === undefined ? {} : { restarts: parsePositiveInt("restarts", raw.restarts) }),
            ...(raw.balance ? { balance: true } : {}),
            ...(raw.noise === undefined ? {} : { noise: parseNonNegativeNumber("noise", raw.noise) }),
            ...(raw.refine === undefined ? {} : { refine: parseNonNegativeInt("refine", raw.refine) }),
          },
        },
      },
      ...(select ? { select } : {}),
      ...(exclude ? { exclude } : {}),
      groups: raw.groups.trim() === "auto" ? "auto" : parsePositiveInt("groups", raw.groups),
      onlyDecomposed: raw.onlyDecomposed === true,
      strict: raw.strict === true,
      jobs: raw.jobs === undefined ? availableParallelism() : parsePositiveInt("jobs", raw.jobs),
      ...(raw.outDir === undefined ? {} : { outDir: raw.outDir }),
      ...(dtype ? { dtype } : {}),
      json: raw.json === true,
      ...(raw.report === undefined ? {} : { report: raw.report }),
      ...(maxResidual === undefined ? {} : { maxResidual }),
      force: raw.force === true,
      quiet: raw.quiet === true,
    },
    {
      stdout: (t) => io.stdout(t),
      stderr: (t) => io.stderr(t),
      readStdin: io.readStdin ?? (() => readFileSync(0)),
      progress: io.progressStream ?? null,
      chalk: makeChalk(io.env, io.stdoutIsTTY),
    },
  );
}
