/** The escaping helper against a hand-written table and two invariants (fast-check). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errorLine, oneLine, printable, quoted } from "../../src/io/quote.js";

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

describe("printable / quoted", () => {
  it.each([
    ["plain", "plain"],
    ["a\nb", "a\\nb"],
    ["a\r\tb", "a\\r\\tb"],
    ["\u0000\u001b\u007f\u0085", "\\x00\\x1b\\x7f\\x85"],
    ["\u2028\u2029", "\\u2028\\u2029"],
    ["back\\slash", "back\\\\slash"],
    ["\ud800 lone", "\\ud800 lone"],
    ["ok \u{1f600} pair", "ok \u{1f600} pair"],
    ["ünïcödé", "ünïcödé"],
  ])("when %j is shown then it reads %j", (s, want) => {
    expect(printable(s)).toBe(want);
    expect(quoted(s)).toBe(`'${want}'`);
  });

  it("when the text is 3 MB then the shown text is capped and says how long it was", () => {
    const s = "x".repeat(3_000_000);
    const p = printable(s, 50);
    expect(p).toBe(`${"x".repeat(50)}... (3000000 characters)`);
  });

  it("when the cap falls inside an escape then the escape is not split", () => {
    expect(printable("ab\ncd", 3)).toBe("ab... (5 characters)");
  });

  it("when any string is shown then the result has no control character and is bounded", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (s, max) => {
        const p = printable(s, max);
        expect(CONTROL.test(p)).toBe(false);
        expect(p.length).toBeLessThanOrEqual(max + ` (${s.length} characters)`.length + 3);
      }),
      { seed: 9, numRuns: 200 },
    );
  });

  it("when a string is short and printable then printable is the identity (nothing else is touched)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\\]/.test(s)), (s) => {
        expect(printable(s, 200)).toBe(s);
      }),
      { seed: 10, numRuns: 300 },
    );
  });
});

describe("oneLine / errorLine", () => {
  it("when a line holds a newline then it stays one line; backslashes of the message are kept", () => {
    expect(oneLine("missing \\x93NUMPY\nmagic")).toBe("missing \\x93NUMPY\\nmagic");
    expect(errorLine("a\nb.npy", "bad")).toBe("decompose-filter: a\\nb.npy: bad\n");
    expect(errorLine(undefined, "bad")).toBe("decompose-filter: bad\n");
  });
});
