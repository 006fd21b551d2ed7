// Loading an app for a command: compile Alkyl source, or read and verify an image.

import { basename, extname } from "node:path";
import { compileAlkyl, compileAryl, formatDiagnostic, type AbiLike, type Diagnostic } from "../compiler/compile.js";
import { decodeImage, type Image } from "../compiler/ir/image.js";
import type { EntrySignature } from "../compiler/bindings/emit-ts.js";
import { formatVerifyError, verifyImage } from "../compiler/ir/verify.js";
import { ARYL_PROFILE, DEFAULT_PROFILE, PROFILES, profileById, profileByName, type Profile } from "../compiler/profiles/profiles.js";
import { UsageError } from "./args.js";
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
  if (!p) throw new UsageError(`unknown profile '${name}' (known: ${PROFILES.map((q) => q.name).join(", ")})`);
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

/** A source file's text; an empty one (nothing but white space) is a mistake, not an app with no functions. */
function readSourceFile(path: string): string {
  const source = readTextInput(path);
  if (source.trim() === "") throw new CliError(`${path}: empty file (nothing to compile)`);
  return source;
}

/** Compiles an .alkyl file; on errors prints the diagnostics and fails with exit code 1. */
export function compileFile(path: string, profile: Profile): LoadedApp {
  const source = readSourceFile(path);
  const result = compileAlkyl(source, path, { profile });
  if (!result.ok) throw diagnosticsError(path, source, result.diagnostics);
  return { image: result.image, bytes: result.bytes, profile, entries: result.entries };
}

/** `--app lock.alkyl@smartlock` or `--app lock.alk`: a device app, compiled for the profile after `@`. */
export function loadAppOption(value: string): LoadedApp & { path: string } {
  const at = value.lastIndexOf("@");
  const split = at > 0 && !value.slice(at).includes("/");
  const path = split ? value.slice(0, at) : value;
  const profile = split ? value.slice(at + 1) : undefined;
  if (!isSourceFile(path) && profile !== undefined) throw new UsageError(`--app ${value}: a profile is given only with an .alkyl source (an image names its own)`);
  return { ...loadApp(path, profile), path };
}

/** Compiles an .aryl script against a contract ABI and device apps (docs/aryl.md §2). */
export function compileArylFile(path: string, abi: AbiLike | undefined, apps: readonly (LoadedApp & { path: string })[]): LoadedApp {
  const source = readSourceFile(path);
  const result = compileAryl(source, path, { abi, apps: apps.map((a) => ({ file: basename(a.path), image: a.image })) });
  if (!result.ok) throw diagnosticsError(path, source, result.diagnostics);
  return { image: result.image, bytes: result.bytes, profile: profileByName(ARYL_PROFILE)!, entries: result.entries };
}

/** Reads and verifies an image; the profile comes from the option or the image header. */
export function loadImageFile(path: string, requested: Profile | undefined): LoadedApp {
  const bytes = readInput(path);
  const decoded = decodeImage(bytes);
  if (!decoded.ok) throw new CliError(`${path}: error verify: ${formatVerifyError(decoded.error)}`);
  const headerProfile = decoded.value.image.profileId;
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
