// The Alkyl IR verifier (docs/ir.md §5). Order of checks, so that every engine
// reports the same first error for the same image:
//   1. the container's structural rules (decodeImage, §6);
//   2. with a profile, the image's profile id;
//   3. the function table, in order: entry rules, then feature bits needed by
//      the function's locals and result;
//   4. the import table, in order: profile rules, then feature bits needed by
//      the import's parameters and result;
//   5. each function's code, in order (verify-code.ts); a feature used but not
//      declared is reported where it is first used;
//   6. feature bits declared but never used (offset 5, the features byte).
// Never throws, on any input.

import { decodeImage, Feature, FEATURE_MASK, FUNCTION_ENTRY_SIZE, FunctionKind, IMPORT_ENTRY_SIZE, ImportKind, type Image, type ImageLayout, type IrFunction } from "./image.js";
import { encodeTypeByte, ValueKind, typeName, type ValueType } from "./types.js";
import type { Profile } from "../profiles/profiles.js";
import { checkFunctionCode, featureLabel, MAX_STACK_LIMIT, typeFeatures, widthFeature, type VerifyError } from "./verify-code.js";

export type { VerifyError } from "./verify-code.js";

export interface VerifiedImage {
  image: Image;
  layout: ImageLayout;
  /** Feature bits the image uses (equal to the header's, or the image is rejected). */
  requiredFeatures: number;
}

export interface VerifyOptions {
  /** When given, imports and event handlers are checked against it and the image's profileId must equal profile.id. */
  profile?: Profile;
}

export type VerifyResult = { ok: true; value: VerifiedImage } | { ok: false; error: VerifyError };

/** "offset 123: underflow: function KeyPressed: ADD needs 2 values, stack has 1" */
export function formatVerifyError(e: VerifyError): string {
  return `offset ${e.offset}: ${e.rule}: ${e.message}`;
}

/** Little-endian u16 of the raw image (table fields the decoded Image does not keep). */
function u16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

function sameType(a: ValueType | undefined, b: ValueType | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return encodeTypeByte(a) === encodeTypeByte(b);
}

function resultName(t: ValueType | undefined): string {
  return t ? typeName(t) : "void";
}

function err(offset: number, rule: string, message: string): VerifyError {
  return { offset, rule, message };
}

/** Entry rules (docs/ir.md §5 "entry") of function `index`; `entry` is its table offset. */
function checkEntry(image: Image, index: number, entry: number, typesAt: number, profile: Profile | undefined): VerifyError | undefined {
  const fn = image.functions[index]!;
  const who = `function ${fn.name}`;
  if (fn.kind === FunctionKind.Helper) return undefined;
  // Quadratic in the function count (at most 255), with O(1) RAM, as on the device.
  for (let j = 0; j < index; j++) {
    const other = image.functions[j]!;
    if (other.kind !== FunctionKind.Helper && other.name === fn.name)
      return err(entry + 16, "entry", `${who}: another public or event function (${j}) has the same name`);
    if (fn.kind === FunctionKind.Event && other.kind === FunctionKind.Event && other.eventId === fn.eventId)
      return err(entry + 1, "entry", `${who}: event ${fn.eventId} already has a handler (${other.name})`);
  }
  if (fn.kind === FunctionKind.Public) {
    if (fn.result?.kind === ValueKind.String) return err(entry + 4, "entry", `${who}: a public function cannot return a string`);
    return undefined;
  }
  for (let i = 0; i < fn.paramCount; i++)
    if (fn.locals[i]!.kind === ValueKind.String) return err(typesAt + i, "entry", `${who}: an event handler cannot take a string parameter`);
  if (fn.result !== undefined) return err(entry + 4, "entry", `${who}: an event handler returns nothing, not ${resultName(fn.result)}`);
  if (!profile) return undefined;
  const ev = profile.events.find((e) => e.id === fn.eventId);
  if (!ev) return err(entry + 1, "entry", `${who}: profile ${profile.name} has no event ${fn.eventId}`);
  if (ev.params.length !== fn.paramCount)
    return err(entry + 2, "entry", `${who}: event ${ev.name} has ${ev.params.length} parameter(s), the handler ${fn.paramCount}`);
  for (let i = 0; i < fn.paramCount; i++) {
    const want = ev.params[i]!.type;
    if (!sameType(want, fn.locals[i]))
      return err(typesAt + i, "entry", `${who}: parameter ${i + 1} is ${typeName(fn.locals[i]!)}, event ${ev.name} passes ${typeName(want)}`);
  }
  return undefined;
}

