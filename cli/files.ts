// File helpers for the CLI: reads that fail with one-line messages, and
// atomic writes so a failed run never leaves a half-written output.

import { readFileSync, renameSync, writeFileSync, unlinkSync } from "node:fs";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : String((e as Error).message);
    throw new CliError(`${path}: ${why}`);
  }
}

/** Largest source or steps file the CLI reads: far above any app a device can hold. */
export const MAX_TEXT_BYTES = 1 << 20;

/** A text file (UTF-8, no NUL bytes, at most MAX_TEXT_BYTES): source code, steps. */
export function readTextInput(path: string): string {
  const bytes = readInput(path);
  if (bytes.length > MAX_TEXT_BYTES) throw new CliError(`${path}: file of ${bytes.length} bytes is larger than ${MAX_TEXT_BYTES} bytes`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new CliError(`${path}: not a text file (NUL byte at offset ${nul})`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${path}: not a text file (invalid UTF-8)`);
  }
}

export function writeAtomically(path: string, content: Uint8Array | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw new CliError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
