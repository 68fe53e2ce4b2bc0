/**
 * A JSON object from (key, value) pairs, written entry by entry. Keys come from files (tensor and
 * layer names), so they never become properties of a JavaScript object: `__proto__` would set the
 * prototype and vanish, `toString` or `constructor` would collide with inherited members.
 */

/** JSON text already serialised, inserted as it is (a nested `jsonObject`). */
export class RawJson {
  constructor(readonly text: string) {}
}

export function jsonObject(entries: Iterable<readonly [string, unknown]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) parts.push(`${JSON.stringify(k)}:${v instanceof RawJson ? v.text : JSON.stringify(v)}`);
  return `{${parts.join(",")}}`;
}
