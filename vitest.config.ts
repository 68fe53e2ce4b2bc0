import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The suite tests the portable back-end's own promises (bitwise identity across thread counts,
    // golden figures) by default; test/linalg/backends.test.ts runs the conformance table against
    // every back-end that loads here, and the OpenBLAS tests select it explicitly.
    env: { DECOMPOSE_FILTER_BLAS: "wasm" },
  },
});
