/** --filters specs, bias pairing, groups inference and the progress bar, each on its own. */
import { describe, expect, it } from "vitest";
import { filtersPerGroup, parseFiltersSpec } from "../../src/batch/filters.js";
import type { Dump, DumpArray } from "../../src/batch/dump.js";
import { progressBar } from "../../src/batch/progress.js";
import { biasNames, planLayers } from "../../src/batch/select.js";
import { serializeNpy, parseNpy } from "../../src/io/npy.js";

describe("--filters", () => {
  it("when given a count, a ratio or auto then each parses to its kind", () => {
    expect(parseFiltersSpec("16")).toEqual({ kind: "count", m: 16 });
    expect(parseFiltersSpec("0.5x")).toEqual({ kind: "ratio", ratio: 0.5 });
    expect(parseFiltersSpec("auto")).toEqual({ kind: "auto", text: "auto" });
    expect(() => parseFiltersSpec("x")).toThrow(/ratio/);
    expect(() => parseFiltersSpec("1.5")).toThrow(/positive integer/);
  });
  it("when a ratio meets a layer then m is the ratio of the smaller channel count per group, at least 1", () => {
    const r = parseFiltersSpec("0.5x");
    expect(filtersPerGroup(r, [64, 32, 3, 3], 1)).toBe(16);
    expect(filtersPerGroup(r, [64, 1, 3, 3], 64)).toBe(1); // depthwise: 1 per group
    expect(filtersPerGroup(parseFiltersSpec("0.1x"), [3, 3, 3, 3], 1)).toBe(1);
    expect(filtersPerGroup({ kind: "count", m: 8 }, [8, 2, 3, 3], 4)).toBe(2);
    expect(() => filtersPerGroup(parseFiltersSpec("auto"), [8, 2, 3, 3], 1)).toThrow(/auto is not available/);
  });
});

function npyArray(name: string, shape: number[]): DumpArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const array = parseNpy(serializeNpy(shape, new Float64Array(n).fill(0.5), "float32"), name);
  return { name, shape, dtype: "float32", float: true, source: { kind: "npy", array } };
}

describe("planLayers", () => {
  const dump: Dump = {
    file: "d.npz",
    format: "npz",
    stem: "d",
    arrays: [
      npyArray("a.weight", [8, 3, 3, 3]),
      npyArray("a.bias", [8]),
      npyArray("pw.weight", [16, 8, 1, 1]),
      npyArray("dw.weight", [16, 1, 3, 3]),
      npyArray("dw.bias", [15]),
      npyArray("first", [4, 1, 5, 5]),
      npyArray("first.bias", [4]),
    ],
  };
  it("when a dump is planned then biases pair by name and length, 1x1 skips, depthwise is inferred only after a same-width layer", () => {
    const p = planLayers([dump], { groups: "auto", explicitSizes: false });
    const rows = p.entries.map((e) => [e.array.name, e.status, e.status === "planned" ? [e.groups, e.bias?.name ?? null] : e.reason.slice(0, 9)]);
    expect(rows).toEqual([
      ["a.weight", "planned", [1, "a.bias"]],
      ["pw.weight", "skipped", "1x1 kerne"],
      ["dw.weight", "planned", [16, null]], // dw.bias has 15 values: not its bias
      ["first", "planned", [1, "first.bias"]], // previous 4-D weight has 16 outputs, not 4: groups 1
    ]);
  });
  it("when --groups is fixed, --select given and sizes explicit then those rule", () => {
    const p = planLayers([dump], { groups: 2, select: /weight$/, explicitSizes: true });
    expect(p.entries.map((e) => [e.array.name, e.status === "planned" ? e.groups : "skip"])).toEqual([
      ["a.weight", 2],
      ["pw.weight", 2],
      ["dw.weight", 2],
    ]);
  });
  it("when a weight is named x.weight, xweight or x then its bias names follow", () => {
    expect(biasNames("l.conv.weight")).toEqual(["l.conv.bias", "l.conv.weight.bias"]);
    expect(biasNames("conv_weight")).toEqual(["conv_bias", "conv_weight.bias"]);
    expect(biasNames("w")).toEqual(["w.bias"]);
  });
});

describe("progress bar", () => {
  function sink(): { stream: NodeJS.WritableStream; text: () => string } {
    let text = "";
    const stream = {
      isTTY: true,
      columns: 120,
      write: (s: string) => ((text += s), true),
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
      on: () => stream,
      removeListener: () => stream,
    };
    return { stream: stream as unknown as NodeJS.WritableStream, text: () => text };
  }
  it("when the work is quicker than the delay then nothing is drawn", () => {
    const s = sink();
    const p = progressBar(2, new Map([[0, "a"]]), s.stream, 10_000);
    p.event({ kind: "start", index: 0 });
    p.event({ kind: "done", index: 0 });
    p.stop();
    expect(s.text()).toBe("");
  });
  it("when the work is longer than the delay then layers, the current layer, iteration and residual are drawn", () => {
    const s = sink();
    const p = progressBar(2, new Map([[0, "conv1.weight"]]), s.stream, 0);
    p.event({ kind: "start", index: 0 });
    p.event({ kind: "iteration", index: 0, iteration: 3, residualRel: 0.125 });
    p.stop();
    expect(s.text()).toMatch(/0\/2 layers \| conv1\.weight \| it 3 \| residual 1\.25e-1/);
  });
});
