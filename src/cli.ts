import { extname } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { runBatch, type BatchIo, type BatchOptions } from "./batch/run.js";
import { parseBlas, parseCliSettings, type CliSettings, type RawOptions } from "./cli-options.js";
import { processIo, type CliIo } from "./cli-io.js";
import { runSingle } from "./cli-single.js";
import { STDIN } from "./batch/dump.js";
import { runOnnx, type OnnxRunOptions } from "./model/run.js";
import { DecomposeError, isDecomposeError } from "./errors.js";
import { errorLine } from "./io/quote.js";
import { readStdinBytes } from "./io/read-input.js";
import { BlasUnavailableError, blasStatus, disposeThreads, setThreads, useBlas, type BlasChoice } from "./linalg/index.js";
import { VARPRO_COUNT_RATIO } from "./quality/method-policy.js";
import { makeChalk } from "./report/render-text.js";
import { VERSION } from "./version.js";

export { processIo, type CliIo } from "./cli-io.js";

function program(io: CliIo): Command {
  return new Command()
    .name("decompose-filter")
    .description(
      "Split a convolution kernel (PyTorch OIHW layout) into two stacked kernels f1, f2 with m " +
        "middle channels by regularised alternating least squares, and report how well " +
        "conv(conv(x, f1), f2) reproduces conv(x, parent).",
    )
    .argument("<inputs...>", "parent filters: .npy (c_out, c_in, kh, kw) float16/32/64, or .npz/.safetensors dumps; - for stdin")
    .option("-f, --filters <m>", "middle channels m (f1 has m outputs, f2 m inputs): a count (16), a ratio of each layer's smaller channel count (0.5x), or auto (the smallest m reaching --target-residual)")
    .option("--budget <r>", "instead of --filters: plan every layer's geometry and m so that all layers together keep at most r (0 < r <= 1) of the parents' params or FLOPs, at the least total residual")
    .addOption(new Option("--budget-of <what>", "params | flops (flops need --input-size for dumps; ONNX: from the model's shapes)").default("params"))
    .addOption(new Option("--budget-objective <o>", "total (sqrt(sum ||E||^2 / sum ||T||^2)) | max (the worst layer's relative residual)").default("total"))
    .option("--calibration <acts.npz>", "fit to real inputs: one array (N, c_in, H, W) of input activations per layer, named like its weight; minimises the expected output error instead of the kernel residual")
    .option("--calibration-data <file>", "ONNX: fit to real inputs: model inputs (N, C, H, W) (.npz keyed by input name for several inputs); ONNX Runtime captures every Conv's input activations")
    .option("--input-size <size>", "the feature map a layer reads, HxW for every layer or PATTERN=HxW for layers whose name matches (repeatable; first match wins; ONNX: overrides the model's shapes)", (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option("--k1 <n>", "first conv's kernel size, N or HxW (default: the parent's)")
    .option("--k2 <n>", "second conv's kernel size, N or HxW (default: the parent's)")
    .addOption(new Option("-m, --method <name>", `auto | closed-form | polynomial | structured | lm | varpro | projected | seed (auto: closed-form for matrix geometries, polynomial for 1-D ones with m = c_in = c_out and k1 + k2 - 1 = k, where ke = k with 2-D children lm, or varpro where the parameter count is at least ${VARPRO_COUNT_RATIO} of the equation count, else structured)`).default("auto"))
    .addOption(new Option("--layout <name>", "stacking layout: exact (f1 pads the whole amount, f2 unpadded: equal to the parent at every position) | same (same-size intermediate map; border effect)").default("exact"))
    .option("--lambda <x>", "ridge weight, relative to mean(diag) of each normal matrix", "1e-4")
    .option("--max-iter <n>", "maximum ALS iterations", "30")
    .option("--min-gain <x>", "stop once the next 10 iterations are forecast to gain less than this fraction of the residual (0: off)", "1e-3")
    .option("--tol <x>", "stop when the relative residual is below this", "1e-7")
    .option("--seed <n>", "random seed (same seed, same input: identical outputs)", "0")
    .option("--padding <p>", "padding the parent ran with: same, N or HxW", "same")
    .option("--stride <s>", "stride the parent ran with, N or HxW (the stack puts it on f2)", "1")
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
    .option("--threads <n>", "threads of the linear algebra within one layer (default: the number of cores; wasm: results identical for any count; openblas: for the same count)")
    .option("--blas <name>", "linear-algebra back-end: auto | openblas | wasm (auto: the system's OpenBLAS when it loads and passes a self-check, else wasm; default: $DECOMPOSE_FILTER_BLAS, else auto)")
    .option("--verbose", "say on stderr which linear-algebra back-end runs and why; with --version, print it after the version")
    .addOption(new Option("--init <name>", "structured's start: auto | random | identity | spectral (auto: by regime)").default("auto"))
    .option("--init-noise <x>", "add normal noise of x times the start's norm to the start")
    .option("--restarts <n>", "best of n seeded starts (seed, seed+1, ...)")
    .option("--balance", "rescale so f1 and f2 have equal standard deviation (composition unchanged)")
    .option("--noise <ratio>", "after solving, add uniform noise of ratio * ptp(factor) to each factor (Net2Net: 1e-4)")
    .option("--refine <steps>", "--layout same: fine-tune f1, f2 for up to <steps> sweeps of ALS on the functional error, borders included (the border effect; exact has none)")
    .option("--target-residual <x>", "with --filters auto: the relative residual the smallest m must reach")
    .option("--input-shape <name=dims>", "ONNX: the shape the runtime check feeds a graph input with symbolic dimensions (input=1x3x112x112); repeatable", collect, [])
    .option("--max-deviation <x>", "ONNX: exit 1 when a graph output deviates from the parent's by more than x relative to max |output|")
    .option("--no-verify", "ONNX: skip the end-to-end check in ONNX Runtime")
    .option("--force", "replace existing output files")
    .option("-q, --quiet", "print no report (errors still go to stderr)")
    .version(VERSION, "-V, --version")
    .helpOption("-h, --help", "show this help")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // A fixed width: the help text is the README's usage section word for word, on any terminal.
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
      outputError: (s, write) => write(`decompose-filter: ${s.replace(/^error: /, "")}`),
    });
}

