/**
 * Text from a file (header values, member and tensor names, JSON, file names) shown in a message.
 * The contract is one stderr line per error, so whatever the input holds must not break the line
 * or flood it:
 * - `printable` escapes the characters that are not printable on a line: C0 controls, DEL, C1
 *   controls and the Unicode line/paragraph separators (`\n`, `\r`, `\t` by name, the rest as
 *   `\xNN` / `\uNNNN`), and the backslash itself (`\\`), so the escaped text reads back
 *   unambiguously; lone UTF-16 surrogates (from a broken name) become `\uNNNN` too;
 * - and caps the result at `max` characters, saying how long the original was.
 * `quoted` is `printable` in single quotes, as messages quote names. `oneLine` is the last guard
 * on the whole line the CLI prints: control characters escaped (backslashes kept: the messages'
 * own text uses them), length capped.
 */

/** The default cap for one quoted piece of input. */
export const QUOTE_MAX = 120;
/** The cap for one whole stderr line. */
export const LINE_MAX = 2000;

const NAMED: ReadonlyMap<string, string> = new Map([
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
  ["\\", "\\\\"],
]);

/** C0, DEL, C1, U+2028/2029: characters that break or garble a line. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Escape `s` code point by code point, stopping before the output would pass `max` characters
 * (an escape is never split); `backslash` says whether `\\` itself is escaped.
 */
function escapeCapped(s: string, max: number, backslash: boolean): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const code = s.codePointAt(i) ?? 0;
    const width = code > 0xffff ? 2 : 1;
    const c = s.slice(i, i + width);
    const lone = width === 1 && code >= 0xd800 && code <= 0xdfff;
    const piece = isControl(code) || lone || (backslash && c === "\\") ? (NAMED.get(c) ?? escapeCode(code)) : c;
    if (out.length + piece.length > max) return `${out}... (${s.length} characters)`;
    out += piece;
    i += width;
  }
  return out;
}

/** `s` with unprintable characters and backslashes escaped, at most `max` characters (plus the note of the cut). */
export function printable(s: string, max = QUOTE_MAX): string {
  return escapeCapped(s, max, true);
}

/** `'s'`, escaped and capped, for names and values quoted in messages. */
export function quoted(s: string, max = QUOTE_MAX): string {
  return `'${printable(s, max)}'`;
}

/** A whole message line: control characters escaped (backslashes kept), at most `max` characters. */
export function oneLine(s: string, max = LINE_MAX): string {
  return escapeCapped(s, max, false);
}

/** The cap for a file name at the start of an error line (paths can be long; 3 MB is not a path). */
export const FILE_MAX = 400;

/** `decompose-filter: <file>: <message>` (or without the file) as one safe line, newline included. */
export function errorLine(file: string | undefined, message: string): string {
  const where = file === undefined ? "" : `${printable(file, FILE_MAX)}: `;
  return `${oneLine(`decompose-filter: ${where}${message}`)}\n`;
}
