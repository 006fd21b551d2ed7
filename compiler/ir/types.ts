// Widths and value types of Alkyl IR. Every value on the operand stack, every
// local and every memory access has one of five widths, known statically.

/** Width codes as encoded in images (MODEn low bits, conversion immediates, type bytes). */
export const WIDTH_CODES = [0, 1, 2, 3, 4] as const;
export type WidthCode = (typeof WIDTH_CODES)[number];

/** Bits of each width code. */
export const WIDTH_BITS: readonly number[] = [8, 16, 32, 64, 256];
export type Width = 8 | 16 | 32 | 64 | 256;

export function widthBits(code: WidthCode): Width {
  return WIDTH_BITS[code] as Width;
}

export function widthBytes(code: WidthCode): number {
  return WIDTH_BITS[code]! / 8;
}

export function widthCodeOf(bits: number): WidthCode | undefined {
  const i = WIDTH_BITS.indexOf(bits);
  return i < 0 ? undefined : (i as WidthCode);
}

export function isWidthCode(n: number): n is WidthCode {
  return Number.isInteger(n) && n >= 0 && n <= 4;
}

/** Width of booleans (results of comparisons, RJUMPI conditions). */
export const BOOL_WIDTH: WidthCode = 0;
/** Width of memory and storage addresses (MLOAD/MSTORE/MSTORE8/SLOAD/SSTORE). */
export const ADDRESS_WIDTH: WidthCode = 1;

/**
 * How a value is presented to the outside (call arguments, results, syscall
 * arguments). The IR itself only cares about the width; the kind says how the
 * toolchain parses and prints the value.
 */
export enum ValueKind {
  Uint = 0,
  Int = 1,
  Bool = 2,
  Char = 3,
  /** A 16-bit address of a NUL-terminated string in app memory. */
  String = 4,
}

export const VALUE_KIND_NAMES = ["uint", "int", "bool", "char", "string"] as const;

/** A type byte: kind in the high nibble, width code in the low 3 bits. */
export interface ValueType {
  kind: ValueKind;
  width: WidthCode;
}

export const VOID_TYPE_BYTE = 0xff;

export function encodeTypeByte(t: ValueType): number {
  return (t.kind << 4) | t.width;
}

/** Decodes a type byte; undefined when the byte is not a valid type. */
export function decodeTypeByte(b: number): ValueType | undefined {
  const kind = b >> 4;
  const width = b & 0x0f;
  if (kind > ValueKind.String || !isWidthCode(width)) return undefined;
  if (kind === ValueKind.Bool && width !== BOOL_WIDTH) return undefined;
  if (kind === ValueKind.Char && width !== 0) return undefined;
  if (kind === ValueKind.String && width !== ADDRESS_WIDTH) return undefined;
  return { kind: kind as ValueKind, width: width as WidthCode };
}

/** `uint32`, `int8`, `bool`, `char`, `string`: the spelling used by the assembler. */
export function typeName(t: ValueType): string {
  switch (t.kind) {
    case ValueKind.Uint:
      return `uint${widthBits(t.width)}`;
    case ValueKind.Int:
      return `int${widthBits(t.width)}`;
    default:
      return VALUE_KIND_NAMES[t.kind];
  }
}

export function parseTypeName(s: string): ValueType | undefined {
  if (s === "bool") return { kind: ValueKind.Bool, width: 0 };
  if (s === "char") return { kind: ValueKind.Char, width: 0 };
  if (s === "string") return { kind: ValueKind.String, width: ADDRESS_WIDTH };
  const m = /^(u?)int(\d+)$/.exec(s);
  if (!m) return undefined;
  const w = widthCodeOf(Number(m[2]));
  if (w === undefined) return undefined;
  return { kind: m[1] ? ValueKind.Uint : ValueKind.Int, width: w };
}
