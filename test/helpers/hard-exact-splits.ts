/**
 * Parents with a known exact split at the hard geometry ke = k with both children smaller than the
 * parent, for the second-order methods' exactness tests: the fixture factorable-5x6x5-m4 (5x5 =
 * compose of 3x3 and 3x3 factors, m = 4) and a 3x3 parent composed from random 2x2 + 2x2 factors.
 */
import { compose } from "../../src/geometry/compose.js";
import { resolveGeometry, type SplitGeometry } from "../../src/geometry/shapes.js";
import type { Tensor4 } from "../../src/geometry/tensor.js";
import { loadTensor4 } from "./fixtures.js";
import { TestRng } from "./random.js";

export interface HardExactSplit {
  readonly name: string;
  readonly T: Tensor4;
  readonly g: SplitGeometry;
}

export function hardExactSplits(): HardExactSplit[] {
  const fixture = loadTensor4("factorable-5x6x5-m4.npy");
  const rng = new TestRng(21);
  const [m, cIn, cOut] = [6, 5, 7];
  const random = compose({ shape: [m, cIn, 2, 2], data: rng.normals(m * cIn * 4) }, { shape: [cOut, m, 2, 2], data: rng.normals(cOut * m * 4) });
  return [
    { name: "the 5x5 fixture composed of 3x3 + 3x3 factors (m = 4)", T: fixture, g: resolveGeometry(fixture.shape, 4, { h: 3, w: 3 }, { h: 3, w: 3 }) },
    { name: "a 3x3 parent composed from random 2x2 + 2x2 factors (m = 6)", T: random, g: resolveGeometry(random.shape, m, { h: 2, w: 2 }, { h: 2, w: 2 }) },
  ];
}
