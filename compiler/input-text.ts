// Reading a user's input file without surprises: a bounded read (a FIFO or
// /dev/zero never fills memory), text that must be UTF-8 without NUL bytes,
// JSON whose syntax errors say line:column. Every failure is one line naming
// the file and where in it; nothing here throws for bad input.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Largest source, steps, image or devices file read: far above any app a device can hold (docs/security.md, Bad input). */
export const MAX_TEXT_BYTES = 1 << 20;
/** Largest contract ABI or build artifact read (Foundry's artifacts carry the AST and run to megabytes). */
export const MAX_JSON_BYTES = 32 << 20;

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES") return "permission denied";
  return `cannot read (${code ?? (e as Error).message})`;
}

/** The file's bytes, at most `maxBytes` of them: a larger file is refused, whatever kind of file it is. */
export function readBoundedFile(path: string, maxBytes: number): Read<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return { ok: false, message: `${path}: ${errnoText(e)}` };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { ok: false, message: `${path}: is a directory` };
    if (stat.isFile() && stat.size > maxBytes) return { ok: false, message: `${path}: file of ${stat.size} bytes is larger than ${maxBytes} bytes` };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) return { ok: false, message: `${path}: larger than ${maxBytes} bytes` };
    }
    return { ok: true, value: new Uint8Array(buffer.buffer, buffer.byteOffset, length) };
  } catch (e) {
    return { ok: false, message: `${path}: ${errnoText(e)}` };
  } finally {
    closeSync(fd);
  }
}

/** Is `bytes` UTF-8 so far (`complete`: also not ending inside a character)? */
function validUtf8(bytes: Uint8Array, complete: boolean): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** Offset of the first byte of the first sequence that is not UTF-8. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (validUtf8(bytes.subarray(0, mid), false)) good = mid;
    else bad = mid;
  }
  // bytes[0, bad) is the shortest invalid prefix; the bad sequence starts after its longest complete prefix.
  let start = bad - 1;
  while (start > 0 && start > bad - 4 && !validUtf8(bytes.subarray(0, start), true)) start--;
  return start;
}

/** The bytes as text: UTF-8 without NUL bytes (source code, steps, JSON). */
export function decodeText(bytes: Uint8Array, path: string): Read<string> {
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { ok: false, message: `${path}: not a text file (NUL byte at offset ${nul})` };
  try {
    return { ok: true, value: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, message: `${path}: not a text file (invalid UTF-8 at offset ${firstInvalidUtf8(bytes)})` };
  }
}

/** A bounded read of a text file. */
export function readTextFile(path: string, maxBytes = MAX_TEXT_BYTES): Read<string> {
  const bytes = readBoundedFile(path, maxBytes);
  return bytes.ok ? decodeText(bytes.value, path) : bytes;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `${line}:${offset - before.lastIndexOf("\n")}`;
}

/** Does JSON.parse fail on `prefix` only because the text ends there? */
function failsOnlyAtEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    return message.includes("end of JSON input") || (at !== null && Number(at[1]) >= prefix.length);
  }
}

/** Where JSON.parse gave up: its own position when it says one, else the shortest prefix that is not the start of valid JSON. */
function jsonErrorOffset(text: string, message: string): number {
  const at = /at position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  if (message.includes("end of JSON input")) return text.length;
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (failsOnlyAtEnd(text.slice(0, mid))) good = mid;
    else bad = mid;
  }
  return bad - 1;
}

/** JSON.parse with a syntax error as `path:line:col: not valid JSON (…)`. */
export function parseJson(text: string, path: string): Read<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = (e as Error).message;
    // V8 appends the position and a quote of the text; the line:column replaces both.
    const why = message.replace(/ in JSON at position \d+.*$/s, "").replace(/, (\.\.\.)?".*$/s, "");
    return { ok: false, message: `${path}:${lineColumn(text, jsonErrorOffset(text, message))}: not valid JSON (${why})` };
  }
}