/** Where a function's or import's first type byte lies in the image. */
function typeListOffset(bytes: Uint8Array, layout: ImageLayout, entry: number, field: number): number {
  return layout.types + u16(bytes, entry + field);
}

/** First type (by list position) needing a feature outside `allowed`, as [position, feature]. */
function undeclaredTypeFeature(types: readonly ValueType[], allowed: number): [number, number] | undefined {
  for (let i = 0; i < types.length; i++) {
    const f = widthFeature(types[i]!.width);
    if (f & ~allowed) return [i, f];
  }
  return undefined;
}

/** Feature rule for a table entry's types: reports the first one needing an undeclared feature. */
function checkTypeFeatures(
  who: string,
  types: readonly ValueType[],
  typesAt: number,
  result: ValueType | undefined,
  resultAt: number,
  allowed: number,
): VerifyError | undefined {
  const bad = undeclaredTypeFeature(types, allowed);
  if (bad) return err(typesAt + bad[0], "feature", `${who}: type ${typeName(types[bad[0]]!)} needs ${featureLabel(bad[1])}, which the header does not declare`);
  const rf = result ? widthFeature(result.width) : 0;
  if (rf & ~allowed) return err(resultAt, "feature", `${who}: result ${typeName(result!)} needs ${featureLabel(rf)}, which the header does not declare`);
  return undefined;
}

function checkImport(image: Image, index: number, entry: number, typesAt: number, profile: Profile | undefined): VerifyError | undefined {
  const imp = image.imports[index]!;
  if (!profile || imp.kind !== ImportKind.Syscall) return undefined;
  const who = `import ${imp.name}`;
  const sc = profile.syscalls.find((s) => s.id === imp.id);
  if (!sc) return err(entry + 1, "profile", `${who}: profile ${profile.name} has no syscall ${imp.id}`);
  if (sc.name !== imp.name) return err(entry + 6, "profile", `${who}: syscall ${imp.id} of profile ${profile.name} is ${sc.name}`);
  if (sc.params.length !== imp.params.length)
    return err(entry + 2, "profile", `${who}: syscall ${sc.name} takes ${sc.params.length} parameter(s), the import declares ${imp.params.length}`);
  for (let i = 0; i < imp.params.length; i++) {
    const want = sc.params[i]!.type;
    if (!sameType(want, imp.params[i]))
      return err(typesAt + i, "profile", `${who}: parameter ${i + 1} is ${typeName(imp.params[i]!)}, syscall ${sc.name} takes ${typeName(want)}`);
  }
  if (!sameType(sc.result, imp.result))
    return err(entry + 3, "profile", `${who}: result is ${resultName(imp.result)}, syscall ${sc.name} returns ${resultName(sc.result)}`);
  return undefined;
}

