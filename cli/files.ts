// File helpers for the CLI: reads that fail with one-line messages, and
// atomic writes so a failed run never leaves a half-written output.

import { renameSync, writeFileSync, unlinkSync } from "node:fs";
import { decodeText, MAX_TEXT_BYTES, parseJson, readBoundedFile } from "../compiler/input-text.js";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A file's bytes (at most `maxBytes`); a missing, unreadable or oversized file is a one-line CliError. */
export function readInput(path: string, maxBytes = MAX_TEXT_BYTES): Uint8Array {
  const r = readBoundedFile(path, maxBytes);
  if (!r.ok) throw new CliError(r.message);
  return r.value;
}

/** A text file (UTF-8, no NUL bytes, at most MAX_TEXT_BYTES): source code, steps. */
export function readTextInput(path: string, maxBytes = MAX_TEXT_BYTES): string {
  const r = decodeText(readInput(path, maxBytes), path);
  if (!r.ok) throw new CliError(r.message);
  return r.value;
}

/** A JSON file; a syntax error names its line and column. */
export function readJsonInput(path: string, maxBytes = MAX_TEXT_BYTES): unknown {
  const r = parseJson(readTextInput(path, maxBytes), path);
  if (!r.ok) throw new CliError(r.message);
  return r.value;
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
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "its folder does not exist" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : (code ?? (e as Error).message);
    throw new CliError(`${path}: cannot write (${why})`);
  }
}
