// The Alkyl IR verifier (docs/ir.md §5). Order of checks, so that every engine
// reports the same first error for the same image:
//   1. the container's header rules (decodeImage, §6), then, with a profile,
//      the image's profile id;
//   2. the function table, entry by entry: the entry's structural rules (§6),
//      each type's feature bit where the type is read, then the entry rules;
//   3. the import table, entry by entry: structural rules, type features,
//      then the node-call feature and the profile rules;
//   4. each function's code, in order (verify-code.ts); a feature used but not
//      declared is reported where it is first used;
//   5. feature bits declared but never used (offset 5, the features byte).
// Steps 1 to 3 are decodeImage's one walk over the tables, with this file's
// rules (TableRules) checked on each entry as it decodes, as vm-c/image.c does.
// Never throws, on any input.

import { decodeImage, Feature, FEATURE_MASK, FUNCTION_ENTRY_SIZE, FunctionKind, ImportKind, type Image, type ImageLayout, type IrFunction, type IrImport, type TableRules } from "./image.js";
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

/** Entry rules (docs/ir.md §5 "entry") of function `index` of `functions`; `entry` is its table offset. */
function checkEntry(functions: readonly IrFunction[], index: number, entry: number, typesAt: number, profile: Profile | undefined): VerifyError | undefined {
  const fn = functions[index]!;
  const who = `function ${fn.name}`;
  if (fn.kind === FunctionKind.Helper) return undefined;
  if (fn.kind === FunctionKind.Event)
    for (let i = 0; i < fn.paramCount; i++)
      if (fn.locals[i]!.kind === ValueKind.String) return err(typesAt + i, "entry", `${who}: an event handler cannot take a string parameter`);
  if (fn.kind === FunctionKind.Public && fn.result?.kind === ValueKind.String) return err(entry + 4, "entry", `${who}: a public function cannot return a string`);
  if (fn.kind === FunctionKind.Event && fn.result !== undefined)
    return err(entry + 4, "entry", `${who}: an event handler returns nothing, not ${resultName(fn.result)}`);
  // Quadratic in the function count (at most 255), with O(1) RAM, as on the device.
  for (let j = 0; j < index; j++) {
    const other = functions[j]!;
    if (other.kind !== FunctionKind.Helper && other.name === fn.name)
      return err(entry + 16, "entry", `${who}: another public or event function (${j}) has the same name`);
    if (fn.kind === FunctionKind.Event && other.kind === FunctionKind.Event && other.eventId === fn.eventId)
      return err(entry + 1, "entry", `${who}: event ${fn.eventId} already has a handler (${other.name})`);
  }
  if (fn.kind === FunctionKind.Public || !profile) return undefined;
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

/** The node-call feature, then the profile rules of a syscall import. */
function checkImport(imp: IrImport, entry: number, typesAt: number, profile: Profile | undefined, declared: number): VerifyError | undefined {
  const who = `import ${imp.name}`;
  if (imp.kind === ImportKind.NodeCall)
    return declared & Feature.NodeCalls
      ? undefined
      : err(entry, "feature", `${who}: a node-call import needs ${featureLabel(Feature.NodeCalls)}, which the header does not declare`);
  if (!profile) return undefined;
  const sc = profile.syscalls.find((s) => s.id === imp.id);
  if (!sc) return err(entry + 1, "profile", `${who}: profile ${profile.name} has no syscall ${imp.id}`);
  if (sc.params.length !== imp.params.length)
    return err(entry + 2, "profile", `${who}: syscall ${sc.name} takes ${sc.params.length} parameter(s), the import declares ${imp.params.length}`);
  for (let i = 0; i < imp.params.length; i++) {
    const want = sc.params[i]!.type;
    if (!sameType(want, imp.params[i]))
      return err(typesAt + i, "profile", `${who}: parameter ${i + 1} is ${typeName(imp.params[i]!)}, syscall ${sc.name} takes ${typeName(want)}`);
  }
  if (!sameType(sc.result, imp.result))
    return err(entry + 3, "profile", `${who}: result is ${resultName(imp.result)}, syscall ${sc.name} returns ${resultName(sc.result)}`);
  if (sc.name !== imp.name) return err(entry + 6, "profile", `${who}: syscall ${imp.id} of profile ${profile.name} is ${sc.name}`);
  return undefined;
}

/** Verifies an image; the first broken rule is returned with its byte offset. Never throws. */
export function verifyImage(bytes: Uint8Array, options: VerifyOptions = {}): VerifyResult {
  const profile = options.profile;
  let declared = 0;
  let used = 0;
  const rules: TableRules = {
    header(profileId, features) {
      declared = features;
      if (profile && profileId !== profile.id)
        return err(6, "profile", `image is built for profile ${profileId}, the device runs profile ${profile.id} (${profile.name})`);
      return undefined;
    },
    type(t, at, who) {
      const f = widthFeature(t.width);
      if (f & ~declared) return err(at, "feature", `${who}: type ${typeName(t)} needs ${featureLabel(f)}, which the header does not declare`);
      used |= f;
      return undefined;
    },
    function: (functions, index, entry, typesAt) => checkEntry(functions, index, entry, typesAt, profile),
    import(imp, entry, typesAt) {
      const e = checkImport(imp, entry, typesAt, profile, declared);
      if (!e && imp.kind === ImportKind.NodeCall) used |= Feature.NodeCalls;
      return e;
    },
  };
  const decoded = decodeImage(bytes, rules);
  if (!decoded.ok) return decoded;
  const { image, layout } = decoded.value;
  const fail = (error: VerifyError): VerifyResult => ({ ok: false, error });

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
