// Exact Alkyl IR arithmetic: every value-computing opcode at every width, with
// the EVM's definitions at width W (docs/ir.md §4). This module is the single
// TypeScript statement of those semantics; the reference VM calls it and the
// tests check it against an independent BigInt model and against a real EVM.
//
// Operand order follows the Yellow Paper: `a` is the top of the stack (μs[0]),
// `b` the next one. So `sub(w, a, b)` is a - b, `lt(w, a, b)` is a < b and
// `shl(w, shift, value)` shifts `value`.
//
// Values are unsigned raws: a number for widths 8/16/32 (width codes 0..2) and a
// bigint for 64/256 (codes 3..4). Narrow widths use 32-bit integer fast paths;
// every intermediate stays an exact integer below 2^53 before it is wrapped.

import { Op } from "../ir/opcodes.js";
import { WIDTH_BITS, type WidthCode } from "../ir/types.js";
import type { Raw } from "./effects.js";

const NARROW_MASK: readonly number[] = [0xff, 0xffff, 0xffffffff];
/** Left shift that moves a narrow value's sign bit to bit 31 (for `<< s >> s`). */
const NARROW_SIGN_SHIFT: readonly number[] = [24, 16, 0];
const WIDE_MASK: readonly bigint[] = WIDTH_BITS.map((bits) => (1n << BigInt(bits)) - 1n);

/** Widths 8, 16 and 32 are held as numbers; 64 and 256 as bigints. */
export function isNarrow(w: WidthCode): boolean {
  return w <= 2;
}

/** Wraps an exact integer (|x| < 2^53) to a narrow width. */
function wrapNarrow(w: WidthCode, x: number): number {
  return w === 2 ? x >>> 0 : x & NARROW_MASK[w]!;
}

/** Two's-complement reading of a narrow unsigned value. */
function signedNarrow(w: WidthCode, x: number): number {
  if (w === 2) return x | 0;
  const s = NARROW_SIGN_SHIFT[w]!;
  return (x << s) >> s;
}

function bitsOf(w: WidthCode): number {
  return WIDTH_BITS[w]!;
}

/** The raw zero of a width (0 or 0n). */
export function zeroOf(w: WidthCode): Raw {
  return w <= 2 ? 0 : 0n;
}

/**
 * Converts any integer (number or bigint, signed or not) to the unsigned raw of
 * width `w`, modulo 2^W. Used for host-supplied values (arguments, syscall
 * results) and by the conversions.
 */
export function toRaw(w: WidthCode, v: Raw): Raw {
  if (w <= 2) {
    if (typeof v === "number") return wrapNarrow(w, v);
    return Number(BigInt.asUintN(bitsOf(w), v));
  }
  return BigInt.asUintN(bitsOf(w), typeof v === "bigint" ? v : BigInt(v));
}

/** The signed (two's-complement) value of an unsigned raw of width `w`. */
export function toSigned(w: WidthCode, v: Raw): Raw {
  return w <= 2 ? signedNarrow(w, v as number) : BigInt.asIntN(bitsOf(w), v as bigint);
}

// ---------------------------------------------------------------- arithmetic

export function add(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) return wrapNarrow(w, (a as number) + (b as number));
  return BigInt.asUintN(bitsOf(w), (a as bigint) + (b as bigint));
}

export function mul(w: WidthCode, a: Raw, b: Raw): Raw {
  // Math.imul is exact modulo 2^32, so it is exact at 8 and 16 bits as well.
  if (w <= 2) return wrapNarrow(w, Math.imul(a as number, b as number));
  return BigInt.asUintN(bitsOf(w), (a as bigint) * (b as bigint));
}

export function sub(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) return wrapNarrow(w, (a as number) - (b as number));
  return BigInt.asUintN(bitsOf(w), (a as bigint) - (b as bigint));
}

