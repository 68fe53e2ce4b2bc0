/**
 * ZIP archives, just what `.npz` needs (APPNOTE.TXT 6.3.x, PKWARE): read stored (method 0) and
 * deflated (method 8) members, ZIP64 sizes and offsets included (numpy's `savez` writes every
 * member with `force_zip64=True`); write stored or deflated members without ZIP64.
 *
 * Reading trusts only the central directory and checks everything against the buffer: the end
 * record and directory lie inside the file, each local header has its signature and its data lies
 * inside the file, the inflated size and CRC-32 match the directory. Every failure is one
 * `E_ZIP` error naming the archive. Inflate and deflate are fflate's.
 */
import { deflateSync, inflateSync } from "fflate";
import { DecomposeError } from "../errors.js";
import { DEFLATE_MAX_RATIO, DEFLATE_SLACK_BYTES, formatBytes, MAX_ARCHIVE_INFLATED_BYTES, MAX_INPUT_BYTES } from "./limits.js";
import { quoted } from "./quote.js";
import { concatBytes } from "./bytes.js";

export interface ZipMember {
  /** Path inside the archive (UTF-8 when flag bit 11 is set, else CP437 read as latin1). */
  readonly name: string;
  readonly data: Uint8Array;
  /** 0 stored, 8 deflated. */
  readonly method: 0 | 8;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_END64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
/** DOS date 1980-01-01, time 00:00:00: fixed, so the same members give the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** Every member of a ZIP archive, in central-directory order, data inflated and CRC-checked. */
export function readZip(bytes: Uint8Array, file: string): ZipMember[] {
  const fail = (why: string): never => {
    throw new DecomposeError("E_ZIP", `corrupt zip archive: ${why}`, file);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dir = findDirectory(bytes, view, fail);
  const members: ZipMember[] = [];
  let inflatedTotal = 0;
  let p = dir.offset;
  for (let n = 0; n < dir.entries; n++) {
    if (p + 46 > dir.end || view.getUint32(p, true) !== SIG_CENTRAL) fail(`central directory entry ${n} is damaged`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let csize = view.getUint32(p + 20, true);
    let usize = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > dir.end) fail(`central directory entry ${n} runs past the directory`);
    const name = decodeName(bytes.subarray(p + 46, p + 46 + nameLen), (flags & 0x800) !== 0);
    // ZIP64 extended information (header 0x0001): the 8-byte values replace those that read 0xFFFFFFFF, in this order.
    const z64 = zip64Extra(view, p + 46 + nameLen, extraLen);
    let z = 0;
    const take = (): number => {
      if (z64 === undefined || z + 8 > z64.length) return fail(`member ${quoted(name)} lacks its ZIP64 sizes`);
      const v = readU64(view, z64.offset + z, fail);
      z += 8;
      return v;
    };
    if (usize === U32_MAX) usize = take();
    if (csize === U32_MAX) csize = take();
    if (local === U32_MAX) local = take();
    if ((flags & 1) !== 0) fail(`member ${quoted(name)} is encrypted`);
    if (method !== 0 && method !== 8) fail(`member ${quoted(name)} uses compression method ${method} (only stored and deflate are supported)`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== SIG_LOCAL) fail(`member ${quoted(name)} has no local header at offset ${local}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + csize > bytes.length) fail(`member ${quoted(name)} data runs past the end of the file`);
    const packed = bytes.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) {
      if (csize !== usize) fail(`stored member ${quoted(name)} has size ${csize}, directory says ${usize}`);
      data = packed;
    } else {
      // The directory's size is a claim: check it against what deflate can produce from the
      // bytes present, and against the stated limits, before allocating the output.
      if (usize > csize * DEFLATE_MAX_RATIO + DEFLATE_SLACK_BYTES) {
        fail(`member ${quoted(name)} claims ${usize} bytes inflated from ${csize}: more than deflate can expand (${DEFLATE_MAX_RATIO}:1)`);
      }
      inflatedTotal += usize;
      if (usize > MAX_INPUT_BYTES || inflatedTotal > MAX_ARCHIVE_INFLATED_BYTES) {
        throw new DecomposeError(
          "E_LIMIT",
          `member ${quoted(name)} inflates to ${formatBytes(usize)} (${formatBytes(inflatedTotal)} so far), over the limit of ${formatBytes(MAX_INPUT_BYTES)} a member, ${formatBytes(MAX_ARCHIVE_INFLATED_BYTES)} an archive`,
          file,
        );
      }
      try {
        data = inflateSync(packed, { out: new Uint8Array(usize) });
      } catch (e) {
        return fail(`member ${quoted(name)} does not inflate (${e instanceof Error ? e.message : String(e)})`);
      }
      if (data.length !== usize) fail(`member ${quoted(name)} inflates to ${data.length} bytes, directory says ${usize}`);
    }
    if (crc32(data) !== crc) fail(`member ${quoted(name)} fails its CRC-32 check`);
    members.push({ name, data, method: method === 8 ? 8 : 0 });
    p = next;
  }
  return members;
}

interface Directory {
  offset: number;
  end: number;
  entries: number;
}

/** Locate the central directory from the end record (and the ZIP64 end record when present). */
function findDirectory(bytes: Uint8Array, view: DataView, fail: (why: string) => never): Directory {
  const lowest = Math.max(0, bytes.length - 22 - U16_MAX);
  let eocd = -1;
  if (bytes.length < 22) return fail(bytes.length >= 4 && view.getUint32(0, true) === SIG_LOCAL ? "truncated" : "not a zip archive");
  for (let q = bytes.length - 22; q >= lowest; q--) {
    if (view.getUint32(q, true) === SIG_END && q + 22 + view.getUint16(q + 20, true) === bytes.length) {
      eocd = q;
      break;
    }
  }
  if (eocd < 0) {
    const isZip = bytes.length >= 4 && view.getUint32(0, true) === SIG_LOCAL;
    return fail(isZip ? "no end-of-central-directory record (truncated?)" : "not a zip archive");
  }
  let entries = view.getUint16(eocd + 10, true);
  let size = view.getUint32(eocd + 12, true);
  let offset = view.getUint32(eocd + 16, true);
  const loc = eocd - 20;
  if (loc >= 0 && view.getUint32(loc, true) === SIG_LOCATOR64) {
    const e64 = readU64(view, loc + 8, fail);
    if (e64 + 56 > bytes.length || view.getUint32(e64, true) !== SIG_END64) fail("ZIP64 end record is missing");
    entries = readU64(view, e64 + 32, fail);
    size = readU64(view, e64 + 40, fail);
    offset = readU64(view, e64 + 48, fail);
  }
  if (offset + size > bytes.length) fail(`central directory (${size} bytes at ${offset}) lies outside the ${bytes.length}-byte file`);
  return { offset, end: offset + size, entries };
}

function zip64Extra(view: DataView, at: number, length: number): { offset: number; length: number } | undefined {
  let q = at;
  while (q + 4 <= at + length) {
    const id = view.getUint16(q, true);
    const size = view.getUint16(q + 2, true);
    if (id === 0x0001) return { offset: q + 4, length: Math.min(size, at + length - q - 4) };
    q += 4 + size;
  }
  return undefined;
}

function readU64(view: DataView, at: number, fail: (why: string) => never): number {
  if (at + 8 > view.byteLength) return fail("a 64-bit field runs past the end of the file");
  const v = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  if (!Number.isSafeInteger(v)) fail("a 64-bit size is too large");
  return v;
}

function decodeName(raw: Uint8Array, utf8: boolean): string {
  return new TextDecoder(utf8 ? "utf-8" : "latin1").decode(raw);
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/**
 * A ZIP archive of `members` in the given order, each stored or deflated (level 6) as its
 * `method` says; fixed timestamps, so equal inputs give equal bytes. No ZIP64: archives and
 * members must stay under 4 GiB and 65535 members.
 */
export function writeZip(members: readonly ZipMember[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = enc.encode(m.name);
    const ascii = name.every((b) => b < 0x80);
    const flags = ascii ? 0 : 0x800;
    const packed = m.method === 8 ? deflateSync(m.data, { level: 6 }) : m.data;
    const crc = crc32(m.data);
    if (m.data.length >= U32_MAX || packed.length >= U32_MAX || offset >= U32_MAX) {
      throw new RangeError("zip archive would need ZIP64 (over 4 GiB), which this writer does not produce");
    }
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, m.method, true);
    lv.setUint16(10, DOS_TIME, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, packed.length, true);
    lv.setUint32(22, m.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const cd = new Uint8Array(46 + name.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, m.method, true);
    cv.setUint16(12, DOS_TIME, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, packed.length, true);
    cv.setUint32(24, m.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, 0o100644 * 0x10000, true); // external attributes: a regular file, rw-r--r--
    cv.setUint32(42, offset, true);
    cd.set(name, 46);
    parts.push(local, packed);
    central.push(cd);
    offset += local.length + packed.length;
  }
  if (members.length > U16_MAX) throw new RangeError("zip archive would need ZIP64 (over 65535 members)");
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, SIG_END, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concatBytes([...parts, ...central, end]);
}

// ---------------------------------------------------------------------------------------------
// CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), as ZIP uses it
// ---------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
