// The Alkyl IR container: a compact binary image a device can parse in place.
// Layout (all header fields little-endian) is normative in docs/ir.md.

import { crc32 } from "./crc32.js";
import { decodeTypeByte, encodeTypeByte, ValueKind, VOID_TYPE_BYTE, widthBytes, type ValueType } from "./types.js";

export const IMAGE_MAGIC = [0x41, 0x4c, 0x4b, 0x59] as const; // "ALKY"
export const IMAGE_VERSION = 1;
export const HEADER_SIZE = 24;
export const FUNCTION_ENTRY_SIZE = 18;
export const IMPORT_ENTRY_SIZE = 8;
export const TRAILER_SIZE = 4;
export const MAX_NAME_LENGTH = 63;

export enum FunctionKind {
  Helper = 0,
  Public = 1,
  Event = 2,
}
export const FUNCTION_KIND_NAMES = ["helper", "public", "event"] as const;

export enum ImportKind {
  Syscall = 0,
  NodeCall = 1,
}
export const IMPORT_KIND_NAMES = ["syscall", "nodecall"] as const;

/** Feature bits: what a device must support to run the image. */
export const Feature = {
  Width64: 0x01,
  Width256: 0x02,
  Storage: 0x04,
  NodeCalls: 0x08,
} as const;
export const FEATURE_MASK = 0x0f;
export const FEATURE_NAMES: ReadonlyArray<[number, string]> = [
  [Feature.Width64, "w64"],
  [Feature.Width256, "w256"],
  [Feature.Storage, "storage"],
  [Feature.NodeCalls, "nodecalls"],
];

/** Where the runtime copies a string argument of a public function. */
export interface StringBuffer {
  address: number;
  /** Bytes available, including the terminating NUL. */
  capacity: number;
}

export interface IrFunction {
  kind: FunctionKind;
  /** Profile event id for event handlers, 0 otherwise. */
  eventId: number;
  name: string;
  /** Types of all locals; the first `paramCount` are the parameters. */
  locals: ValueType[];
  paramCount: number;
  result: ValueType | undefined;
  /** Operand stack bytes the function needs at most (checked by the verifier). */
  maxStack: number;
  /** One buffer per string parameter of a public function, in parameter order. */
  stringBuffers: StringBuffer[];
  code: Uint8Array;
}

export interface IrImport {
  kind: ImportKind;
  /** Profile syscall id (0 for node calls). */
  id: number;
  name: string;
  params: ValueType[];
  result: ValueType | undefined;
}

export interface Image {
  version: number;
  features: number;
  profileId: number;
  memorySize: number;
  storageSize: number;
  functions: IrFunction[];
  imports: IrImport[];
  /** Initial contents of memory from address 0. */
  data: Uint8Array;
}

/** A structural defect, with the byte offset in the image where it was found. */
export interface ImageError {
  offset: number;
  rule: string;
  message: string;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ImageError };

export function frameSize(locals: readonly ValueType[]): number {
  return locals.reduce((n, t) => n + widthBytes(t.width), 0);
}

/** Byte offset of each local in the frame. */
export function localOffsets(locals: readonly ValueType[]): number[] {
  const out: number[] = [];
  let off = 0;
  for (const t of locals) {
    out.push(off);
    off += widthBytes(t.width);
  }
  return out;
}

export function stringParamIndexes(fn: Pick<IrFunction, "kind" | "locals" | "paramCount">): number[] {
  if (fn.kind !== FunctionKind.Public) return [];
  const out: number[] = [];
  for (let i = 0; i < fn.paramCount; i++) if (fn.locals[i]!.kind === ValueKind.String) out.push(i);
  return out;
}

class ByteWriter {
  private bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u16(v: number): void {
    this.bytes.push(v & 0xff, (v >> 8) & 0xff);
  }
  u32(v: number): void {
    this.u16(v & 0xffff);
    this.u16(v >>> 16);
  }
  raw(b: ArrayLike<number>): void {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]!);
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function encodeResult(t: ValueType | undefined): number {
  return t === undefined ? VOID_TYPE_BYTE : encodeTypeByte(t);
}