export function div(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) {
    // For a, b < 2^32 the rounded double quotient never crosses an integer, so
    // truncating it gives the exact integer quotient.
    return b === 0 ? 0 : ((a as number) / (b as number)) >>> 0;
  }
  return b === 0n ? 0n : (a as bigint) / (b as bigint);
}

export function sdiv(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) {
    if (b === 0) return 0;
    // -2^(W-1) / -1 = 2^(W-1), which wraps back to -2^(W-1) as the EVM requires.
    return wrapNarrow(w, Math.trunc(signedNarrow(w, a as number) / signedNarrow(w, b as number)));
  }
  if (b === 0n) return 0n;
  const bits = bitsOf(w);
  return BigInt.asUintN(bits, BigInt.asIntN(bits, a as bigint) / BigInt.asIntN(bits, b as bigint));
}

export function mod(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) return b === 0 ? 0 : (a as number) % (b as number);
  return b === 0n ? 0n : (a as bigint) % (b as bigint);
}

export function smod(w: WidthCode, a: Raw, b: Raw): Raw {
  // JavaScript's % (number and bigint) takes the sign of the dividend, like SMOD.
  if (w <= 2) {
    if (b === 0) return 0;
    return wrapNarrow(w, signedNarrow(w, a as number) % signedNarrow(w, b as number));
  }
  if (b === 0n) return 0n;
  const bits = bitsOf(w);
  return BigInt.asUintN(bits, BigInt.asIntN(bits, a as bigint) % BigInt.asIntN(bits, b as bigint));
}

export function addmod(w: WidthCode, a: Raw, b: Raw, n: Raw): Raw {
  if (w <= 2) return n === 0 ? 0 : ((a as number) + (b as number)) % (n as number);
  return n === 0n ? 0n : ((a as bigint) + (b as bigint)) % (n as bigint);
}

export function mulmod(w: WidthCode, a: Raw, b: Raw, n: Raw): Raw {
  if (w <= 2) {
    if (n === 0) return 0;
    const x = a as number;
    const y = b as number;
    const m = n as number;
    if (w < 2) return (x * y) % m;
    // 32 bits: the product may reach 2^64, so multiply by y's two 16-bit halves;
    // every partial sum stays below 2^49.
    return (((x * (y >>> 16)) % m) * 65536 + x * (y & 0xffff)) % m;
  }
  return n === 0n ? 0n : ((a as bigint) * (b as bigint)) % (n as bigint);
}

/** EXP: a ^ b mod 2^W (a = base on top, b = exponent). */
export function exp(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) {
    let base = a as number;
    let e = b as number;
    let result = 1;
    while (e !== 0) {
      if (e & 1) result = Math.imul(result, base);
      base = Math.imul(base, base);
      e >>>= 1;
    }
    return wrapNarrow(w, result);
  }
  const bits = bitsOf(w);
  let base = a as bigint;
  let e = b as bigint;
  let result = 1n;
  while (e !== 0n) {
    if (e & 1n) result = BigInt.asUintN(bits, result * base);
    e >>= 1n;
    if (e !== 0n) base = BigInt.asUintN(bits, base * base);
  }
  return result;
}

/** SIGNEXTEND(b = a, x = b): extends the sign of byte `a` (0 = least significant) of `b`. */
export function signextend(w: WidthCode, a: Raw, b: Raw): Raw {
  const lastByte = bitsOf(w) / 8 - 1;
  if (w <= 2) {
    if ((a as number) >= lastByte) return b;
    const s = 32 - 8 * ((a as number) + 1);
    return wrapNarrow(w, ((b as number) << s) >> s);
  }
  if ((a as bigint) >= BigInt(lastByte)) return b;
  return BigInt.asUintN(bitsOf(w), BigInt.asIntN(8 * (Number(a) + 1), b as bigint));
}

// ---------------------------------------------------------------- comparisons
// Results are 8-bit booleans: the numbers 0 or 1 at every width.

export function lt(_w: WidthCode, a: Raw, b: Raw): number {
  return a < b ? 1 : 0;
}

