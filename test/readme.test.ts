/** The README's usage section is the CLI's --help, word for word (scripts/readme-usage.mjs writes it). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";

describe("README", () => {
  it("shows exactly what --help prints", async () => {
    let help = "";
    const code = await main(["--help"], { stdout: (t) => (help += t), stderr: () => {}, env: {}, stdoutIsTTY: false });
    expect(code).toBe(0);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const block = /<!-- usage:start[^>]*-->\n```text\n([\s\S]*?)```\n<!-- usage:end -->/.exec(readme);
    expect(block, "README.md has a usage block").not.toBeNull();
    expect(block![1]!.trimEnd()).toBe(help.trimEnd());
  });

  it("names the two set-up commands and the test command", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(readme).toContain("npm ci && npx decompose-filter fixtures/");
    expect(readme).toMatch(/^npm test$/m);
  });
});
