/**
 * Writing output sets with their completion manifests (manifest.ts). A set is the files one
 * input gives (`w.f1.npy`, `w.f2.npy`, `w.f2.bias.npy`; or `m.decomposed.npz`; ...); its manifest
 * is named by the caller (`<stem>.manifest.json`, `<output>.manifest.json`). All sets and the
 * report go to one `writeFilesAtomic` call, moved into place in this order:
 * 1. (before any move) the old manifest of every set is removed, where it exists;
 * 2. every set's files, set by set, then the report;
 * 3. (after syncing the directories of the files above) every set's manifest.
 * A manifest on disk therefore names files that are all in place; a run cut by SIGKILL or a
 * crash leaves a set without one, never an old manifest beside new files.
 */
import { fileOpsForThisProcess } from "./write-test-hooks.js";
import { writeFilesAtomic, type FileOps, type FileToWrite, type WriteOptions } from "./files.js";
import { buildManifest, serializeManifest } from "./manifest.js";

export interface OutputSet {
  /** Where the set's manifest goes (beside its files). */
  readonly manifest: string;
  /** The set's files, in the order they are moved into place. */
  readonly files: readonly FileToWrite[];
}

/** Every file `writeOutputSets` writes, in move order (manifests last). */
export function outputSetFiles(sets: readonly OutputSet[], report: FileToWrite | undefined): FileToWrite[] {
  const written = sets.filter((s) => s.files.length > 0);
  const manifests = written.map((s) => ({ path: s.manifest, bytes: serializeManifest(buildManifest(s.manifest, s.files, report)) }));
  return [...written.flatMap((s) => s.files), ...(report ? [report] : []), ...manifests];
}

/** Write the sets, the report and the manifests (see the module comment); all or nothing. */
export function writeOutputSets(
  sets: readonly OutputSet[],
  report: FileToWrite | undefined,
  options: Pick<WriteOptions, "force" | "protect"> = {},
  ops: FileOps = fileOpsForThisProcess(),
): void {
  const written = sets.filter((s) => s.files.length > 0);
  const files = outputSetFiles(written, report);
  writeFilesAtomic(files, { ...options, invalidate: written.map((s) => s.manifest), markersFrom: files.length - written.length }, ops);
}