export function gt(_w: WidthCode, a: Raw, b: Raw): number {
  return a > b ? 1 : 0;
}

export function slt(w: WidthCode, a: Raw, b: Raw): number {
  return toSigned(w, a) < toSigned(w, b) ? 1 : 0;
}

export function sgt(w: WidthCode, a: Raw, b: Raw): number {
  return toSigned(w, a) > toSigned(w, b) ? 1 : 0;
}

export function eq(_w: WidthCode, a: Raw, b: Raw): number {
  return a === b ? 1 : 0;
}

export function iszero(_w: WidthCode, a: Raw): number {
  return a === 0 || a === 0n ? 1 : 0;
}

// ---------------------------------------------------------------- bitwise

export function and(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) return ((a as number) & (b as number)) >>> 0;
  return (a as bigint) & (b as bigint);
}

export function or(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) return ((a as number) | (b as number)) >>> 0;
  return (a as bigint) | (b as bigint);
}

export function xor(w: WidthCode, a: Raw, b: Raw): Raw {
  if (w <= 2) return ((a as number) ^ (b as number)) >>> 0;
  return (a as bigint) ^ (b as bigint);
}

export function not(w: WidthCode, a: Raw): Raw {
  if (w <= 2) return wrapNarrow(w, ~(a as number));
  return (a as bigint) ^ WIDE_MASK[w]!;
}

/** BYTE(i = a, x = b): byte `a` of `b` counted from the most significant byte of the W-wide word. */
export function byte(w: WidthCode, a: Raw, b: Raw): Raw {
  const bytes = bitsOf(w) / 8;
  if (w <= 2) {
    const i = a as number;
    return i >= bytes ? 0 : ((b as number) >>> (8 * (bytes - 1 - i))) & 0xff;
  }
  if ((a as bigint) >= BigInt(bytes)) return 0n;
  return ((b as bigint) >> BigInt(8 * (bytes - 1 - Number(a)))) & 0xffn;
}

/** SHL(shift = a, value = b). */
export function shl(w: WidthCode, a: Raw, b: Raw): Raw {
  const bits = bitsOf(w);
  if (w <= 2) return (a as number) >= bits ? 0 : wrapNarrow(w, (b as number) << (a as number));
  return (a as bigint) >= BigInt(bits) ? 0n : BigInt.asUintN(bits, (b as bigint) << (a as bigint));
}

/** SHR(shift = a, value = b): logical. */
export function shr(w: WidthCode, a: Raw, b: Raw): Raw {
  const bits = bitsOf(w);
  if (w <= 2) return (a as number) >= bits ? 0 : (b as number) >>> (a as number);
  return (a as bigint) >= BigInt(bits) ? 0n : (b as bigint) >> (a as bigint);
}

/** SAR(shift = a, value = b): arithmetic; shifts of W or more give 0 or all ones. */
export function sar(w: WidthCode, a: Raw, b: Raw): Raw {
  const bits = bitsOf(w);
  if (w <= 2) {
    const v = signedNarrow(w, b as number);
    // Shifting a 32-bit integer by 31 already yields 0 or -1, the saturated result.
    return wrapNarrow(w, v >> Math.min(a as number, 31));
  }
  const v = BigInt.asIntN(bits, b as bigint);
  const shift = (a as bigint) >= BigInt(bits) ? BigInt(bits) : (a as bigint);
  return BigInt.asUintN(bits, v >> shift);
}

// ---------------------------------------------------------------- conversions

/** ZEXT: the unsigned value of width `from`, re-typed at width `to`. */
export function zext(_from: WidthCode, to: WidthCode, v: Raw): Raw {
  return toRaw(to, v);
}

/** SEXT: the two's-complement value of width `from`, at width `to`. */
export function sext(from: WidthCode, to: WidthCode, v: Raw): Raw {
  return toRaw(to, toSigned(from, v));
}

