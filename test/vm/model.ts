// An independent model of the EVM's arithmetic at width W, for tests only. It is
// written differently from compiler/vm/arith.ts on purpose: plain BigInt on
// mathematical integers, explicit two's-complement formulas, explicit floor
// division, no 32-bit fast paths and no BigInt.asUintN/asIntN.

import { Op } from "../../compiler/ir/opcodes.js";
import { seededRandom } from "../../compiler/seeded-random.js";

const pow2 = (k: number): bigint => 1n << BigInt(k);

/** x mod 2^bits, in [0, 2^bits). */
export function wrap(bits: number, x: bigint): bigint {
  const m = pow2(bits);
  return ((x % m) + m) % m;
}

/** The integer an unsigned bits-wide pattern stands for in two's complement. */
export function signed(bits: number, x: bigint): bigint {
  return x >= pow2(bits - 1) ? x - pow2(bits) : x;
}

function floorDiv(x: bigint, d: bigint): bigint {
  return x >= 0n ? x / d : -((-x + d - 1n) / d);
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function power(bits: number, base: bigint, e: bigint): bigint {
  // Left-to-right binary exponentiation over the exponent's bit string.
  let r = 1n;
  for (const bit of e.toString(2)) {
    r = wrap(bits, r * r);
    if (bit === "1") r = wrap(bits, r * base);
  }
  return e === 0n ? 1n : r;
}

/** Expected result of a two-operand opcode at width `bits` (a = top of stack). */
export function modelBinary(op: number, bits: number, a: bigint, b: bigint): bigint {
  const all = pow2(bits) - 1n;
  switch (op) {
    case Op.ADD:
      return wrap(bits, a + b);
    case Op.MUL:
      return wrap(bits, a * b);
    case Op.SUB:
      return wrap(bits, a - b);
    case Op.DIV:
      return b === 0n ? 0n : (a - (a % b)) / b;
    case Op.SDIV: {
      const x = signed(bits, a);
      const y = signed(bits, b);
      if (y === 0n) return 0n;
      const q = abs(x) / abs(y);
      return wrap(bits, (x < 0n) !== (y < 0n) ? -q : q);
    }
    case Op.MOD:
      return b === 0n ? 0n : a - b * ((a - (a % b)) / b);
    case Op.SMOD: {
      const x = signed(bits, a);
      const y = signed(bits, b);
      if (y === 0n) return 0n;
      const r = abs(x) % abs(y);
      return wrap(bits, x < 0n ? -r : r);
    }
    case Op.EXP:
      return power(bits, a, b);
    case Op.SIGNEXTEND: {
      if (a >= BigInt(bits / 8 - 1)) return b;
      const t = 8 * (Number(a) + 1);
      const low = b % pow2(t);
      return low >= pow2(t - 1) ? low + (pow2(bits) - pow2(t)) : low;
    }
    case Op.LT:
      return a < b ? 1n : 0n;
    case Op.GT:
      return a > b ? 1n : 0n;
    case Op.SLT:
      return signed(bits, a) < signed(bits, b) ? 1n : 0n;
    case Op.SGT:
      return signed(bits, a) > signed(bits, b) ? 1n : 0n;
    case Op.EQ:
      return a === b ? 1n : 0n;
    case Op.AND:
    case Op.OR:
    case Op.XOR: {
      // Bit by bit, from the definition.
      let r = 0n;
      for (let i = 0; i < bits; i++) {
        const x = (a / pow2(i)) % 2n;
        const y = (b / pow2(i)) % 2n;
        const bit = op === Op.AND ? x * y : op === Op.OR ? (x + y > 0n ? 1n : 0n) : (x + y) % 2n;
        r += bit * pow2(i);
      }
      return r;
    }
    case Op.BYTE:
      return a >= BigInt(bits / 8) ? 0n : (b / pow2(8 * (bits / 8 - 1 - Number(a)))) % 256n;
    case Op.SHL:
      return a >= BigInt(bits) ? 0n : wrap(bits, b * pow2(Number(a)));
    case Op.SHR:
      return a >= BigInt(bits) ? 0n : b / pow2(Number(a));
    case Op.SAR: {
      const v = signed(bits, b);
      if (a >= BigInt(bits)) return v < 0n ? all : 0n;
      return wrap(bits, floorDiv(v, pow2(Number(a))));
    }
    default:
      throw new Error(`model: opcode 0x${op.toString(16)} is not binary`);
  }
}

export function modelUnary(op: number, bits: number, a: bigint): bigint {
  if (op === Op.NOT) return pow2(bits) - 1n - a;
  if (op === Op.ISZERO) return a === 0n ? 1n : 0n;
  throw new Error(`model: opcode 0x${op.toString(16)} is not unary`);
}

export function modelTernary(op: number, a: bigint, b: bigint, n: bigint): bigint {
  if (n === 0n) return 0n;
  if (op === Op.ADDMOD) return (a + b) % n;
  if (op === Op.MULMOD) return (a * b) % n;
  throw new Error(`model: opcode 0x${op.toString(16)} is not ternary`);
}

export function modelConvert(op: number, fromBits: number, toBits: number, v: bigint): bigint {
  if (op === Op.ZEXT) return v;
  if (op === Op.SEXT) return wrap(toBits, signed(fromBits, v));
  if (op === Op.TRUNC) return v % pow2(toBits);
  throw new Error(`model: opcode 0x${op.toString(16)} is not a conversion`);
}

/** Interesting values at a width: 0, 1, -1, min and max signed, powers of two, shift and byte edges. */
export function edgeValues(bits: number): bigint[] {
  const max = pow2(bits) - 1n;
  const values = new Set<bigint>([
    0n, 1n, 2n, 3n, 7n, 8n, 9n,
    BigInt(bits - 1), BigInt(bits), BigInt(bits + 1),
    max, max - 1n,
    pow2(bits - 1), pow2(bits - 1) - 1n, pow2(bits - 1) + 1n,
    pow2(bits / 2), pow2(bits / 2) - 1n,
    0x55n * (max / 0xffn), // 0x5555…
  ]);
  return [...values].map((v) => wrap(bits, v));
}

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export const prng = seededRandom;

/**
 * A random value of the width: mostly uniform, sometimes small, sometimes near
 * the sign boundary or negative-small, so shifts and signed paths get hit.
 */
export function randomValue(next: () => number, bits: number): bigint {
  const pick = next();
  let uniform = 0n;
  for (let i = 0; i < bits; i += 16) uniform = (uniform << 16n) | BigInt(Math.floor(next() * 65536));
  uniform = wrap(bits, uniform);
  const small = BigInt(Math.floor(next() * (bits + 3)));
  if (pick < 0.55) return uniform;
  if (pick < 0.75) return small;
  if (pick < 0.9) return wrap(bits, -small);
  return wrap(bits, pow2(bits - 1) + small - 2n);
}