/** Encodes an image; throws on values that do not fit the format (a toolchain bug, not user input). */
export function encodeImage(img: Image): Uint8Array {
  const names = new ByteWriter();
  const nameOffsets = new Map<string, number>();
  const nameOffset = (name: string): number => {
    const known = nameOffsets.get(name);
    if (known !== undefined) return known;
    if (name.length > MAX_NAME_LENGTH || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`bad name ${JSON.stringify(name)}`);
    const off = names.length;
    names.u8(name.length);
    names.raw(Array.from(name, (c) => c.charCodeAt(0)));
    nameOffsets.set(name, off);
    return off;
  };
  const types = new ByteWriter();
  const funcTypeOffsets = img.functions.map((fn) => {
    const off = types.length;
    for (const t of fn.locals) types.u8(encodeTypeByte(t));
    for (const b of fn.stringBuffers) {
      types.u16(b.address);
      types.u8(b.capacity);
    }
    return off;
  });
  const importTypeOffsets = img.imports.map((imp) => {
    const off = types.length;
    for (const t of imp.params) types.u8(encodeTypeByte(t));
    return off;
  });
  const w = new ByteWriter();
  w.raw(IMAGE_MAGIC);
  w.u8(img.version);
  w.u8(img.features);
  w.u16(img.profileId);
  w.u16(img.memorySize);
  w.u16(img.storageSize);
  w.u8(img.functions.length);
  w.u8(img.imports.length);
  const codeLength = img.functions.reduce((n, f) => n + f.code.length, 0);
  const fnNameOffsets = img.functions.map((f) => nameOffset(f.name));
  const impNameOffsets = img.imports.map((i) => nameOffset(i.name));
  w.u16(types.length);
  w.u16(img.data.length);
  w.u16(codeLength);
  w.u16(names.length);
  w.u16(0);
  let codeOffset = 0;
  img.functions.forEach((fn, i) => {
    w.u8(fn.kind);
    w.u8(fn.eventId);
    w.u8(fn.paramCount);
    w.u8(fn.locals.length);
    w.u8(encodeResult(fn.result));
    w.u8(0);
    w.u16(frameSize(fn.locals));
    w.u16(fn.maxStack);
    w.u16(codeOffset);
    w.u16(fn.code.length);
    w.u16(funcTypeOffsets[i]!);
    w.u16(fnNameOffsets[i]!);
    codeOffset += fn.code.length;
  });
  img.imports.forEach((imp, i) => {
    w.u8(imp.kind);
    w.u8(imp.id);
    w.u8(imp.params.length);
    w.u8(encodeResult(imp.result));
    w.u16(importTypeOffsets[i]!);
    w.u16(impNameOffsets[i]!);
  });
  w.raw(types.done());
  w.raw(img.data);
  for (const fn of img.functions) w.raw(fn.code);
  w.raw(names.done());
  const body = w.done();
  const out = new Uint8Array(body.length + TRAILER_SIZE);
  out.set(body);
  const crc = crc32(body);
  new DataView(out.buffer).setUint32(body.length, crc, true);
  return out;
}

/** Section offsets of a structurally valid image, for the verifier and tools. */
export interface ImageLayout {
  functionTable: number;
  importTable: number;
  types: number;
  data: number;
  code: number;
  names: number;
  trailer: number;
  /** Absolute offset of each function's code. */
  functionCode: number[];
}

export interface DecodedImage {
  image: Image;
  layout: ImageLayout;
}

function fail(offset: number, rule: string, message: string): { ok: false; error: ImageError } {
  return { ok: false, error: { offset, rule, message } };
}

/**
 * Rules of the verifier (verify.ts) checked during decodeImage's one walk over
 * the tables, so that the first broken rule is the one the device reports too
 * (vm-c/image.c walks the tables once, checking each entry completely before
 * the next; docs/ir.md §5 "Which error is reported").
 */
export interface TableRules {
  /** Once the header, CRC and data size hold, before the tables. */
  header(profileId: number, features: number): ImageError | undefined;
  /** A type of a table entry (a result, a local, an import parameter) at image offset `at`, once it decodes. */
  type(t: ValueType, at: number, who: string): ImageError | undefined;
  /** Function `index` (the last of `functions`) once its structural rules hold; `entry` is its table offset, `typesAt` its first type's. */
  function(functions: readonly IrFunction[], index: number, entry: number, typesAt: number): ImageError | undefined;
  /** Import `imp` once its structural rules hold. */
  import(imp: IrImport, entry: number, typesAt: number): ImageError | undefined;
}

/**
 * Parses the container and checks every structural rule (sizes, offsets, type
 * bytes, names, CRC). Code is not checked here: that is the verifier's job,
 * which passes its entry rules as `rules` to have them checked in the same walk.
 * Never throws on any input.
 */
