// Loading an app for a command: compile Alkyl source, or read and verify an image.

import { basename, extname } from "node:path";
import { compileAlkyl, compileAryl, formatDiagnostic, type AbiLike, type Diagnostic } from "../compiler/compile.js";
import { decodeImage, type Image } from "../compiler/ir/image.js";
import type { EntrySignature } from "../compiler/bindings/emit-ts.js";
import { formatVerifyError, verifyImage } from "../compiler/ir/verify.js";
import { ARYL_PROFILE, DEFAULT_PROFILE, PROFILES, profileById, profileByName, type Profile } from "../compiler/profiles/profiles.js";
import { MAX_JSON_BYTES } from "../compiler/input-text.js";
import { UsageError } from "./args.js";
import { CliError, readInput, readJsonInput, readTextInput } from "./files.js";

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

const ABI_TYPES = ["function", "constructor", "receive", "fallback", "event", "error"];
const ABI_PARAM_TYPE = /^(tuple|[a-z]+[0-9]*(x[0-9]+)?)(\[[0-9]*\])*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What is wrong with a list of ABI parameters, with its JSON path; undefined when nothing is. */
function abiParamsProblem(params: unknown, at: string): string | undefined {
  if (!Array.isArray(params)) return `${at}: must be a list of parameters`;
  for (let i = 0; i < params.length; i++) {
    const p: unknown = params[i];
    const here = `${at}[${i}]`;
    if (!isObject(p)) return `${here}: must be an object`;
    if (typeof p["type"] !== "string") return `${here}.type: ${p["type"] === undefined ? "missing" : "must be a string"}`;
    if (!ABI_PARAM_TYPE.test(p["type"])) return `${here}.type: '${p["type"]}' is not a Solidity ABI type`;
    if (p["name"] !== undefined && typeof p["name"] !== "string") return `${here}.name: must be a string`;
    if (p["indexed"] !== undefined && typeof p["indexed"] !== "boolean") return `${here}.indexed: must be true or false`;
    if (p["type"].startsWith("tuple")) {
      const inner = abiParamsProblem(p["components"], `${here}.components`);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** What is wrong with a contract ABI (solc's JSON format), with its JSON path; undefined when nothing is. */
function abiProblem(abi: unknown, at: string): string | undefined {
  if (!Array.isArray(abi)) return `${at}: must be a list of ABI entries`;
  for (let i = 0; i < abi.length; i++) {
    const e: unknown = abi[i];
    const here = `${at}[${i}]`;
    if (!isObject(e)) return `${here}: must be an object`;
    if (typeof e["type"] !== "string" || !ABI_TYPES.includes(e["type"])) return `${here}.type: must be one of ${ABI_TYPES.join(", ")}`;
    const named = e["type"] === "function" || e["type"] === "event" || e["type"] === "error";
    if (named && typeof e["name"] !== "string") return `${here}.name: ${e["name"] === undefined ? "missing" : "must be a string"}`;
    if (named || e["type"] === "constructor") {
      const inputs = abiParamsProblem(e["inputs"], `${here}.inputs`);
      if (inputs) return e["inputs"] === undefined ? `${here}.inputs: missing` : inputs;
    }
    if (e["outputs"] !== undefined) {
      const outputs = abiParamsProblem(e["outputs"], `${here}.outputs`);
      if (outputs) return outputs;
    }
  }
  return undefined;
}

/** A contract ABI file: solc's ABI array, or an artifact with an `abi` field (Hardhat, Foundry); a mistake names its JSON path. */
export function readAbiFile(path: string): AbiLike {
  const json = readJsonInput(path, MAX_JSON_BYTES);
  const [abi, at] = Array.isArray(json) ? [json, "$"] : isObject(json) && json["abi"] !== undefined ? [json["abi"], "$.abi"] : [undefined, "$"];
  if (abi === undefined) throw new CliError(`${path}: not a contract ABI (a JSON list of entries, or an artifact with an "abi" list)`);
  const problem = abiProblem(abi, at);
  if (problem) throw new CliError(`${path}: ${problem}`);
  return abi as AbiLike;
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
