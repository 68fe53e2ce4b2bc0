/** The linear-algebra layer's public surface (row-major Float64Array, leading dimensions). */
export { gemm, gemmFlops } from "./gemm.js";
export { gram, gramFlops } from "./gram.js";
export { syrkLower, syrkFlops } from "./syrk.js";
export { cholesky, choleskyFlops, type CholeskyResult } from "./cholesky.js";
export { trsmLowerLeft, trsmLowerTransLeft, trsmLowerTransRight, trsmFlops } from "./trsm.js";
export { solveSpd, solveSpdFlops } from "./spd-solve.js";
export { linalgInfo, setThreads, getThreads, disposeThreads, type LinalgInfo } from "./info.js";
