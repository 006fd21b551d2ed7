// Which IR opcode implements each Alkyl operator, and constant folding. Typed
// constants are folded by running the very opcode the lowering would emit
// (compiler/vm/arith.ts, the one statement of IR arithmetic), so a folded
// constant and the same expression computed at run time always agree.
// Untyped constants (literals and expressions of literals) are folded exactly,
// as mathematical integers, with C's rounding toward zero.

import { Op } from "../ir/opcodes.js";
import type { WidthCode } from "../ir/types.js";
import * as arith from "../vm/arith.js";
import type { Raw } from "../vm/effects.js";
import type { ArithOp, CompareOp, IntrinsicName } from "./tree.js";

/** The opcode of an arithmetic operator. Operands: top = left for sub/div/mod; top = count (right) for shifts. */
export function arithOpcode(op: ArithOp, signed: boolean): number {
  switch (op) {
    case "add":
      return Op.ADD;
    case "sub":
      return Op.SUB;
    case "mul":
      return Op.MUL;
    case "div":
      return signed ? Op.SDIV : Op.DIV;
    case "mod":
      return signed ? Op.SMOD : Op.MOD;
    case "and":
      return Op.AND;
    case "or":
      return Op.OR;
    case "xor":
      return Op.XOR;
    case "shl":
      return Op.SHL;
    case "shr":
      return signed ? Op.SAR : Op.SHR;
  }
}

/** Operators whose operands may be swapped. */
export function isCommutative(op: ArithOp): boolean {
  return op === "add" || op === "mul" || op === "and" || op === "or" || op === "xor";
}

export const INTRINSIC_OPCODES: Record<IntrinsicName, number> = {
  addmod: Op.ADDMOD,
  mulmod: Op.MULMOD,
  exp: Op.EXP,
  signextend: Op.SIGNEXTEND,
  byte: Op.BYTE,
};

function raw(w: WidthCode, v: bigint): Raw {
  return arith.toRaw(w, v);
}

function big(v: Raw): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

/** `left op right` at width `w` on unsigned bit patterns. */
export function foldArith(op: ArithOp, signed: boolean, w: WidthCode, left: bigint, right: bigint): bigint {
  const code = arithOpcode(op, signed);
  const l = raw(w, left);
  const r = raw(w, right);
  if (op === "shl" || op === "shr") return big(arith.binary(code, w, r, l));
  return big(arith.binary(code, w, l, r));
}

export function foldCompare(op: CompareOp, signed: boolean, w: WidthCode, left: bigint, right: bigint): boolean {
  const l = raw(w, left);
  const r = raw(w, right);
  switch (op) {
    case "eq":
      return arith.compare(Op.EQ, w, l, r) === 1;
    case "ne":
      return arith.compare(Op.EQ, w, l, r) === 0;
    case "lt":
      return arith.compare(signed ? Op.SLT : Op.LT, w, l, r) === 1;
    case "gt":
      return arith.compare(signed ? Op.SGT : Op.GT, w, l, r) === 1;
    case "le":
      return arith.compare(signed ? Op.SGT : Op.GT, w, l, r) === 0;
    case "ge":
      return arith.compare(signed ? Op.SLT : Op.LT, w, l, r) === 0;
  }
}

export function foldNeg(w: WidthCode, v: bigint): bigint {
  return big(arith.sub(w, raw(w, 0n), raw(w, v)));
}

export function foldNot(w: WidthCode, v: bigint): bigint {
  return big(arith.not(w, raw(w, v)));
}

/** An intrinsic with its arguments in source order (the first is the top of stack). */
export function foldIntrinsic(name: IntrinsicName, w: WidthCode, args: readonly bigint[]): bigint {
  const a = args.map((v) => raw(w, v));
  const code = INTRINSIC_OPCODES[name];
  if (name === "addmod" || name === "mulmod") return big(arith.ternary(code, w, a[0]!, a[1]!, a[2]!));
  return big(arith.binary(code, w, a[0]!, a[1]!));
}

/** ZEXT/SEXT/TRUNC of a constant. */
export function foldConvert(op: "zext" | "sext" | "trunc", from: WidthCode, to: WidthCode, v: bigint): bigint {
  const code = op === "zext" ? Op.ZEXT : op === "sext" ? Op.SEXT : Op.TRUNC;
  return big(arith.convert(code, from, to, raw(from, v)));
}

// ------------------------------------------------------------ untyped constants

export const UNTYPED_MIN = -(1n << 255n);
export const UNTYPED_MAX = (1n << 256n) - 1n;

/** Exact integer arithmetic; undefined when the result leaves the 256-bit range. */
export function foldUntyped(op: ArithOp, left: bigint, right: bigint): bigint | undefined {
  let r: bigint;
  switch (op) {
    case "add":
      r = left + right;
      break;
    case "sub":
      r = left - right;
      break;
    case "mul":
      r = left * right;
      break;
    case "div":
      r = right === 0n ? 0n : left / right;
      break;
    case "mod":
      r = right === 0n ? 0n : left % right;
      break;
    case "and":
      r = left & right;
      break;
    case "or":
      r = left | right;
      break;
    case "xor":
      r = left ^ right;
      break;
    case "shl":
      if (right < 0n) r = 0n;
      else if (left === 0n) r = 0n;
      else if (right > 512n) return undefined;
      else r = left << right;
      break;
    case "shr":
      r = right < 0n ? 0n : right > 512n ? (left < 0n ? -1n : 0n) : left >> right;
      break;
  }
  return r < UNTYPED_MIN || r > UNTYPED_MAX ? undefined : r;
}

export function compareUntyped(op: CompareOp, l: bigint, r: bigint): boolean {
  switch (op) {
    case "eq":
      return l === r;
    case "ne":
      return l !== r;
    case "lt":
      return l < r;
    case "le":
      return l <= r;
    case "gt":
      return l > r;
    case "ge":
      return l >= r;
  }
}
