// Loading an app for a command: compile Alkyl source, or read and verify an image.

import { basename, extname } from "node:path";
import { compileAlkyl, formatDiagnostic } from "../compiler/compile.js";
import type { Image } from "../compiler/ir/image.js";
import { formatVerifyError, verifyImage } from "../compiler/ir/verify.js";
import { DEFAULT_PROFILE, PROFILES, profileById, profileByName, type Profile } from "../compiler/profiles/profiles.js";
import { CliError, readInput, readTextInput } from "./files.js";

export interface LoadedApp {
  image: Image;
  bytes: Uint8Array;
  profile: Profile;
}

export function profileOption(name: string | undefined): Profile | undefined {
  if (name === undefined) return undefined;
  const p = profileByName(name);
  if (!p) throw new CliError(`unknown profile '${name}' (known: ${PROFILES.map((q) => q.name).join(", ")})`, 2);
  return p;
}

export function isSourceFile(path: string): boolean {
  return extname(path) === ".alkyl";
}

/** Compiles an .alkyl file; on errors prints the diagnostics and fails with exit code 1. */
export function compileFile(path: string, profile: Profile): LoadedApp {
  const source = readTextInput(path);
  const result = compileAlkyl(source, path, { profile });
  if (!result.ok) {
    const text = result.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n");
    const n = result.diagnostics.length;
    throw new CliError(`${text}\n${n} error${n === 1 ? "" : "s"} in ${basename(path)}`);
  }
  return { image: result.image, bytes: result.bytes, profile };
}

/** Reads and verifies an image; the profile comes from the option or the image header. */
export function loadImageFile(path: string, requested: Profile | undefined): LoadedApp {
  const bytes = new Uint8Array(readInput(path));
  const headerProfile = bytes.length >= 8 ? bytes[6]! | (bytes[7]! << 8) : 0;
  const profile = requested ?? profileById(headerProfile);
  if (!profile) throw new CliError(`${path}: image was built for unknown profile id ${headerProfile}; pass --profile`);
  const v = verifyImage(bytes, { profile });
  if (!v.ok) throw new CliError(`${path}: error verify: ${formatVerifyError(v.error)}`);
  return { image: v.value.image, bytes, profile };
}

export function loadApp(path: string, profileName: string | undefined): LoadedApp {
  const requested = profileOption(profileName);
  if (isSourceFile(path)) return compileFile(path, requested ?? profileByName(DEFAULT_PROFILE)!);
  return loadImageFile(path, requested);
}
