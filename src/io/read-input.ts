/**
 * Reading an input: a regular file (its size known and checked against MAX_INPUT_BYTES before
 * the buffer is allocated) or a pipe (stdin, a FIFO). Anything else (a directory, /dev/zero or
 * another device, a socket) is refused, so nothing reads forever. A pipe has no size: it is
 * read only as far as its header declares (declared-length.ts) plus one byte, so trailing data
 * is still reported by the parser, and never past MAX_INPUT_BYTES.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { DecomposeError } from "../errors.js";
import { declaredLength, type InputFormat } from "./declared-length.js";
import { errnoCode, fsError } from "./fs-errors.js";
import { formatBytes, MAX_INPUT_BYTES } from "./limits.js";

/** Read `path`; `format` (from the extension) bounds a named pipe, undefined: from the first bytes. */
export function readInputFile(path: string, format?: InputFormat): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT") throw new DecomposeError("E_IO", "no such file", path);
    if (code === "EISDIR") throw new DecomposeError("E_IO", "is a directory, not a file", path);
    throw fsError(e, path, "cannot open");
  }
  try {
    return readFd(fd, path, format);
  } finally {
    closeSync(fd);
  }
}

/** Read stdin (fd 0) under the same rules; errors name it `-`. */
export function readStdinBytes(): Uint8Array {
  return readFd(0, "-", undefined);
}

function readFd(fd: number, name: string, format: InputFormat | undefined): Uint8Array {
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    throw fsError(e, name, "cannot read");
  }
  if (st.isFile()) {
    if (st.size > MAX_INPUT_BYTES) {
      throw new DecomposeError("E_LIMIT", `is ${formatBytes(st.size)}, over the input limit of ${formatBytes(MAX_INPUT_BYTES)}`, name);
    }
    return readExactly(fd, st.size, name, true);
  }
  if (st.isFIFO() || st.isSocket()) return readPipe(fd, name, format);
  if (st.isDirectory()) throw new DecomposeError("E_IO", "is a directory, not a file", name);
  throw new DecomposeError("E_IO", `is ${kindOf(st)}, not a regular file or a pipe`, name);
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSymbolicLink()) return "a symbolic link";
  return "not a file";
}

/** Read a pipe until its header's declared length (+1 byte) or EOF, at most MAX_INPUT_BYTES + 1. */
function readPipe(fd: number, name: string, format: InputFormat | undefined): Uint8Array {
  let buf = new Uint8Array(1 << 16);
  let have = 0;
  let want: number | undefined; // total bytes the header declares, once known
  for (;;) {
    const limit = want === undefined ? MAX_INPUT_BYTES + 1 : want + 1;
    if (have >= limit) break;
    if (have === buf.length) {
      const grown = new Uint8Array(Math.min(limit, buf.length * 2));
      grown.set(buf);
      buf = grown;
    }
    const n = readSome(fd, buf, have, Math.min(buf.length, limit) - have, name);
    if (n === 0) break;
    have += n;
    if (want === undefined) {
      const d = declaredLength(buf.subarray(0, have), format, name);
      if (typeof d === "number") {
        if (d > MAX_INPUT_BYTES) {
          throw new DecomposeError("E_LIMIT", `its header declares ${formatBytes(d)}, over the input limit of ${formatBytes(MAX_INPUT_BYTES)}`, name);
        }
        want = d;
      }
    }
  }
  if (want === undefined && have > MAX_INPUT_BYTES) {
    throw new DecomposeError("E_LIMIT", `holds more than the input limit of ${formatBytes(MAX_INPUT_BYTES)}`, name);
  }
  return buf.slice(0, have);
}

function readExactly(fd: number, size: number, name: string, regular: boolean): Uint8Array {
  const out = new Uint8Array(size);
  let have = 0;
  while (have < size) {
    const n = readSome(fd, out, have, size - have, name);
    if (n === 0) break; // the file shrank while read: the parser reports the truncation
    have += n;
  }
  return regular && have === size ? out : out.subarray(0, have);
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** One read; a non-blocking pipe's EAGAIN waits a moment and tries again. */
function readSome(fd: number, buf: Uint8Array, at: number, length: number, name: string): number {
  for (;;) {
    try {
      return readSync(fd, buf, at, length, null);
    } catch (e) {
      const code = errnoCode(e);
      if (code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === "EOF") return 0;
      throw fsError(e, name, "cannot read");
    }
  }
}
