/**
 * The completion manifest of an output set: a small JSON file, written last, that lists every
 * file of the set (and the run's report) with its size and SHA-256. While it exists, the set it
 * names is complete; output-sets.ts writes it, `verifyManifest` checks a set against it.
 *
 * ```json
 * {"schema":"decompose-filter/manifest@1","tool":"decompose-filter","version":"0.1.0",
 *  "files":[{"name":"w.f1.npy","bytes":272,"sha256":"<64 hex>"}, ...],
 *  "report":{"name":"r.json","bytes":1841,"sha256":"<64 hex>"}}
 * ```
 * `files` are in the order they were moved into place; `report` is null without `--report`.
 * Names are relative to the manifest's directory, with `/` separators (`../r.json` for a report
 * elsewhere), so a set can be moved with its manifest.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { DecomposeError } from "../errors.js";
import { VERSION } from "../version.js";
import { errnoCode, fsError } from "./fs-errors.js";
import { quoted } from "./quote.js";

export const MANIFEST_SCHEMA = "decompose-filter/manifest@1";
export const MANIFEST_SUFFIX = ".manifest.json";
/** A manifest is small; anything larger is not one of ours. */
const MAX_MANIFEST_BYTES = 1 << 20;

export interface ManifestEntry {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly tool: "decompose-filter";
  readonly version: string;
  readonly files: readonly ManifestEntry[];
  readonly report: ManifestEntry | null;
}

export interface ManifestFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The manifest at `manifestPath` for `files` (in move order) and the report, if any. */
export function buildManifest(manifestPath: string, files: readonly ManifestFile[], report: ManifestFile | undefined): Manifest {
  const dir = dirname(resolve(manifestPath));
  const entry = (f: ManifestFile): ManifestEntry => ({
    name: relative(dir, resolve(f.path)).split(sep).join("/"),
    bytes: f.bytes.length,
    sha256: sha256Hex(f.bytes),
  });
  return { schema: MANIFEST_SCHEMA, tool: "decompose-filter", version: VERSION, files: files.map(entry), report: report ? entry(report) : null };
}

export function serializeManifest(m: Manifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m, null, 1) + "\n");
}

/** Parse and check a manifest's text; every problem is one E_MANIFEST line naming `file`. */
export function parseManifest(bytes: Uint8Array, file: string): Manifest {
  const fail = (why: string): never => {
    throw new DecomposeError("E_MANIFEST", why, file);
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return fail("is not a JSON manifest");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("is not a JSON object");
  const o = json as { [key: string]: unknown };
  const own = (k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
  if (own("schema") !== MANIFEST_SCHEMA) return fail(`schema is not ${MANIFEST_SCHEMA}`);
  const version = own("version");
  if (typeof version !== "string") return fail("has no version");
  const files = own("files");
  if (!Array.isArray(files)) return fail("files is not a list");
  const report = own("report");
  return {
    schema: MANIFEST_SCHEMA,
    tool: "decompose-filter",
    version,
    files: files.map((e, i) => checkEntry(e, `files[${i}]`, fail)),
    report: report === null || report === undefined ? null : checkEntry(report, "report", fail),
  };
}

function checkEntry(v: unknown, where: string, fail: (why: string) => never): ManifestEntry {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(`${where} is not an object`);
  const e = v as { [key: string]: unknown };
  const name = Object.prototype.hasOwnProperty.call(e, "name") ? e["name"] : undefined;
  const bytes = Object.prototype.hasOwnProperty.call(e, "bytes") ? e["bytes"] : undefined;
  const sha256 = Object.prototype.hasOwnProperty.call(e, "sha256") ? e["sha256"] : undefined;
  if (typeof name !== "string" || name === "" || name.includes("\0")) return fail(`${where}.name is not a file name`);
  if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < 0) return fail(`${where}.bytes is not a byte count`);
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) return fail(`${where}.sha256 is not 64 lower-case hex digits`);
  return { name, bytes, sha256 };
}

export interface ManifestCheck {
  readonly manifest: Manifest;
  /** One phrase per file that is missing or differs (`w.f2.npy: missing`); empty: the set is complete. */
  readonly problems: readonly string[];
}

/**
 * Check the set named by the manifest at `path`: every file (and the report) exists with the
 * recorded size and SHA-256. An unreadable or malformed manifest is an E_IO / E_MANIFEST error;
 * a missing or changed file is a problem in the result.
 */
export function verifyManifest(path: string): ManifestCheck {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw fsError(e, path, "cannot read the manifest");
  }
  if (bytes.length > MAX_MANIFEST_BYTES) throw new DecomposeError("E_MANIFEST", `is ${bytes.length} bytes, larger than a manifest (${MAX_MANIFEST_BYTES})`, path);
  const manifest = parseManifest(bytes, path);
  const dir = dirname(resolve(path));
  const problems: string[] = [];
  for (const e of [...manifest.files, ...(manifest.report ? [manifest.report] : [])]) {
    const problem = checkFile(join(dir, e.name), e);
    if (problem !== null) problems.push(`${quoted(e.name)}: ${problem}`);
  }
  return { manifest, problems };
}

function checkFile(path: string, e: ManifestEntry): string | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return errnoCode(err) === "ENOENT" ? "missing" : `cannot be read (${errnoCode(err) ?? String(err)})`;
  }
  if (bytes.length !== e.bytes) return `${bytes.length} bytes, the manifest says ${e.bytes}`;
  if (sha256Hex(bytes) !== e.sha256) return "SHA-256 differs from the manifest";
  return null;
}

/** The manifest of a `.npy` factor set `<stem>.f1.npy`, ...: `<dir>/<stem>.manifest.json`. */
export function factorSetManifestPath(dir: string, stem: string): string {
  return join(dir, `${stem}${MANIFEST_SUFFIX}`);
}

/** The manifest of a one-file set (`m.decomposed.npz`): `m.decomposed.npz.manifest.json` beside it. */
export function fileManifestPath(path: string): string {
  return `${path}${MANIFEST_SUFFIX}`;
}
