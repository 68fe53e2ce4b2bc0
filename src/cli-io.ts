import { readStdinBytes } from "./io/read-input.js";

/** Where the CLI talks to: a real process, or a test's buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdoutIsTTY: boolean;
  /** Where the progress bar of a multi-layer run draws, when stderr is a terminal. */
  readonly progressStream?: NodeJS.WritableStream | null;
  /** The bytes of `-` (stdin). */
  readStdin?(): Uint8Array;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stdoutIsTTY: process.stdout.isTTY === true,
  progressStream: process.stderr.isTTY === true ? process.stderr : null,
  readStdin: readStdinBytes,
};