/** Parse argv (without node and script), run, print; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (wantsVersionDetail(argv)) return printVersionDetail(argv, io);
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
  try {
    const settings = parseCliSettings(cmd.opts<RawOptions>(), io.env);
    selectBackend(settings.blas);
    if (settings.threads !== undefined) setThreads(settings.threads);
    if (settings.verbose) io.stderr(`decompose-filter: ${describeBackend()}\n`);
    const stdin = files.includes(STDIN) ? readAll(io) : undefined;
    if (files.some((f) => isOnnx(f, stdin))) {
      if (files.length > 1) throw new DecomposeError("E_OPTION", "an ONNX model is split on its own: give one .onnx input");
      if (settings.calibration !== undefined) throw new DecomposeError("E_OPTION", "--calibration takes activations for dumps; for an ONNX model give --calibration-data inputs.npy (model inputs: every Conv's input is captured by running it)");
      return await runOnnx(files[0]!, onnxOptions(settings), batchIo(io, stdin), stdin);
    }
    if (settings.calibrationData !== undefined) throw new DecomposeError("E_OPTION", "--calibration-data takes model inputs for an ONNX model; for dumps give --calibration acts.npz (each layer's input activations)");
    if (isSingleLayer(files, settings)) return runSingle(files[0]!, settings, io);
    return await runBatch(files, batchOptions(settings), batchIo(io, stdin));
  } catch (e) {
    if (isDecomposeError(e)) {
      // An option error concerns the one input when there is one: name it, as for file errors.
      const where = e.file ?? (files.length === 1 ? files[0] : undefined);
      io.stderr(errorLine(where, e.message));
      return e.exitCode;
    }
    io.stderr(`decompose-filter: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  } finally {
    disposeThreads();
  }
}

/** `--version --verbose` (either order): commander would print the version alone on seeing --version. */
function wantsVersionDetail(argv: readonly string[]): boolean {
  return argv.includes("--verbose") && (argv.includes("--version") || argv.includes("-V"));
}

