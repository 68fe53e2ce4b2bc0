// A plain-text table: title, header, aligned rows (also valid Markdown).
export function printTable(title, columns, rows, out = process.stdout) {
  const cells = rows.map((r) => columns.map(([, f]) => String(f(r))));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  out.write(`\n### ${title}\n\n`);
  out.write(line(columns.map(([h]) => h)) + "\n");
  out.write(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n`);
  for (const c of cells) out.write(line(c) + "\n");
}
