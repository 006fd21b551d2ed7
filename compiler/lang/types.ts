// The types of the Alkyl language and the rules between them: how each is
// spelled, its IR width, which conversions are implicit (value-preserving for
// every value) and which need a cast. char is an unsigned 8-bit integer that
// keeps its name (and its `char` value type at the device boundary).

import { ADDRESS_WIDTH, ValueKind, widthCodeOf, type ValueType, type WidthCode } from "../ir/types.js";
import type { TypeKeyword } from "./ast.js";

export type IntBits = 8 | 16 | 32 | 64 | 256;

export interface IntType {
  kind: "int";
  bits: IntBits;
  signed: boolean;
  /** `char`: an unsigned 8-bit integer shown (and passed to the device) as a character. */
  isChar: boolean;
  /** How the type was written: `uint32_t`, `time_t`, `char`... */
  name: string;
}

export interface BoolType {
  kind: "bool";
}

/** `char*` / `string`: the 16-bit address of a NUL-terminated string in memory. */
export interface StringType {
  kind: "string";
}

export interface ArrayType {
  kind: "array";
  elem: ScalarType;
  length: number;
}

export interface VoidType {
  kind: "void";
}

/** The type of an expression that already failed to check: never reported again. */
export interface ErrorType {
  kind: "error";
}

export type ScalarType = IntType | BoolType | StringType;
export type Type = ScalarType | ArrayType | VoidType | ErrorType;

function int(bits: IntBits, signed: boolean, name = `${signed ? "" : "u"}int${bits}_t`, isChar = false): IntType {
  return { kind: "int", bits, signed, isChar, name };
}

export const BOOL: BoolType = { kind: "bool" };
export const STRING: StringType = { kind: "string" };
export const VOID: VoidType = { kind: "void" };
export const ERROR: ErrorType = { kind: "error" };
export const CHAR = int(8, false, "char", true);
export const UINT8 = int(8, false);
export const INT8 = int(8, true);
export const UINT16 = int(16, false);
export const UINT32 = int(32, false);
export const UINT64 = int(64, false);
export const UINT256 = int(256, false);
export const INT16 = int(16, true);
export const INT32 = int(32, true);
export const INT64 = int(64, true);
export const INT256 = int(256, true);

/** The type a keyword names (`char*` is handled by the caller). */
export function keywordType(name: TypeKeyword): Type {
  switch (name) {
    case "void":
      return VOID;
    case "bool":
      return BOOL;
    case "char":
      return CHAR;
    case "string":
      return STRING;
    case "time_t":
      return int(32, false, "time_t");
    default: {
      const m = /^(u?)int(\d+)_t$/.exec(name)!;
      return int(Number(m[2]) as IntBits, m[1] === "");
    }
  }
}

export function typeName(t: Type): string {
  switch (t.kind) {
    case "int":
      return t.name;
    case "bool":
      return "bool";
    case "string":
      return "char*";
    case "array":
      return `${typeName(t.elem)}[${t.length}]`;
    case "void":
      return "void";
    case "error":
      return "<error>";
  }
}

export function isInt(t: Type): t is IntType {
  return t.kind === "int";
}

export function isScalar(t: Type): t is ScalarType {
  return t.kind === "int" || t.kind === "bool" || t.kind === "string";
}

/** Same values and same operations: `time_t` is `uint32_t`; `char` is not `uint8_t` here (see implicitly). */
export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "int" && b.kind === "int") return a.bits === b.bits && a.signed === b.signed && a.isChar === b.isChar;
  if (a.kind === "array" && b.kind === "array") return a.length === b.length && sameType(a.elem, b.elem);
  return true;
}

/** Bits of a scalar's IR value. */
export function bitsOf(t: ScalarType): IntBits {
  if (t.kind === "int") return t.bits;
  return t.kind === "bool" ? 8 : 16;
}

export function widthOf(t: ScalarType): WidthCode {
  return widthCodeOf(bitsOf(t))!;
}

export function bytesOf(t: ScalarType): number {
  return bitsOf(t) / 8;
}

/** Bytes a variable of this type occupies in memory or storage. */
export function sizeOf(t: ScalarType | ArrayType): number {
  return t.kind === "array" ? bytesOf(t.elem) * t.length : bytesOf(t);
}

/** How a value of this type crosses the device boundary (parameters, results, syscalls). */
export function valueTypeOf(t: ScalarType): ValueType {
  switch (t.kind) {
    case "bool":
      return { kind: ValueKind.Bool, width: 0 };
    case "string":
      return { kind: ValueKind.String, width: ADDRESS_WIDTH };
    case "int":
      if (t.isChar) return { kind: ValueKind.Char, width: 0 };
      return { kind: t.signed ? ValueKind.Int : ValueKind.Uint, width: widthCodeOf(t.bits)! };
  }
}

/** The language type of a profile's value type (syscall parameters and results, event parameters). */
export function typeOfValueType(v: ValueType): ScalarType {
  switch (v.kind) {
    case ValueKind.Bool:
      return BOOL;
    case ValueKind.Char:
      return CHAR;
    case ValueKind.String:
      return STRING;
    default: {
      const bits = [8, 16, 32, 64, 256][v.width] as IntBits;
      return int(bits, v.kind === ValueKind.Int);
    }
  }
}

export function intMin(t: IntType): bigint {
  return t.signed ? -(1n << BigInt(t.bits - 1)) : 0n;
}

export function intMax(t: IntType): bigint {
  return t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n;
}

export function fits(value: bigint, t: IntType): boolean {
  return value >= intMin(t) && value <= intMax(t);
}

/** The type an untyped constant takes with no context: int32_t, else the smallest of int64_t, uint64_t, int256_t, uint256_t that holds it. */
export function defaultIntType(value: bigint): IntType | undefined {
  return [INT32, INT64, UINT64, INT256, UINT256].find((t) => fits(value, t));
}

export type Conversion = "same" | "widen" | "narrowing" | "mismatch";

/**
 * Whether a value of `from` may be used where `to` is expected without a cast.
 * Only conversions that preserve every value are implicit: uN→uM, iN→iM,
 * uN→iM (M > N); char and uint8_t are interchangeable.
 */
export function implicitConversion(from: Type, to: Type): Conversion {
  if (from.kind === "int" && to.kind === "int") {
    if (from.bits === to.bits && from.signed === to.signed) return "same";
    if (to.bits > from.bits && (to.signed || !from.signed)) return "widen";
    return "narrowing";
  }
  if (from.kind === "array" || to.kind === "array") return "mismatch";
  if (from.kind === to.kind && from.kind !== "void" && from.kind !== "error") return "same";
  return "mismatch";
}

/**
 * The type two integer operands are brought to (the wider one's), or
 * undefined when they have the same width and different signedness.
 */
export function commonIntType(a: IntType, b: IntType): IntType | undefined {
  if (a.bits !== b.bits) return a.bits > b.bits ? a : b;
  if (a.signed !== b.signed) return undefined;
  if (a.isChar !== b.isChar) return a.isChar ? b : a;
  return a;
}
