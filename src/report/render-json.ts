import type { Report } from "./model.js";

/** The report as one JSON document (the schema in the README), non-finite numbers as null. */
export function renderJson(report: Report): string {
  return JSON.stringify(report, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2);
}
