// Rewrites README.md's usage block from `decompose-filter --help` (run after `npm run build`).
// test/readme.test.ts fails when the two disagree.
import { readFileSync, writeFileSync } from "node:fs";
import { main } from "../dist/cli.js";

let help = "";
await main(["--help"], { stdout: (t) => (help += t), stderr: () => {}, env: {}, stdoutIsTTY: false });
const readme = readFileSync("README.md", "utf8");
const re = /(<!-- usage:start[^>]*-->\n)```text\n[\s\S]*?```\n(<!-- usage:end -->)/;
if (!re.test(readme)) throw new Error("README.md has no usage block");
writeFileSync("README.md", readme.replace(re, (_m, a, b) => `${a}\`\`\`text\n${help.trimEnd()}\n\`\`\`\n${b}`));
console.log("README.md usage block updated");
