// Hand-assembles IR code and images for tests, from the opcode table only
// (deliberately independent of the real assembler, so verifier tests do not
// move when the assembler does).

import { crc32 } from "../../../compiler/ir/crc32.js";
import {
  decodeImage,
  encodeImage,
  FUNCTION_ENTRY_SIZE,
  FunctionKind,
  HEADER_SIZE,
  IMAGE_VERSION,
  IMPORT_ENTRY_SIZE,
  ImportKind,
  type Image,
  type IrFunction,
  type IrImport,
  type StringBuffer,
} from "../../../compiler/ir/image.js";
import { immediateSize, OPCODE_BY_NAME } from "../../../compiler/ir/opcodes.js";
import { parseTypeName, type ValueType } from "../../../compiler/ir/types.js";

export interface LabelMark {
  label: string;
}
export interface LabelRef {
  to: string;
}
export interface RawBytes {
  raw: number[];
}
/** An instruction operand: a number/bigint (PUSH value, width, offset, index, relative jump) or a label. */
export type Operand = number | bigint | LabelRef;
export type Item = string | [string, ...Operand[]] | LabelMark | RawBytes;

export const label = (name: string): LabelMark => ({ label: name });
export const to = (name: string): LabelRef => ({ to: name });
/** Bytes emitted as they are (bad opcodes, cut immediates). */
export const raw = (...bytes: number[]): RawBytes => ({ raw: bytes });

export interface Assembled {
  code: Uint8Array;
  /** Offset of each label within the code. */
  labels: Record<string, number>;
}

function bigEndian(value: bigint, n: number): number[] {
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
  return out;
}

/** Two passes: lay out, then encode with label offsets resolved. */
export function asm(...items: Item[]): Assembled {
  const labels: Record<string, number> = {};
  const sizeOf = (item: Item): number => {
    if (typeof item === "object" && "label" in item) return 0;
    if (typeof item === "object" && "raw" in item) return item.raw.length;
    const name = typeof item === "string" ? item : item[0];
    const info = OPCODE_BY_NAME.get(name);
    if (!info) throw new Error(`unknown opcode ${name}`);
    return 1 + immediateSize(info);
  };
  let at = 0;
  for (const item of items) {
    if (typeof item === "object" && "label" in item) labels[item.label] = at;
    at += sizeOf(item);
  }
  const out: number[] = [];
  for (const item of items) {
    if (typeof item === "object" && "label" in item) continue;
    if (typeof item === "object" && "raw" in item) {
      out.push(...item.raw);
      continue;
    }
    const [name, ...ops] = typeof item === "string" ? [item] : item;
    const info = OPCODE_BY_NAME.get(name)!;
    const next = out.length + 1 + immediateSize(info);
    out.push(info.byte);
    const n = immediateSize(info);
    if (n === 0) continue;
    const operand = ops[0] ?? 0;
    let value: bigint;
    if (typeof operand === "object") {
      const target = labels[operand.to];
      if (target === undefined) throw new Error(`unknown label ${operand.to}`);
      value = BigInt(target - next);
    } else value = BigInt(operand);
    out.push(...bigEndian(BigInt.asUintN(8 * n, value), n));
  }
  return { code: Uint8Array.from(out), labels };
}

export function code(...items: Item[]): Uint8Array {
  return asm(...items).code;
}

export function t(name: string): ValueType {
  const v = parseTypeName(name);
  if (!v) throw new Error(`bad type ${name}`);
  return v;
}

export interface FnSpec {
  name?: string;
  kind?: FunctionKind;
  eventId?: number;
  params?: string[];
  /** Locals after the parameters. */
  locals?: string[];
  result?: string;
  maxStack?: number;
  stringBuffers?: StringBuffer[];
  code: Uint8Array;
}

export function fn(spec: FnSpec): IrFunction {
  const params = (spec.params ?? []).map(t);
  return {
    kind: spec.kind ?? FunctionKind.Public,
    eventId: spec.eventId ?? 0,
    name: spec.name ?? "F",
    locals: [...params, ...(spec.locals ?? []).map(t)],
    paramCount: params.length,
    result: spec.result ? t(spec.result) : undefined,
    maxStack: spec.maxStack ?? 0,
    stringBuffers: spec.stringBuffers ?? [],
    code: spec.code,
  };
}

export function syscall(id: number, name: string, params: string[] = [], result?: string): IrImport {
  return { kind: ImportKind.Syscall, id, name, params: params.map(t), result: result ? t(result) : undefined };
}

export function nodecall(name: string, params: string[] = [], result?: string): IrImport {
  return { kind: ImportKind.NodeCall, id: 0, name, params: params.map(t), result: result ? t(result) : undefined };
}

export interface ImageSpec {
  features?: number;
  profileId?: number;
  memorySize?: number;
  storageSize?: number;
  data?: number[];
  imports?: IrImport[];
  functions: IrFunction[];
}

export function image(spec: ImageSpec): Image {
  return {
    version: IMAGE_VERSION,
    features: spec.features ?? 0,
    profileId: spec.profileId ?? 1,
    memorySize: spec.memorySize ?? 64,
    storageSize: spec.storageSize ?? 0,
    functions: spec.functions,
    imports: spec.imports ?? [],
    data: Uint8Array.from(spec.data ?? []),
  };
}

export function build(spec: ImageSpec): Uint8Array {
  return encodeImage(image(spec));
}

/** Rewrites the CRC-32 trailer so that a corruption reaches the checks after it. */
export function withCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length < 4) return out;
  const body = out.length - 4;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(body, crc32(out, 0, body), true);
  return out;
}

/** A copy with `values` written from `offset`, CRC fixed up. */
export function patched(bytes: Uint8Array, offset: number, ...values: number[]): Uint8Array {
  const out = bytes.slice();
  values.forEach((v, i) => (out[offset + i] = v));
  return withCrc(out);
}

/** Image offset of function `index`'s table entry. */
export function functionEntry(index: number): number {
  return HEADER_SIZE + index * FUNCTION_ENTRY_SIZE;
}

/** Image offset of import `index`'s table entry (needs the function count). */
export function importEntry(functionCount: number, index: number): number {
  return HEADER_SIZE + functionCount * FUNCTION_ENTRY_SIZE + index * IMPORT_ENTRY_SIZE;
}

function layoutOf(bytes: Uint8Array) {
  const d = decodeImage(bytes);
  if (!d.ok) throw new Error(`test image does not decode: ${d.error.rule}: ${d.error.message}`);
  return d.value.layout;
}

/** Image offset of function `index`'s first code byte. */
export function codeStart(bytes: Uint8Array, index: number): number {
  return layoutOf(bytes).functionCode[index]!;
}

/** Image offset of the types section. */
export function typesStart(bytes: Uint8Array): number {
  return layoutOf(bytes).types;
}
