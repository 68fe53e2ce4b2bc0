/** The linear-algebra layer's public surface (row-major Float64Array, leading dimensions). */
export { gemm, gemmFlops } from "./gemm.js";
export { gram, gramFlops } from "./gram.js";
export { syrkLower, syrkFlops } from "./syrk.js";
export { cholesky, choleskyFlops, type CholeskyResult } from "./cholesky.js";
export { trsmLowerLeft, trsmLowerTransLeft, trsmLowerTransRight, trsmFlops } from "./trsm.js";
export { solveSpd, solveSpdFlops } from "./spd-solve.js";
export { linalgInfo, linalgReport, setThreads, getThreads, disposeThreads, type LinalgInfo, type LinalgReport } from "./info.js";
export { useBlas, blasStatus, parseBlasChoice, BLAS_CHOICES, BlasUnavailableError, type BlasChoice, type BlasStatus } from "./backends/registry.js";
export type { BackendName } from "./backends/contract.js";
export { nonsymmetricEigen, nonsymmetricEigenFlops, luFactor, luSolve, type NonsymmetricEigen, type LuFactors } from "./nonsymmetric-eigen.js";