export function decodeImage(bytes: Uint8Array, rules?: TableRules): Decoded<DecodedImage> {
  const len = bytes.length;
  if (len < HEADER_SIZE + TRAILER_SIZE) return fail(0, "header", `image is ${len} bytes, shorter than the ${HEADER_SIZE + TRAILER_SIZE}-byte minimum`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== IMAGE_MAGIC[i]) return fail(i, "magic", "not an Alkyl image (magic is not ALKY)");
  const u8 = (o: number): number => bytes[o]!;
  const u16 = (o: number): number => bytes[o]! | (bytes[o + 1]! << 8);
  const version = u8(4);
  if (version !== IMAGE_VERSION) return fail(4, "version", `image version ${version} is not supported (expected ${IMAGE_VERSION})`);
  const features = u8(5);
  if (features & ~FEATURE_MASK) return fail(5, "features", `unknown feature bits 0x${(features & ~FEATURE_MASK).toString(16)}`);
  const profileId = u16(6);
  const memorySize = u16(8);
  const storageSize = u16(10);
  const nfuncs = u8(12);
  const nimports = u8(13);
  const typesLen = u16(14);
  const dataLen = u16(16);
  const codeLen = u16(18);
  const namesLen = u16(20);
  if (u16(22) !== 0) return fail(22, "reserved", "reserved header field is not zero");
  const functionTable = HEADER_SIZE;
  const importTable = functionTable + nfuncs * FUNCTION_ENTRY_SIZE;
  const typesOff = importTable + nimports * IMPORT_ENTRY_SIZE;
  const dataOff = typesOff + typesLen;
  const codeOff = dataOff + dataLen;
  const namesOff = codeOff + codeLen;
  const trailer = namesOff + namesLen;
  if (trailer + TRAILER_SIZE !== len)
    return fail(12, "size", `section sizes add up to ${trailer + TRAILER_SIZE} bytes but the image has ${len}`);
  const stored = (u16(trailer) | (u16(trailer + 2) << 16)) >>> 0;
  const actual = crc32(bytes, 0, trailer);
  if (stored !== actual) return fail(trailer, "crc", `CRC-32 mismatch (stored 0x${stored.toString(16).padStart(8, "0")}, computed 0x${actual.toString(16).padStart(8, "0")})`);
  if (dataLen > memorySize) return fail(16, "data", `data section (${dataLen} bytes) is larger than memory (${memorySize} bytes)`);
  const headerError = rules?.header(profileId, features);
  if (headerError) return { ok: false, error: headerError };
  const ruleError = (e: ImageError | undefined): { ok: false; error: ImageError } | undefined => (e ? { ok: false, error: e } : undefined);

  const readName = (entryOffset: number, nameOff: number): Decoded<string> => {
    if (nameOff >= namesLen) return fail(entryOffset, "name", `name offset ${nameOff} is outside the names section (${namesLen} bytes)`);
    const n = u8(namesOff + nameOff);
    if (n === 0 || n > MAX_NAME_LENGTH || nameOff + 1 + n > namesLen) return fail(namesOff + nameOff, "name", `name length ${n} is invalid`);
    let s = "";
    for (let i = 0; i < n; i++) {
      const c = u8(namesOff + nameOff + 1 + i);
      const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || (i > 0 && c >= 0x30 && c <= 0x39);
      if (!ok) return fail(namesOff + nameOff + 1 + i, "name", `byte 0x${c.toString(16)} is not allowed in a name`);
      s += String.fromCharCode(c);
    }
    return { ok: true, value: s };
  };
  const readTypes = (who: string, entryOffset: number, off: number, count: number): Decoded<ValueType[]> => {
    if (off + count > typesLen) return fail(entryOffset, "types", `type list at ${off} (+${count}) runs past the types section (${typesLen} bytes)`);
    const out: ValueType[] = [];
    for (let i = 0; i < count; i++) {
      const at = typesOff + off + i;
      const t = decodeTypeByte(u8(at));
      if (!t) return fail(at, "type", `byte 0x${u8(at).toString(16)} is not a value type`);
      const broken = ruleError(rules?.type(t, at, who));
      if (broken) return broken;
      out.push(t);
    }
    return { ok: true, value: out };
  };
  const readResult = (who: string, o: number): Decoded<ValueType | undefined> => {
    const b = u8(o);
    if (b === VOID_TYPE_BYTE) return { ok: true, value: undefined };
    const t = decodeTypeByte(b);
    if (!t) return fail(o, "type", `byte 0x${b.toString(16)} is not a result type`);
    return ruleError(rules?.type(t, o, who)) ?? { ok: true, value: t };
  };

  const functions: IrFunction[] = [];
  const functionCode: number[] = [];
  let expectedCode = 0;
  for (let i = 0; i < nfuncs; i++) {
    const e = functionTable + i * FUNCTION_ENTRY_SIZE;
    const kind = u8(e);
    if (kind > FunctionKind.Event) return fail(e, "function-kind", `function ${i}: kind ${kind} is not helper, public or event`);
    const eventId = u8(e + 1);
    if (kind !== FunctionKind.Event && eventId !== 0) return fail(e + 1, "function-event", `function ${i}: event id set on a non-event function`);
    const paramCount = u8(e + 2);
    const localCount = u8(e + 3);
    if (paramCount > localCount) return fail(e + 2, "function-params", `function ${i}: ${paramCount} parameters but only ${localCount} locals`);
    const result = readResult(`function ${i}`, e + 4);
    if (!result.ok) return result;
    if (u8(e + 5) !== 0) return fail(e + 5, "reserved", `function ${i}: reserved byte is not zero`);
    const frame = u16(e + 6);
    const maxStack = u16(e + 8);
    const codeStart = u16(e + 10);
    const codeLength = u16(e + 12);
    const typesAt = u16(e + 14);
    const name = readName(e + 16, u16(e + 16));
    if (!name.ok) return name;
    if (codeStart !== expectedCode) return fail(e + 10, "function-code", `function ${i}: code starts at ${codeStart}, expected ${expectedCode} (functions' code is contiguous and in order)`);
    if (codeLength === 0) return fail(e + 12, "function-code", `function ${i}: empty code`);
    if (codeStart + codeLength > codeLen) return fail(e + 12, "function-code", `function ${i}: code runs past the code section`);
    expectedCode += codeLength;
    const locals = readTypes(`function ${i}`, e + 14, typesAt, localCount);
    if (!locals.ok) return locals;
    if (frameSize(locals.value) !== frame) return fail(e + 6, "function-frame", `function ${i}: frame size ${frame} does not match its locals (${frameSize(locals.value)} bytes)`);
    const offsets = localOffsets(locals.value);
    if (offsets.length > 0 && offsets[offsets.length - 1]! > 255) return fail(e + 3, "function-frame", `function ${i}: locals beyond frame offset 255`);
    const fnShape = { kind: kind as FunctionKind, locals: locals.value, paramCount };
    const stringBuffers: StringBuffer[] = [];
    let bufAt = typesAt + localCount;
    for (const _ of stringParamIndexes(fnShape)) {
      if (bufAt + 3 > typesLen) return fail(e + 14, "string-buffer", `function ${i}: string buffer record runs past the types section`);
      const address = u16(typesOff + bufAt);
      const capacity = u8(typesOff + bufAt + 2);
      if (capacity === 0 || address + capacity > memorySize)
        return fail(typesOff + bufAt, "string-buffer", `function ${i}: string buffer ${address}+${capacity} is outside memory (${memorySize} bytes)`);
      stringBuffers.push({ address, capacity });
      bufAt += 3;
    }
    functions.push({
      kind: kind as FunctionKind,
      eventId,
      name: name.value,
      locals: locals.value,
      paramCount,
      result: result.value,
      maxStack,
      stringBuffers,
      code: bytes.slice(codeOff + codeStart, codeOff + codeStart + codeLength),
    });
    functionCode.push(codeOff + codeStart);
    const broken = ruleError(rules?.function(functions, i, e, typesOff + typesAt));
    if (broken) return broken;
  }
  if (expectedCode !== codeLen) return fail(18, "code", `code section has ${codeLen - expectedCode} bytes outside any function`);

  const imports: IrImport[] = [];
  for (let i = 0; i < nimports; i++) {
    const e = importTable + i * IMPORT_ENTRY_SIZE;
    const kind = u8(e);
    if (kind > ImportKind.NodeCall) return fail(e, "import-kind", `import ${i}: kind ${kind} is not syscall or nodecall`);
    const id = u8(e + 1);
    if (kind === ImportKind.NodeCall && id !== 0) return fail(e + 1, "import-id", `import ${i}: node call with non-zero id`);
    const result = readResult(`import ${i}`, e + 3);
    if (!result.ok) return result;
    const name = readName(e + 6, u16(e + 6));
    if (!name.ok) return name;
    const params = readTypes(`import ${i}`, e + 4, u16(e + 4), u8(e + 2));
    if (!params.ok) return params;
    const imp: IrImport = { kind: kind as ImportKind, id, name: name.value, params: params.value, result: result.value };
    imports.push(imp);
    const broken = ruleError(rules?.import(imp, e, typesOff + u16(e + 4)));
    if (broken) return broken;
  }

  const image: Image = {
    version,
    features,
    profileId,
    memorySize,
    storageSize,
    functions,
    imports,
    data: bytes.slice(dataOff, dataOff + dataLen),
  };
  return {
    ok: true,
    value: {
      image,
      layout: { functionTable, importTable, types: typesOff, data: dataOff, code: codeOff, names: namesOff, trailer, functionCode },
    },
  };
}
