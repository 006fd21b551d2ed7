// Conversions between what a user writes (literals), raw VM values and the
// text of trace lines. The one place where values are formatted, so every
// engine prints the same.

import { ValueKind, widthBits, type ValueType } from "../ir/types.js";
import type { Raw, RawArg } from "../vm/effects.js";
import type { Literal } from "./literals.js";

/** The Alkyl spelling of a value type, for messages: uint8_t, int256_t, bool, char, char*. */
export function alkylTypeName(t: ValueType): string {
  switch (t.kind) {
    case ValueKind.Uint:
      return `uint${widthBits(t.width)}_t`;
    case ValueKind.Int:
      return `int${widthBits(t.width)}_t`;
    case ValueKind.Bool:
      return "bool";
    case ValueKind.Char:
      return "char";
    case ValueKind.String:
      return "char*";
  }
}

/** Raw representation: numbers up to 32 bits, bigints above. */
export function toRaw(bits: number, unsigned: bigint): Raw {
  return bits <= 32 ? Number(unsigned) : unsigned;
}

export function rawToBigInt(v: Raw): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

export type Converted = { ok: true; value: RawArg } | { ok: false; message: string };

/** Converts a literal to a raw argument of type t, or says why it does not fit. */
export function literalToRaw(lit: Literal, t: ValueType): Converted {
  const bits = widthBits(t.width);
  const want = alkylTypeName(t);
  switch (t.kind) {
    case ValueKind.Bool:
      if (lit.kind !== "bool") return { ok: false, message: `${lit.text} is not a bool (use true or false)` };
      return { ok: true, value: lit.value ? 1 : 0 };
    case ValueKind.String:
      if (lit.kind !== "string") return { ok: false, message: `${lit.text} is not a string (use "...")` };
      if (lit.value.includes(0)) return { ok: false, message: `string ${lit.text} contains a NUL byte` };
      return { ok: true, value: lit.value };
    case ValueKind.Char:
      if (lit.kind === "char") return { ok: true, value: lit.value };
      if (lit.kind === "int" && lit.value >= 0n && lit.value <= 255n) return { ok: true, value: Number(lit.value) };
      return { ok: false, message: `${lit.text} is not a char` };
    case ValueKind.Uint:
    case ValueKind.Int: {
      let v: bigint;
      if (lit.kind === "int") v = lit.value;
      else if (lit.kind === "char") v = BigInt(lit.value);
      else return { ok: false, message: `${lit.text} is not an integer (${want})` };
      const min = t.kind === ValueKind.Int ? -(1n << BigInt(bits - 1)) : 0n;
      const max = t.kind === ValueKind.Int ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
      if (v < min || v > max) return { ok: false, message: `${lit.text} does not fit ${want}` };
      return { ok: true, value: toRaw(bits, BigInt.asUintN(bits, v)) };
    }
  }
}

function escapeByte(b: number, quote: string): string {
  if (b === 0x5c) return "\\\\";
  if (b === quote.charCodeAt(0)) return `\\${quote}`;
  if (b === 10) return "\\n";
  if (b === 9) return "\\t";
  if (b === 13) return "\\r";
  if (b === 0) return "\\0";
  if (b >= 0x20 && b <= 0x7e) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, "0")}`;
}

/** Formats a value for a trace line: decimal integers (signed where signed), true/false, 'c', "s". */
export function formatValue(v: RawArg, t: ValueType): string {
  if (v instanceof Uint8Array) return `"${Array.from(v, (b) => escapeByte(b, '"')).join("")}"`;
  const bits = widthBits(t.width);
  const u = BigInt.asUintN(bits, rawToBigInt(v));
  switch (t.kind) {
    case ValueKind.Bool:
      return u === 0n ? "false" : "true";
    case ValueKind.Char:
      return `'${escapeByte(Number(u), "'")}'`;
    case ValueKind.Int:
      return BigInt.asIntN(bits, u).toString();
    default:
      return u.toString();
  }
}
