/**
 * `--filters auto` inside a batch: the chooser (quality/auto-filters.ts) is installed per task,
 * from the task's own settings, on whatever thread runs it, so worker threads (which do not share
 * the main thread's module state) choose m exactly as a serial run does.
 */
import { installAutoFilters } from "../quality/auto-filters.js";
import { settingsToOptions, type LayerSettings, type LayerTask } from "./layer.js";

export function installAutoFor(task: LayerTask): void {
  installAutoForSettings(task.settings);
}

/** Install the chooser for these settings (a no-op unless `--filters auto`). */
export function installAutoForSettings(s: LayerSettings, file?: string): void {
  if (s.filters.kind !== "auto") return;
  installAutoFilters(s.autoTarget, { ...settingsToOptions(s), ...(file === undefined ? {} : { file }) });
}
