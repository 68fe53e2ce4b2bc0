/**
 * The stated limits of the readers: a declared size is checked against the real one and against
 * these before anything is allocated for it, so a small hostile file cannot make a reader
 * reserve gigabytes. Each refusal is an `E_LIMIT` error naming the limit.
 */
import { DecomposeError } from "../errors.js";

/** The largest input read (bytes): what one Node.js read into one buffer can hold (2 GiB - 1). */
export const MAX_INPUT_BYTES = 2 ** 31 - 1;

/** The most elements one array may have: 2^28, so its float64 copy stays within 2 GiB. */
export const MAX_ARRAY_ELEMENTS = 2 ** 28;

/**
 * Deflate's largest expansion: a 258-byte match costs at least 2 bits (RFC 1951, 3.2.5), so one
 * compressed byte inflates to at most 1032 bytes; plus a small allowance for block headers.
 */
export const DEFLATE_MAX_RATIO = 1032;
export const DEFLATE_SLACK_BYTES = 1024;

/** All members of one archive, inflated, together (4 GiB). */
export const MAX_ARCHIVE_INFLATED_BYTES = 2 ** 32;

/** Refuse an array of `count` elements above MAX_ARRAY_ELEMENTS; `what` names it in the message. */
export function checkElementCount(count: number, what: string, file: string | undefined): void {
  if (count > MAX_ARRAY_ELEMENTS) {
    throw new DecomposeError(
      "E_LIMIT",
      `${what} has ${count} elements, over the limit of ${MAX_ARRAY_ELEMENTS} (2^28, 2 GiB as float64)`,
      file,
    );
  }
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}
