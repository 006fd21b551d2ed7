// Keys are named in files and on the command line by reference, never by
// value: `env:NAME` (an environment variable) or `file:PATH` (a file, relative
// to the file that names it). Messages say which reference failed, never what
// it holds.

import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { readTextFile } from "../compiler/input-text.js";

/** A key file holds 64 hex digits and a line end; anything much longer is not a key. */
const MAX_KEY_FILE_BYTES = 1024;

export type ResolvedKey = { ok: true; key: Uint8Array } | { ok: false; message: string };

/** The 32-byte key a reference points to (64 hex digits, optionally 0x-prefixed). */
export function resolveKeyRef(ref: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedKey {
  const fail = (why: string): ResolvedKey => ({ ok: false, message: `key '${ref}': ${why}` });
  let value: string;
  if (ref.startsWith("env:")) {
    const name = ref.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return fail("not a valid environment variable name");
    const v = env[name];
    if (v === undefined) return fail("the environment variable is not set");
    value = v.trim();
  } else if (ref.startsWith("file:") && ref.length > 5) {
    const path = ref.slice(5);
    const full = isAbsolute(path) ? path : resolve(baseDir, path);
    if (!existsSync(full)) return fail(`no such file ${full}`);
    const text = readTextFile(full, MAX_KEY_FILE_BYTES);
    if (!text.ok) return fail(text.message);
    value = text.value.trim();
  } else return { ok: false, message: "key must be a reference, env:<VARIABLE> or file:<path> (the key itself is not written here)" };
  const digits = value.replace(/^0x/, "");
  if (!/^[0-9a-fA-F]*$/.test(digits)) return fail("the key is not hex digits (a key is 64 hex digits, 32 bytes)");
  if (digits.length !== 64) return fail(`the key has ${digits.length} hex digits, a key has 64 (32 bytes)`);
  return { ok: true, key: Uint8Array.from(Buffer.from(digits, "hex")) };
}
