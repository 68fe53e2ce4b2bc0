import { createRequire } from "node:module";

/**
 * Finding and binding the system's OpenBLAS through the koffi FFI package. Nothing here changes
 * an OPENBLAS_* environment variable: the library reads them itself when it loads.
 *
 * Where it looks, in order (the first that loads and is OpenBLAS wins):
 *  1. DECOMPOSE_FILTER_BLAS_LIB=/path: that library only (CBLAS and LAPACK in one file);
 *  2. libopenblas by its usual names (the dynamic loader's search path, then the distributions'
 *     usual directories: Debian/Ubuntu, Fedora, Homebrew);
 *  3. the Debian/Ubuntu alternatives libblas.so.3 + liblapack.so.3, when libblas.so.3 is OpenBLAS.
 * "Is OpenBLAS" means it exports openblas_get_config (the reference BLAS, BLIS or MKL would need
 * their own thread control, and are not what this back-end was measured on).
 *
 * Bindings (LP64: 32-bit integers, as every distribution's OpenBLAS): CBLAS dgemm, dsyrk, dtrsm;
 * LAPACK's Fortran ABI dpotrf_, dsyevd_, zheevd_ (scalars by pointer, each CHARACTER argument's
 * hidden length appended as size_t, the gfortran convention). Typed arrays go by reference: koffi
 * passes their memory (byteOffset included), no copy.
 */
export interface OpenBlasLibrary {
  /** Where it was loaded from (the BLAS part; LAPACK may be a second file). */
  readonly path: string;
  /** openblas_get_config(), e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
  readonly config: string;
  /** openblas_get_corename(), the kernels in use, e.g. "Haswell" (OPENBLAS_CORETYPE picks it on DYNAMIC_ARCH builds). */
  readonly corename: string;
  readonly dgemm: (order: number, ta: number, tb: number, m: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number, c: Float64Array, ldc: number) => void;
  readonly dsyrk: (order: number, uplo: number, trans: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, beta: number, c: Float64Array, ldc: number) => void;
  readonly dtrsm: (order: number, side: number, uplo: number, ta: number, diag: number, m: number, n: number,
    alpha: number, a: Float64Array, lda: number, b: Float64Array, ldb: number) => void;
  readonly dpotrf: (uplo: string, n: Int32Array, a: Float64Array, lda: Int32Array, info: Int32Array, uploLen: number) => void;
  readonly dsyevd: (jobz: string, uplo: string, n: Int32Array, a: Float64Array, lda: Int32Array, w: Float64Array,
    work: Float64Array, lwork: Int32Array, iwork: Int32Array, liwork: Int32Array, info: Int32Array, jobzLen: number, uploLen: number) => void;
  readonly zheevd: (jobz: string, uplo: string, n: Int32Array, a: Float64Array, lda: Int32Array, w: Float64Array,
    work: Float64Array, lwork: Int32Array, rwork: Float64Array, lrwork: Int32Array, iwork: Int32Array, liwork: Int32Array,
    info: Int32Array, jobzLen: number, uploLen: number) => void;
  readonly setNumThreads: (n: number) => void;
  readonly getNumThreads: () => number;
}

/** The CBLAS enumerations (cblas.h). */
export const CBLAS = {
  rowMajor: 101,
  noTrans: 111,
  trans: 112,
  upper: 121,
  lower: 122,
  nonUnit: 131,
  left: 141,
  right: 142,
} as const;

interface KoffiLib {
  func(definition: string): unknown;
  unload(): void;
}
interface Koffi {
  load(path: string): KoffiLib;
}

const SONAMES = ["libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", "libopenblas.dylib", "libopenblas.dll"];
const DIRECTORIES = [
  "/usr/lib/x86_64-linux-gnu/openblas-pthread",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread",
  "/usr/lib64",
  "/usr/lib",
  "/opt/homebrew/opt/openblas/lib",
  "/usr/local/opt/openblas/lib",
];

/** Load OpenBLAS, or say why not (every place tried, with its reason). */
export function loadOpenBlas(env: NodeJS.ProcessEnv = process.env): { lib: OpenBlasLibrary } | { error: string } {
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)("koffi") as Koffi;
  } catch (e) {
    return { error: `the koffi FFI package did not load (${message(e)})` };
  }
  const named = env["DECOMPOSE_FILTER_BLAS_LIB"];
  const pairs: [string, string | null][] = named !== undefined && named !== ""
    ? [[named, null]]
    : [
        ...SONAMES.map((s): [string, null] => [s, null]),
        ...DIRECTORIES.flatMap((d) => SONAMES.slice(0, 2).map((s): [string, null] => [`${d}/${s}`, null])),
        ["libblas.so.3", "liblapack.so.3"],
      ];
  const reasons: string[] = [];
  for (const [blasPath, lapackPath] of pairs) {
    const r = tryLoad(koffi, blasPath, lapackPath);
    if ("lib" in r) return r;
    reasons.push(`${blasPath}: ${r.error}`);
  }
  return { error: named ? reasons[0]! : `no OpenBLAS found (${reasons.length} places tried; ${reasons[reasons.length - 1]})` };
}

function tryLoad(koffi: Koffi, blasPath: string, lapackPath: string | null): { lib: OpenBlasLibrary } | { error: string } {
  let blas: KoffiLib;
  try {
    blas = koffi.load(blasPath);
  } catch (e) {
    return { error: firstLine(message(e)) };
  }
  try {
    const getConfig = blas.func("const char *openblas_get_config(void)") as () => string;
    const config = getConfig();
    const lapack = lapackPath === null ? blas : koffi.load(lapackPath);
    const corename = (blas.func("const char *openblas_get_corename(void)") as () => string)();
    return {
      lib: {
        path: lapackPath === null ? blasPath : `${blasPath} + ${lapackPath}`,
        config,
        corename,
        dgemm: blas.func(
          "void cblas_dgemm(int, int, int, int, int, int, double, const double *, int, const double *, int, double, double *, int)",
        ) as OpenBlasLibrary["dgemm"],
        dsyrk: blas.func("void cblas_dsyrk(int, int, int, int, int, double, const double *, int, double, double *, int)") as OpenBlasLibrary["dsyrk"],
        dtrsm: blas.func("void cblas_dtrsm(int, int, int, int, int, int, int, double, const double *, int, double *, int)") as OpenBlasLibrary["dtrsm"],
        dpotrf: lapack.func("void dpotrf_(const char *, const int *, double *, const int *, int *, size_t)") as OpenBlasLibrary["dpotrf"],
        dsyevd: lapack.func(
          "void dsyevd_(const char *, const char *, const int *, double *, const int *, double *, double *, const int *, int *, const int *, int *, size_t, size_t)",
        ) as OpenBlasLibrary["dsyevd"],
        zheevd: lapack.func(
          "void zheevd_(const char *, const char *, const int *, double *, const int *, double *, double *, const int *, double *, const int *, int *, const int *, int *, size_t, size_t)",
        ) as OpenBlasLibrary["zheevd"],
        setNumThreads: blas.func("void openblas_set_num_threads(int)") as OpenBlasLibrary["setNumThreads"],
        getNumThreads: blas.func("int openblas_get_num_threads(void)") as OpenBlasLibrary["getNumThreads"],
      },
    };
  } catch (e) {
    return { error: `not OpenBLAS, or lacks a routine this back-end needs (${firstLine(message(e))})` };
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const firstLine = (s: string): string => s.split("\n")[0]!;
