// Checked program + memory layout → Alkyl IR image. Each function is lowered
// on its own (lower-stmt.ts, lower-expr.ts); this module assembles the tables,
// enforces the image format's limits, and takes each function's maxStack and
// the header's feature bits from the verifier's own analysis, so the two can
// never disagree.

import { FunctionKind, ImportKind, IMAGE_VERSION, type Image, type IrFunction, type IrImport } from "../ir/image.js";
import { analyzeImage, formatVerifyError } from "../ir/verify.js";
import type { DiagnosticBag } from "./diagnostics.js";
import type { Layout } from "./layout.js";
import { FunctionLowering } from "./lower-stmt.js";
import type { Profile } from "../profiles/profiles.js";
import { isNodeCallee, type Callee, type CheckedProgram, type FunctionInfo } from "./tree.js";
import { valueTypeOf } from "./types.js";

const MAX_ENTRIES = 255;
const MAX_FRAME_OFFSET = 255;
const MAX_CODE = 0xffff;

function functionKind(fn: FunctionInfo): FunctionKind {
  return fn.kind === "public" || fn.kind === "on" ? FunctionKind.Public : fn.kind === "deviceevent" ? FunctionKind.Event : FunctionKind.Helper;
}

export function lowerProgram(p: CheckedProgram, layout: Layout, profile: Profile, diags: DiagnosticBag): Image | undefined {
  const before = diags.count;
  if (p.functions.length > MAX_ENTRIES) diags.report("E0703", p.functions[MAX_ENTRIES]!.span, p.functions.length);
  if (p.imports.length > MAX_ENTRIES) diags.report("E0707", p.functions[0]?.span ?? { start: 0, end: 0 }, p.imports.length);
  if (diags.count > before) return undefined;

  const imports: IrImport[] = p.imports.map((c) =>
    isNodeCallee(c)
      ? { kind: ImportKind.NodeCall, id: 0, name: c.name, params: c.params, result: c.result }
      : { kind: ImportKind.Syscall, id: c.id, name: c.name, params: c.params.map((q) => q.type), result: c.result },
  );
  const importIndex = (c: Callee): number => p.imports.indexOf(c);

  const functions: IrFunction[] = [];
  let codeSize = 0;
  for (const fn of p.functions) {
    const lowered = new FunctionLowering(fn, layout, importIndex).run();
    const frame = lowered.frame;
    if (frame.locals.length > MAX_ENTRIES) diags.report("E0706", fn.span, fn.name, frame.locals.length);
    else if (frame.lastOffset > MAX_FRAME_OFFSET) diags.report("E0701", fn.span, fn.name, frame.bytes);
    codeSize += lowered.code.length;
    functions.push({
      kind: functionKind(fn),
      eventId: fn.eventId,
      name: fn.name,
      locals: frame.locals,
      paramCount: fn.params.length,
      result: fn.result ? valueTypeOf(fn.result) : undefined,
      maxStack: 0,
      stringBuffers: layout.stringBuffers.get(fn) ?? [],
      code: lowered.code,
    });
  }
  if (codeSize > MAX_CODE) diags.report("E0704", p.functions[0]!.span, codeSize);
  if (diags.count > before) return undefined;

  const image: Image = {
    version: IMAGE_VERSION,
    features: 0,
    profileId: profile.id,
    memorySize: layout.memorySize,
    storageSize: layout.storageSize,
    functions,
    imports,
    data: layout.data,
  };
  const analysis = analyzeImage(image);
  if (!analysis.ok) {
    const fn = p.functions[analysis.functionIndex]!;
    diags.report("E0901", fn.span, `the code of '${fn.name}' does not verify (${formatVerifyError(analysis.error)})`);
    return undefined;
  }
  functions.forEach((f, i) => (f.maxStack = analysis.maxStack[i]!));
  image.features = analysis.features;
  return image;
}
