// `alkyvm keys new <device> [--out FILE] [--force]`: a fresh 32-byte link key
// for one device (docs/security.md "Authenticated link: protocol and keys"),
// from the system's cryptographic random source, written as 64 hex digits
// with mode 0600, atomically, never over an existing file unless --force.
// Prints where it is and the reference to put in the devices file, never the key.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { writePrivateFile } from "../compiler/engines/link-key-build.js";
import { LINK_KEY_BYTES } from "../compiler/link/seal.js";
import { resolveKeyRef } from "../aryl/key-ref.js";
import { onePositional, optionValue, parseArgs, UsageError, type ParsedArgs } from "./args.js";
import { CliError } from "./files.js";

export const KEYS_USAGE = "alkyvm keys new <device> [--out FILE] [--force]   writes a new link key for the device (mode 0600; default keys/<device>.key) and prints its file: reference";

const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function cmdKeys(argv: string[], out: (line: string) => void): void {
  const [sub, ...rest] = argv;
  if (sub !== "new") throw new UsageError(sub === undefined ? `keys needs a subcommand: ${KEYS_USAGE}` : `unknown keys subcommand '${sub}' (known: new)`);
  const args = parseArgs(rest, { valued: ["--out"], flags: ["--force"] });
  const device = onePositional(args, "device name");
  if (!DEVICE_NAME.test(device)) throw new UsageError(`device name '${device}': letters, digits, '_', '.' and '-' only`);
  const path = optionValue(args, "--out") ?? join("keys", `${device}.key`);
  if (existsSync(path) && !args.flags.has("--force")) throw new CliError(`${path}: exists already (a key in use would be lost); --force replaces it`);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writePrivateFile(path, `${randomBytes(LINK_KEY_BYTES).toString("hex")}\n`);
  } catch (e) {
    throw new CliError(`${path}: cannot write the key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  out(`${path}: new link key for ${device} (mode 0600)`);
  out(`devices file: "key": "file:${path}"   (a relative path is read from the devices file's folder)`);
  out(`firmware: alkyvm firmware --board <id> --key file:${path}`);
}

/** The link key named by `--key env:NAME|file:PATH` (relative to the working folder), or undefined without the option. */
export function linkKeyOption(args: ParsedArgs): Uint8Array | undefined {
  const ref = optionValue(args, "--key");
  if (ref === undefined) return undefined;
  const key = resolveKeyRef(ref, process.cwd());
  if (!key.ok) throw new CliError(`--key: ${key.message}`);
  return key.key;
}
