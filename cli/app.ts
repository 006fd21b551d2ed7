// Loading an app for a command: compile Alkyl source, or read and verify an image.

import { basename, extname } from "node:path";
import { compileAlkyl, compileAryl, formatDiagnostic, type AbiLike, type Diagnostic } from "../compiler/compile.js";
import type { Image } from "../compiler/ir/image.js";
import type { EntrySignature } from "../compiler/bindings/emit-ts.js";
import { formatVerifyError, verifyImage } from "../compiler/ir/verify.js";
import { ARYL_PROFILE, DEFAULT_PROFILE, PROFILES, profileById, profileByName, type Profile } from "../compiler/profiles/profiles.js";
import { CliError, readInput, readTextInput } from "./files.js";

export interface LoadedApp {
  image: Image;
  bytes: Uint8Array;
  profile: Profile;
  /** Entry points with parameter names (compiled sources only), for `--emit ts`. */
  entries?: EntrySignature[];
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

export function isArylFile(path: string): boolean {
  return extname(path) === ".aryl";
}

function diagnosticsError(path: string, source: string, diagnostics: Diagnostic[]): CliError {
  const text = diagnostics.map((d) => formatDiagnostic(d, source)).join("\n");
  const n = diagnostics.length;
  return new CliError(`${text}\n${n} error${n === 1 ? "" : "s"} in ${basename(path)}`);
}

/** Compiles an .alkyl file; on errors prints the diagnostics and fails with exit code 1. */
export function compileFile(path: string, profile: Profile): LoadedApp {
  const source = readTextInput(path);
  const result = compileAlkyl(source, path, { profile });
  if (!result.ok) throw diagnosticsError(path, source, result.diagnostics);
  return { image: result.image, bytes: result.bytes, profile, entries: result.entries };
}

/** A contract ABI file: solc's ABI array, or an artifact with an `abi` field (Hardhat, Foundry). */
export function readAbiFile(path: string): AbiLike {
  let json: unknown;
  try {
    json = JSON.parse(readTextInput(path));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${path}: not JSON (${(e as Error).message})`);
  }
  const abi = Array.isArray(json) ? json : (json as { abi?: unknown } | null)?.abi;
  if (!Array.isArray(abi) || !abi.every((e) => typeof e === "object" && e !== null && typeof (e as { type?: unknown }).type === "string"))
    throw new CliError(`${path}: not a contract ABI (a JSON array of entries with a "type")`);
  return abi as AbiLike;
}

/** `--app lock.alkyl@smartlock` or `--app lock.alk`: a device app, compiled for the profile after `@`. */
export function loadAppOption(value: string): LoadedApp & { path: string } {
  const at = value.lastIndexOf("@");
  const split = at > 0 && !value.slice(at).includes("/");
  const path = split ? value.slice(0, at) : value;
  const profile = split ? value.slice(at + 1) : undefined;
  if (!isSourceFile(path) && profile !== undefined) throw new CliError(`--app ${value}: a profile is given only with an .alkyl source (an image names its own)`, 2);
  return { ...loadApp(path, profile), path };
}

/** Compiles an .aryl script against a contract ABI and device apps (docs/aryl.md §2). */
export function compileArylFile(path: string, abi: AbiLike | undefined, apps: readonly (LoadedApp & { path: string })[]): LoadedApp {
  const source = readTextInput(path);
  const result = compileAryl(source, path, { abi, apps: apps.map((a) => ({ file: basename(a.path), image: a.image })) });
  if (!result.ok) throw diagnosticsError(path, source, result.diagnostics);
  return { image: result.image, bytes: result.bytes, profile: profileByName(ARYL_PROFILE)!, entries: result.entries };
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
