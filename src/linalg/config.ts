/**
 * Every block size and threshold of the linear-algebra layer, in one table (BLIS keeps these in
 * one `config/<arch>` table too). Sizes are in doubles. The values were tuned on a 2-core AMD
 * EPYC (Zen 5) with the 4x4 WebAssembly SIMD kernel; see bench/kernels.mjs.
 */
export interface BlockConfig {
  /** Rows of A packed per block (kept in L2); rounded down to a multiple of the kernel's MR. */
  mc: number;
  /** Depth of one packed block (one A and one B micro-panel of this depth stay in L1). */
  kc: number;
  /** Upper bound on the columns of one packed B panel. */
  ncMax: number;
  /** The packed B panel holds all k rows; its columns are cut so it holds at most this many doubles. */
  bPanelDoubles: number;
  /** Cholesky: columns at or below which the unblocked algorithm runs (Golub & Van Loan 4.2.1). */
  choleskyLeaf: number;
  /** Triangular solves: diagonal block size solved through its explicit inverse and one GEMM. */
  trsmLeaf: number;
  /** SYRK: diagonal blocks at or below this size are one GEMM with only the lower triangle stored. */
  syrkLeaf: number;
  /** A GEMM smaller than this many flops runs on the calling thread only. */
  parallelMinFlops: number;
}

export const blockConfig: BlockConfig = {
  mc: 128,
  kc: 256,
  ncMax: 4096,
  bPanelDoubles: 1 << 21,
  choleskyLeaf: 48,
  trsmLeaf: 64,
  syrkLeaf: 128,
  parallelMinFlops: 4e6,
};
