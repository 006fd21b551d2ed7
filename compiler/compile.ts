// The Alkyl compiler's entry point: source text → verified Alkyl IR image.
// Passes, each its own module under compiler/lang/: lexer → parser → checker
// → layout → lowering; the result is encoded and run through the verifier
// against the target profile. A user's mistake comes back as diagnostics
// (all of them, up to a cap), never as an exception.

import { encodeImage, type Image } from "./ir/image.js";
import { formatVerifyError, verifyImage } from "./ir/verify.js";
import { check } from "./lang/checker.js";
import { DiagnosticBag, formatDiagnostic as formatOne, type Diagnostic } from "./lang/diagnostics.js";
import { layoutProgram } from "./lang/layout.js";
import { lex } from "./lang/lexer.js";
import { lowerProgram } from "./lang/lower.js";
import { parse } from "./lang/parser.js";
import { ARYL_PROFILE, profileByName, type Profile } from "./profiles/profiles.js";
import { abiOf, deviceFunctionsOf, HANDLER_PREFIX, type AbiLike, type ArylEnv } from "./lang/aryl-env.js";
import type { EntrySignature } from "./bindings/emit-ts.js";
import type { CheckedProgram } from "./lang/tree.js";
import { valueTypeOf } from "./lang/types.js";

export type { Diagnostic } from "./lang/diagnostics.js";
export type { AbiLike } from "./lang/aryl-env.js";

export interface CompileOptions {
  profile: Profile;
  /** Set for Aryl scripts (compileAryl): the contract ABI and the device apps. */
  aryl?: ArylEnv;
}

export interface ArylCompileOptions {
  /** The contract's ABI (solc's JSON, viem's Abi): events for `On` handlers, functions for `contract.f(...)`. */
  abi?: AbiLike | readonly unknown[];
  /** Compiled device apps: their public functions are what `device.F(...)` may call. */
  apps?: readonly { file: string; image: Image }[];
}

export type CompileResult =
  | { ok: true; image: Image; bytes: Uint8Array; /** Public functions and handled events, with parameter names. */ entries: EntrySignature[] }
  | { ok: false; diagnostics: Diagnostic[] };

export function compileAlkyl(source: string, file: string, options: CompileOptions): CompileResult {
  const diags = new DiagnosticBag();
  const failed = (): CompileResult => ({ ok: false, diagnostics: diags.toDiagnostics(source, file) });
  try {
    const program = parse(lex(source, diags), diags, { aryl: options.aryl !== undefined });
    if (diags.count > 0) return failed();
    const checked = check(program, options.profile, diags, options.aryl);
    if (diags.count > 0) return failed();
    const layout = layoutProgram(checked, diags);
    if (!layout) return failed();
    const image = lowerProgram(checked, layout, options.profile, diags);
    if (!image) return failed();
    const bytes = encodeImage(image);
    const verified = verifyImage(bytes, { profile: options.profile });
    if (!verified.ok) {
      diags.report("E0901", { start: 0, end: 0 }, `the image does not verify (${formatVerifyError(verified.error)})`);
      return failed();
    }
    return { ok: true, image, bytes, entries: entrySignatures(checked) };
  } catch (e) {
    // Only a compiler bug gets here; the user still gets a diagnostic, not a stack trace.
    diags.report("E0901", { start: 0, end: 0 }, e instanceof Error ? e.message : String(e));
    return failed();
  }
}

/** What a caller sees of the program: public functions, device events and `On` handlers (by event name). */
function entrySignatures(p: CheckedProgram): EntrySignature[] {
  return p.functions
    .filter((fn) => fn.kind !== "helper")
    .map((fn) => ({
      name: fn.kind === "on" ? fn.name.slice(HANDLER_PREFIX.length) : fn.name,
      kind: fn.kind === "public" ? "public" : "event",
      params: fn.params.map((v) => ({ name: v.name, type: valueTypeOf(v.type) })),
      result: fn.result && valueTypeOf(fn.result),
    }));
}

/** Compiles an Aryl script (docs/aryl.md §2) to an image of the aryl profile. */
export function compileAryl(source: string, file: string, options: ArylCompileOptions = {}): CompileResult {
  const aryl: ArylEnv = { abi: options.abi && abiOf(options.abi), deviceFunctions: options.apps ? deviceFunctionsOf(options.apps) : undefined };
  return compileAlkyl(source, file, { profile: profileByName(ARYL_PROFILE)!, aryl });
}

/** `file:line:col: error: message`, the source line, and `^~~~` under the range. */
export function formatDiagnostic(d: Diagnostic, source: string): string {
  return formatOne(d, source);
}
