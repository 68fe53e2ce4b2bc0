/** Every parser the fuzz harness covers; a new format is one import and one entry here. */
import type { FuzzFormat } from "./format.js";
import { npyFormat } from "./npy.js";
import { npzFormat } from "./npz.js";
import { onnxFormat } from "./onnx.js";
import { safetensorsFormat } from "./safetensors.js";

export type { FuzzFormat } from "./format.js";

export const FUZZ_FORMATS: readonly FuzzFormat[] = [npyFormat, npzFormat, safetensorsFormat, onnxFormat];