/** Verifies an image; the first broken rule is returned with its byte offset. Never throws. */
export function verifyImage(bytes: Uint8Array, options: VerifyOptions = {}): VerifyResult {
  const decoded = decodeImage(bytes);
  if (!decoded.ok) return decoded;
  const { image, layout } = decoded.value;
  const profile = options.profile;
  const declared = image.features;
  let used = 0;
  const fail = (error: VerifyError): VerifyResult => ({ ok: false, error });

  if (profile && image.profileId !== profile.id)
    return fail(err(6, "profile", `image is built for profile ${image.profileId}, the device runs profile ${profile.id} (${profile.name})`));

  for (let i = 0; i < image.functions.length; i++) {
    const fn = image.functions[i]!;
    const entry = layout.functionTable + i * FUNCTION_ENTRY_SIZE;
    const typesAt = typeListOffset(bytes, layout, entry, 14);
    const e =
      checkEntry(image, i, entry, typesAt, profile) ?? checkTypeFeatures(`function ${fn.name}`, fn.locals, typesAt, fn.result, entry + 4, declared);
    if (e) return fail(e);
    used |= typeFeatures(fn.locals, fn.result);
  }

  for (let i = 0; i < image.imports.length; i++) {
    const imp = image.imports[i]!;
    const entry = layout.importTable + i * IMPORT_ENTRY_SIZE;
    const typesAt = typeListOffset(bytes, layout, entry, 4);
    let e = checkImport(image, i, entry, typesAt, profile);
    if (!e && imp.kind === ImportKind.NodeCall && !(declared & Feature.NodeCalls))
      e = err(entry, "feature", `import ${imp.name}: a node-call import needs ${featureLabel(Feature.NodeCalls)}, which the header does not declare`);
    e ??= checkTypeFeatures(`import ${imp.name}`, imp.params, typesAt, imp.result, entry + 3, declared);
    if (e) return fail(e);
    used |= typeFeatures(imp.params, imp.result) | (imp.kind === ImportKind.NodeCall ? Feature.NodeCalls : 0);
  }

  for (let i = 0; i < image.functions.length; i++) {
    const fn = image.functions[i]!;
    const checked = checkFunctionCode(fn, image, {
      codeBase: layout.functionCode[i]!,
      stackLimit: fn.maxStack,
      stackLimitDeclared: true,
      allowedFeatures: declared,
    });
    if (!checked.ok) return checked;
    if (checked.maxStack < fn.maxStack) {
      const at = layout.functionTable + i * FUNCTION_ENTRY_SIZE + 8;
      return fail(err(at, "max-stack", `function ${fn.name}: declared maxStack ${fn.maxStack} but the stack reaches only ${checked.maxStack} bytes`));
    }
    used |= checked.features;
  }

  const unused = declared & ~used & FEATURE_MASK;
  if (unused) return fail(err(5, "feature", `the header declares ${featureLabel(unused)}, which the image never uses`));
  return { ok: true, value: { image, layout, requiredFeatures: used } };
}

export type FunctionAnalysis = { ok: true; maxStack: number; features: number } | { ok: false; error: VerifyError };

/**
 * For toolchains that build an Image before encoding it: runs the code pass of
 * `fn` (a function of `image`) without comparing to its declared maxStack or
 * the image's feature bits, and returns the operand-stack bytes it needs and
 * the feature bits its code, locals and result use. Error offsets are relative
 * to the start of the function's code. The image's other functions and imports
 * are only read for CALLF/SYSCALL/NCALL signatures.
 */
export function analyzeFunction(fn: IrFunction, image: Image): FunctionAnalysis {
  const checked = checkFunctionCode(fn, image, { codeBase: 0, stackLimit: MAX_STACK_LIMIT, stackLimitDeclared: false, allowedFeatures: FEATURE_MASK });
  if (!checked.ok) return checked;
  return { ok: true, maxStack: checked.maxStack, features: checked.features | typeFeatures(fn.locals, fn.result) };
}

export type ImageAnalysis = { ok: true; maxStack: number[]; features: number } | { ok: false; functionIndex: number; error: VerifyError };

/**
 * analyzeFunction over every function, plus the features the imports need:
 * what an assembler or compiler writes into each function's maxStack and the
 * header's feature byte before calling encodeImage.
 */
export function analyzeImage(image: Image): ImageAnalysis {
  const maxStack: number[] = [];
  let features = 0;
  for (const imp of image.imports) features |= typeFeatures(imp.params, imp.result) | (imp.kind === ImportKind.NodeCall ? Feature.NodeCalls : 0);
  for (let i = 0; i < image.functions.length; i++) {
    const a = analyzeFunction(image.functions[i]!, image);
    if (!a.ok) return { ok: false, functionIndex: i, error: a.error };
    maxStack.push(a.maxStack);
    features |= a.features;
  }
  return { ok: true, maxStack, features };
}
