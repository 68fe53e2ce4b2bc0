/**
 * Real image inputs for MobileFaceNet (fr_feature.onnx: 1x3x112x112, RGB, (pixel - 127) / 128,
 * the preprocessing of faceplugin-face-recognition-js's lib/fr_feature.js), cut from the images
 * `@upscalerjs/default-model` ships (MIT): assets/fixture.png (128x128, a flower; not a face, but
 * a real photograph) and its 2x upscale assets/samples/2x/result.png (256x256).
 * - fitted samples (12): the 9 crops of fixture.png at offsets {0, 8, 16}^2, and 3 of them
 *   mirrored left to right;
 * - held-out samples (4, last, as the calibration split holds out floor(16 / 4)): the four corner
 *   crops of result.png, regions at twice the scale that no fitted crop contains pixel for pixel.
 */
import { join } from "node:path";
import { UPSCALER_DIR, readPng } from "./upscaler.js";
import type { Png } from "./png.js";

export const FACE_SIZE = 112;

function crop(p: Png, top: number, left: number, mirror: boolean, out: Float64Array, at: number): void {
  const S = FACE_SIZE;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const sx = left + (mirror ? S - 1 - x : x);
        out[at + (c * S + y) * S + x] = (p.data[((top + y) * p.width + sx) * p.channels + c]! - 127) / 128;
      }
    }
  }
}

/** (16, 3, 112, 112): 12 fitted crops, then 4 held-out ones. */
export function faceInputs(): { shape: [number, number, number, number]; data: Float64Array } {
  const fixture = readPng(join(UPSCALER_DIR, "assets", "fixture.png"));
  const result = readPng(join(UPSCALER_DIR, "assets", "samples", "2x", "result.png"));
  const S = FACE_SIZE;
  const per = 3 * S * S;
  const specs: [Png, number, number, boolean][] = [];
  for (const t of [0, 8, 16]) for (const l of [0, 8, 16]) specs.push([fixture, t, l, false]);
  for (const [t, l] of [[0, 0], [8, 8], [16, 16]] as const) specs.push([fixture, t, l, true]);
  const far = result.width - S;
  for (const [t, l] of [[0, 0], [0, far], [far, 0], [far, far]] as const) specs.push([result, t, l, false]);
  const data = new Float64Array(specs.length * per);
  specs.forEach(([p, t, l, m], j) => crop(p, t, l, m, data, j * per));
  return { shape: [specs.length, 3, S, S], data };
}
