/**
 * Typed errors. A `DecomposeError` is a user-facing problem (bad file, bad option): the CLI prints
 * `decompose-filter: <file>: <message>` on one line and exits with `exitCode` (2). Anything else
 * that escapes is a bug: stack trace, exit 1.
 */
export type ErrorCode =
  | "E_NOT_NPY"
  | "E_NPY_HEADER"
  | "E_NPY_LENGTH"
  | "E_DTYPE"
  | "E_SHAPE"
  | "E_NONFINITE"
  | "E_GEOMETRY"
  | "E_OPTION"
  | "E_EXISTS"
  | "E_IO"
  | "E_NUMERIC"
  | "E_ZIP"
  | "E_SAFETENSORS"
  | "E_SKIPPED"
  | "E_LIMIT"
  | "E_ONNX"
  | "E_MANIFEST";

export class DecomposeError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, file?: string, exitCode = 2) {
    super(message);
    this.name = "DecomposeError";
    this.code = code;
    this.file = file;
    this.exitCode = exitCode;
  }

  /** The one stderr line: `<file>: <message>` or just `<message>`. */
  describe(): string {
    return this.file === undefined ? this.message : `${this.file}: ${this.message}`;
  }
}

export function isDecomposeError(e: unknown): e is DecomposeError {
  return e instanceof DecomposeError;
}
