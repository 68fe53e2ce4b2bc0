import { defineConfig } from "vitest/config";

/** `npm run fuzz`: only the long campaign (test/fuzz/*.fuzz.ts), output shown as it comes. */
export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.fuzz.ts"],
    pool: "forks",
  },
});
