// Keys are named in files and on the command line by reference, never by
// value: `env:NAME` (an environment variable) or `file:PATH` (a file, relative
// to the file that names it). Messages say which reference failed, never what
// it holds.

import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

const KEY_HEX = /^(0x)?[0-9a-fA-F]{64}$/;

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
    try {
      value = readFileSync(full, "utf8").trim();
    } catch (e) {
      return fail(`cannot read ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  } else return { ok: false, message: "key must be a reference, env:<VARIABLE> or file:<path> (the key itself is not written here)" };
  if (!KEY_HEX.test(value)) return fail("the key must be 64 hex digits (32 bytes)");
  return { ok: true, key: Uint8Array.from(Buffer.from(value.replace(/^0x/, ""), "hex")) };
}
