// Test-only helpers: a tiny text-to-bytes assembler (opcode names from the
// opcode table, labels for relative jumps) and an image builder that fills in
// maxStack and the feature bits and runs the real verifier, so the reference
// VM only ever sees verified images, as it assumes. The real assembler lives
// elsewhere; these tests must not depend on it.

import { encodeImage, FunctionKind, ImportKind, type Image, type StringBuffer } from "../../compiler/ir/image.js";
import { immediateSize, OPCODE_BY_NAME } from "../../compiler/ir/opcodes.js";
import { parseTypeName, type ValueType } from "../../compiler/ir/types.js";
import { analyzeImage, formatVerifyError, verifyImage } from "../../compiler/ir/verify.js";

/**
 * Assembles `OPNAME [immediate]` tokens separated by whitespace. `name:` defines
 * a label; RJUMP/RJUMPI take a label. PUSHn takes an integer (decimal, 0x hex,
 * or negative, written as n-byte two's complement). `;` starts a comment.
 */
export function asm(source: string): Uint8Array {
  const tokens = source.replace(/;[^\n]*/g, " ").split(/\s+/).filter((t) => t !== "");
  const out: number[] = [];
  const labels = new Map<string, number>();
  const fixups: { at: number; label: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.endsWith(":")) {
      labels.set(tok.slice(0, -1), out.length);
      continue;
    }
    const info = OPCODE_BY_NAME.get(tok);
    if (!info) throw new Error(`asm: unknown opcode ${tok}`);
    out.push(info.byte);
    const size = immediateSize(info);
    if (size === 0) continue;
    const arg = tokens[++i];
    if (arg === undefined) throw new Error(`asm: ${tok} needs an immediate`);
    if (info.immediate === "rel16") {
      fixups.push({ at: out.length, label: arg });
      out.push(0, 0);
    } else if (info.immediate === "push") {
      let v = BigInt.asUintN(8 * size, BigInt(arg));
      const bytes: number[] = [];
      for (let k = 0; k < size; k++, v >>= 8n) bytes.unshift(Number(v & 0xffn));
      out.push(...bytes);
    } else {
      out.push(Number(arg));
    }
  }
  for (const { at, label } of fixups) {
    const target = labels.get(label);
    if (target === undefined) throw new Error(`asm: unknown label ${label}`);
    const rel = target - (at + 2);
    out[at] = (rel >> 8) & 0xff;
    out[at + 1] = rel & 0xff;
  }
  return Uint8Array.from(out);
}

function type(name: string): ValueType {
  const t = parseTypeName(name);
  if (!t) throw new Error(`bad type ${name}`);
  return t;
}

export interface FunctionSpec {
  name?: string;
  kind?: FunctionKind;
  params?: string[];
  /** Locals after the parameters. */
  locals?: string[];
  result?: string;
  /** When given, must equal what the verifier computes (tests that depend on it say so). */
  maxStack?: number;
  stringBuffers?: StringBuffer[];
  code: string;
}

export interface ImportSpec {
  kind?: ImportKind;
  id?: number;
  name: string;
  params?: string[];
  result?: string;
}

export interface ImageSpec {
  functions: FunctionSpec[];
  imports?: ImportSpec[];
  memorySize?: number;
  storageSize?: number;
  data?: number[];
}

export function buildImage(spec: ImageSpec): Image {
  const image: Image = {
    version: 1,
    features: 0,
    profileId: 0,
    memorySize: spec.memorySize ?? 64,
    storageSize: spec.storageSize ?? 0,
    data: Uint8Array.from(spec.data ?? []),
    functions: spec.functions.map((f, i) => {
      const params = (f.params ?? []).map(type);
      return {
        kind: f.kind ?? FunctionKind.Helper,
        eventId: 0,
        name: f.name ?? `f${i}`,
        locals: [...params, ...(f.locals ?? []).map(type)],
        paramCount: params.length,
        result: f.result === undefined ? undefined : type(f.result),
        maxStack: 0,
        stringBuffers: f.stringBuffers ?? [],
        code: asm(f.code),
      };
    }),
    imports: (spec.imports ?? []).map((imp) => ({
      kind: imp.kind ?? ImportKind.Syscall,
      id: imp.id ?? 0,
      name: imp.name,
      params: (imp.params ?? []).map(type),
      result: imp.result === undefined ? undefined : type(imp.result),
    })),
  };
  const analysis = analyzeImage(image);
  if (!analysis.ok) throw new Error(`test function ${analysis.functionIndex} does not verify: ${formatVerifyError(analysis.error)}`);
  image.features = analysis.features;
  image.functions.forEach((fn, i) => {
    const declared = spec.functions[i]!.maxStack;
    if (declared !== undefined && declared !== analysis.maxStack[i]) throw new Error(`test function ${i}: maxStack is ${analysis.maxStack[i]}, not ${declared}`);
    fn.maxStack = analysis.maxStack[i]!;
  });
  const verified = verifyImage(encodeImage(image));
  if (!verified.ok) throw new Error(`test image does not verify: ${formatVerifyError(verified.error)}`);
  return verified.value.image;
}

/** The big-endian 32-byte hex of a 256-bit value, for PUSH32 immediates. */
export function hex32(v: bigint): string {
  return "0x" + BigInt.asUintN(256, v).toString(16).padStart(64, "0");
}