/** TRUNC: the low bits of `v` at width `to`. */
export function trunc(_from: WidthCode, to: WidthCode, v: Raw): Raw {
  return toRaw(to, v);
}

// ---------------------------------------------------------------- by opcode

type BinaryFn = (w: WidthCode, a: Raw, b: Raw) => Raw;

const BINARY: ReadonlyMap<number, BinaryFn> = new Map<number, BinaryFn>([
  [Op.ADD, add],
  [Op.MUL, mul],
  [Op.SUB, sub],
  [Op.DIV, div],
  [Op.SDIV, sdiv],
  [Op.MOD, mod],
  [Op.SMOD, smod],
  [Op.EXP, exp],
  [Op.SIGNEXTEND, signextend],
  [Op.AND, and],
  [Op.OR, or],
  [Op.XOR, xor],
  [Op.BYTE, byte],
  [Op.SHL, shl],
  [Op.SHR, shr],
  [Op.SAR, sar],
]);

const COMPARE: ReadonlyMap<number, (w: WidthCode, a: Raw, b: Raw) => number> = new Map([
  [Op.LT, lt],
  [Op.GT, gt],
  [Op.SLT, slt],
  [Op.SGT, sgt],
  [Op.EQ, eq],
]);

/** Opcodes `binary` accepts: two W-wide operands, one W-wide result. */
export const BINARY_OPCODES: readonly number[] = [...BINARY.keys()];
/** Opcodes `compare` accepts: two W-wide operands, an 8-bit boolean result. */
export const COMPARE_OPCODES: readonly number[] = [...COMPARE.keys()];
/** Opcodes `ternary` accepts. */
export const TERNARY_OPCODES: readonly number[] = [Op.ADDMOD, Op.MULMOD];
/** Opcodes `unary` accepts (ISZERO returns an 8-bit boolean). */
export const UNARY_OPCODES: readonly number[] = [Op.NOT, Op.ISZERO];
/** Opcodes `convert` accepts. */
export const CONVERT_OPCODES: readonly number[] = [Op.ZEXT, Op.SEXT, Op.TRUNC];

function notAn(kind: string, op: number): never {
  throw new Error(`opcode 0x${op.toString(16)} is not a ${kind} operation`);
}

/** A binary W → W operation by opcode byte (a = top of stack). Throws for other opcodes (a caller bug). */
export function binary(op: number, w: WidthCode, a: Raw, b: Raw): Raw {
  const fn = BINARY.get(op) ?? notAn("binary", op);
  return fn(w, a, b);
}

/** A comparison by opcode byte (a = top of stack): 0 or 1. */
export function compare(op: number, w: WidthCode, a: Raw, b: Raw): number {
  const fn = COMPARE.get(op) ?? notAn("comparison", op);
  return fn(w, a, b);
}

/** ADDMOD/MULMOD(a, b, N) by opcode byte (a = top of stack). */
export function ternary(op: number, w: WidthCode, a: Raw, b: Raw, n: Raw): Raw {
  if (op === Op.ADDMOD) return addmod(w, a, b, n);
  if (op === Op.MULMOD) return mulmod(w, a, b, n);
  return notAn("ternary", op);
}

/** NOT (W-wide result) or ISZERO (8-bit boolean result) by opcode byte. */
export function unary(op: number, w: WidthCode, a: Raw): Raw {
  if (op === Op.NOT) return not(w, a);
  if (op === Op.ISZERO) return iszero(w, a);
  return notAn("unary", op);
}

/** ZEXT/SEXT/TRUNC by opcode byte, from width code `from` to width code `to`. */
export function convert(op: number, from: WidthCode, to: WidthCode, v: Raw): Raw {
  if (op === Op.ZEXT) return zext(from, to, v);
  if (op === Op.SEXT) return sext(from, to, v);
  if (op === Op.TRUNC) return trunc(from, to, v);
  return notAn("conversion", op);
}