function printVersionDetail(argv: readonly string[], io: CliIo): number {
  const i = argv.findIndex((a) => a === "--blas" || a.startsWith("--blas="));
  const option = i < 0 ? undefined : argv[i]!.includes("=") ? argv[i]!.slice("--blas=".length) : argv[i + 1];
  try {
    selectBackend(parseBlas(option, io.env));
  } catch (e) {
    if (!isDecomposeError(e)) throw e;
    io.stderr(errorLine(undefined, e.message));
    return e.exitCode;
  }
  io.stdout(`${VERSION}\n${describeBackend()}\n`);
  return 0;
}

/** --blas openblas where OpenBLAS cannot run is the user's problem (exit 2), not a bug. */
function selectBackend(choice: BlasChoice): void {
  try {
    useBlas(choice);
  } catch (e) {
    if (e instanceof BlasUnavailableError) throw new DecomposeError("E_OPTION", `--blas openblas: ${e.reason}`);
    throw e;
  }
}

/** One line: the back-end in use, what it runs on, its threads, and why OpenBLAS is not used. */
function describeBackend(): string {
  const s = blasStatus();
  const why = s.openblasError === null ? "" : `; OpenBLAS not used: ${s.openblasError}`;
  return `linear algebra: ${s.backend} (${s.detail}), ${s.threads} thread${s.threads === 1 ? "" : "s"}, --blas ${s.choice}${why}`;
}

/** One `.npy` parent without groups: the single-layer report; anything else is a batch. */
function isSingleLayer(files: readonly string[], s: CliSettings): boolean {
  const ext = extname(files[0] ?? "").toLowerCase();
  const grouped = s.groups !== "auto" && s.groups !== 1;
  return s.budget === undefined && s.calibration === undefined && files.length === 1 && files[0] !== "-" && ext !== ".npz" && ext !== ".safetensors" && !grouped;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function readAll(io: CliIo): Uint8Array {
  return (io.readStdin ?? readStdinBytes)();
}

/**
 * `.onnx` by extension; stdin by its first bytes: a ModelProto starts with field 1 (ir_version,
 * varint: 0x08), whereas a safetensors file starts with its header length and then `{` at byte 8.
 */
function isOnnx(file: string, stdin: Uint8Array | undefined): boolean {
  if (file === STDIN) return stdin !== undefined && stdin[0] === 0x08 && stdin[8] !== 0x7b;
  return extname(file).toLowerCase() === ".onnx";
}

function onnxOptions(s: CliSettings): OnnxRunOptions {
  return {
    ...batchOptions(s),
    verify: s.onnx.verify,
    inputShapes: s.onnx.inputShapes,
    ...(s.onnx.maxDeviation === undefined ? {} : { maxDeviation: s.onnx.maxDeviation }),
    ...(s.calibrationData === undefined ? {} : { calibrationData: s.calibrationData }),
  };
}

/** Several inputs, dumps, stdin or groups: src/batch/run.ts, NDJSON or a table. */
function batchOptions(s: CliSettings): BatchOptions {
  if (s.bias !== undefined) {
    throw new DecomposeError("E_OPTION", "--bias takes a single .npy parent; in dumps and lists of files a bias is paired by name (x.weight / x.bias)");
  }
  return {
    settings: s.layer,
    ...(s.select ? { select: s.select } : {}),
    ...(s.exclude ? { exclude: s.exclude } : {}),
    groups: s.groups,
    onlyDecomposed: s.onlyDecomposed,
    strict: s.strict,
    jobs: s.jobs,
    ...(s.outDir === undefined ? {} : { outDir: s.outDir }),
    ...(s.dtype ? { dtype: s.dtype } : {}),
    json: s.json,
    ...(s.report === undefined ? {} : { report: s.report }),
    ...(s.maxResidual === undefined ? {} : { maxResidual: s.maxResidual }),
    force: s.force,
    quiet: s.quiet,
    ...(s.budget ? { budget: s.budget } : {}),
    ...(s.calibration === undefined ? {} : { calibration: s.calibration }),
  };
}

function batchIo(io: CliIo, stdin?: Uint8Array): BatchIo {
  return {
    stdout: (t) => io.stdout(t),
    stderr: (t) => io.stderr(t),
    readStdin: stdin === undefined ? (io.readStdin ?? readStdinBytes) : () => stdin,
    progress: io.progressStream ?? null,
    chalk: makeChalk(io.env, io.stdoutIsTTY),
  };
}
