import type { Mutation } from "../mutations.js";

/**
 * One parser under fuzzing. A format gives valid seed files, the parse to exercise (everything a
 * run does with the bytes before any computation: parse, validate, decode), and its structural
 * mutation kinds (header fields, offsets) on top of the generic byte-level ones. Adding a format
 * (a model reader, say) is one more file like npy.ts and one line in index.ts.
 */
export interface FuzzFormat {
  readonly name: string;
  /** The file name errors will carry (its extension selects nothing: parsers get bytes). */
  readonly file: string;
  /** Valid files, each small (a few KiB), so a case runs in well under a millisecond. */
  seeds(): Uint8Array[];
  /** Parse, validate and decode like a run would; a typed DecomposeError is a valid outcome. */
  parse(bytes: Uint8Array, file: string): unknown;
  /** Names of the structural mutations `mutate` understands. */
  readonly kinds: readonly string[];
  mutate(bytes: Uint8Array, m: Mutation): Uint8Array;
}
