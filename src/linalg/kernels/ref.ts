import type { GemmKernel, MacroArgs } from "./contract.js";

/**
 * The reference kernel in plain TypeScript: MR = NR = 4, sixteen scalar accumulators. It is the
 * fallback when WebAssembly SIMD is unavailable and the oracle the fast kernels are tested against.
 * Each product term is a separate multiply then add, in order p = 0 .. kc-1, as in gemm-4x4.wat.
 */
const MR = 4;
const NR = 4;

/** C tile (4 x 4 at c[pc], row stride ldc) := beta * C + A micro-panel * B micro-panel. */
export function refMicrokernel(kc: number, w: Float64Array, pa: number, pb: number, pc: number, ldc: number, beta: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a = pa + p * MR;
    const b = pb + p * NR;
    const b0 = w[b]!, b1 = w[b + 1]!, b2 = w[b + 2]!, b3 = w[b + 3]!;
    const a0 = w[a]!, a1 = w[a + 1]!, a2 = w[a + 2]!, a3 = w[a + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  store4(w, pc, beta, c00, c01, c02, c03);
  store4(w, pc + ldc, beta, c10, c11, c12, c13);
  store4(w, pc + 2 * ldc, beta, c20, c21, c22, c23);
  store4(w, pc + 3 * ldc, beta, c30, c31, c32, c33);
}

function store4(w: Float64Array, row: number, beta: number, v0: number, v1: number, v2: number, v3: number): void {
  if (beta === 0) {
    w[row] = v0; w[row + 1] = v1; w[row + 2] = v2; w[row + 3] = v3;
  } else if (beta === 1) {
    w[row] = w[row]! + v0; w[row + 1] = w[row + 1]! + v1; w[row + 2] = w[row + 2]! + v2; w[row + 3] = w[row + 3]! + v3;
  } else {
    w[row] = w[row]! * beta + v0; w[row + 1] = w[row + 1]! * beta + v1;
    w[row + 2] = w[row + 2]! * beta + v2; w[row + 3] = w[row + 3]! * beta + v3;
  }
}

export function createRefKernel(): GemmKernel {
  let ws = new Float64Array(0);
  return {
    name: "ref-ts-4x4",
    mr: MR,
    nr: NR,
    shared: null,
    workspace(doubles: number): Float64Array {
      if (ws.length < doubles) ws = new Float64Array(Math.max(doubles, ws.length * 2));
      return ws;
    },
    macro(args: MacroArgs, j0: number, j1: number): void {
      const { mcPad, kc, aOff, bOff, cOff, ldc, beta } = args;
      for (let jr = j0; jr < j1; jr++) {
        for (let ir = 0; ir < mcPad / MR; ir++) {
          refMicrokernel(kc, ws, aOff + ir * MR * kc, bOff + jr * NR * kc, cOff + ir * MR * ldc + jr * NR, ldc, beta);
        }
      }
    },
  };
}
