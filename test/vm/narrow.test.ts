// arith.ts at 8/16/32/64 bits against the independent BigInt model, over edge
// values (all pairs) and seeded random values.

import { describe, expect, it } from "vitest";
import { Op, OPCODE_BY_BYTE } from "../../compiler/ir/opcodes.js";
import type { WidthCode } from "../../compiler/ir/types.js";
import * as arith from "../../compiler/vm/arith.js";
import type { Raw } from "../../compiler/vm/effects.js";
import { edgeValues, modelBinary, modelConvert, modelTernary, modelUnary, prng, randomValue } from "./model.js";

const NARROW_WIDTHS: WidthCode[] = [0, 1, 2, 3];
const BITS = [8, 16, 32, 64, 256];
const RANDOM_CASES = 600;

const name = (op: number): string => OPCODE_BY_BYTE[op]!.name;

/** Raws of width w: numbers up to 32 bits, bigints above. */
function raw(w: WidthCode, v: bigint): Raw {
  return w <= 2 ? Number(v) : v;
}

/** Checks the raw's representation and returns its value. */
function valueOf(w: WidthCode, r: Raw): bigint {
  if ((typeof r === "number") !== (w <= 2)) throw new Error(`result ${String(r)} has the wrong representation for width code ${w}`);
  if (typeof r === "number" && (!Number.isInteger(r) || r < 0)) throw new Error(`result ${r} is not an unsigned integer`);
  return BigInt(r);
}

type Mismatch = string;

function collect(mismatches: Mismatch[], label: string, expected: bigint, actual: () => bigint): void {
  if (mismatches.length >= 5) return;
  let got: bigint | string;
  try {
    got = actual();
  } catch (e) {
    got = String(e);
  }
  if (got !== expected) mismatches.push(`${label}: expected 0x${expected.toString(16)}, got ${typeof got === "bigint" ? "0x" + got.toString(16) : got}`);
}

function operandPairs(bits: number, seed: number): [bigint, bigint][] {
  const edges = edgeValues(bits);
  const pairs: [bigint, bigint][] = [];
  for (const a of edges) for (const b of edges) pairs.push([a, b]);
  const next = prng(seed);
  for (let i = 0; i < RANDOM_CASES; i++) pairs.push([randomValue(next, bits), randomValue(next, bits)]);
  return pairs;
}

describe("binary ops match the BigInt model", () => {
  for (const op of arith.BINARY_OPCODES) {
    for (const w of NARROW_WIDTHS) {
      const bits = BITS[w]!;
      it(`${name(op)} at ${bits} bits`, () => {
        const mismatches: Mismatch[] = [];
        for (const [a, b] of operandPairs(bits, op * 31 + w)) {
          collect(mismatches, `${name(op)}(0x${a.toString(16)}, 0x${b.toString(16)})`, modelBinary(op, bits, a, b), () =>
            valueOf(w, arith.binary(op, w, raw(w, a), raw(w, b))),
          );
        }
        expect(mismatches).toEqual([]);
      });
    }
  }
});

describe("comparisons match the BigInt model and give 8-bit booleans", () => {
  for (const op of arith.COMPARE_OPCODES) {
    for (const w of NARROW_WIDTHS) {
      const bits = BITS[w]!;
      it(`${name(op)} at ${bits} bits`, () => {
        const mismatches: Mismatch[] = [];
        for (const [a, b] of operandPairs(bits, op * 37 + w)) {
          collect(mismatches, `${name(op)}(0x${a.toString(16)}, 0x${b.toString(16)})`, modelBinary(op, bits, a, b), () =>
            valueOf(0, arith.compare(op, w, raw(w, a), raw(w, b))),
          );
        }
        expect(mismatches).toEqual([]);
      });
    }
  }
});

describe("unary ops match the BigInt model", () => {
  for (const op of arith.UNARY_OPCODES) {
    for (const w of NARROW_WIDTHS) {
      const bits = BITS[w]!;
      const resultWidth: WidthCode = op === Op.ISZERO ? 0 : w;
      it(`${name(op)} at ${bits} bits`, () => {
        const mismatches: Mismatch[] = [];
        const next = prng(op * 41 + w);
        const values = [...edgeValues(bits), ...Array.from({ length: RANDOM_CASES }, () => randomValue(next, bits))];
        for (const a of values) {
          collect(mismatches, `${name(op)}(0x${a.toString(16)})`, modelUnary(op, bits, a), () => valueOf(resultWidth, arith.unary(op, w, raw(w, a))));
        }
        expect(mismatches).toEqual([]);
      });
    }
  }
});

describe("ADDMOD and MULMOD are exact", () => {
  for (const op of arith.TERNARY_OPCODES) {
    for (const w of NARROW_WIDTHS) {
      const bits = BITS[w]!;
      it(`${name(op)} at ${bits} bits`, () => {
        const mismatches: Mismatch[] = [];
        const edges = edgeValues(bits);
        const triples: [bigint, bigint, bigint][] = [];
        for (const a of edges) for (const b of edges) for (const n of edges) triples.push([a, b, n]);
        const next = prng(op * 43 + w);
        for (let i = 0; i < RANDOM_CASES; i++) triples.push([randomValue(next, bits), randomValue(next, bits), randomValue(next, bits)]);
        for (const [a, b, n] of triples) {
          collect(mismatches, `${name(op)}(0x${a.toString(16)}, 0x${b.toString(16)}, 0x${n.toString(16)})`, modelTernary(op, a, b, n), () =>
            valueOf(w, arith.ternary(op, w, raw(w, a), raw(w, b), raw(w, n))),
          );
        }
        expect(mismatches).toEqual([]);
      });
    }
  }
});

describe("conversions between widths", () => {
  const allWidths: WidthCode[] = [0, 1, 2, 3, 4];
  for (const op of arith.CONVERT_OPCODES) {
    it(`${name(op)} between every allowed pair of widths`, () => {
      const mismatches: Mismatch[] = [];
      for (const from of allWidths) {
        for (const to of allWidths) {
          if (op === Op.TRUNC ? to >= from : to <= from) continue;
          const next = prng(op * 47 + from * 5 + to);
          const values = [...edgeValues(BITS[from]!), ...Array.from({ length: 200 }, () => randomValue(next, BITS[from]!))];
          for (const v of values) {
            collect(mismatches, `${name(op)} ${BITS[from]}->${BITS[to]} (0x${v.toString(16)})`, modelConvert(op, BITS[from]!, BITS[to]!, v), () =>
              valueOf(to, arith.convert(op, from, to, raw(from, v))),
            );
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});

describe("spot checks of the EVM's corner cases", () => {
  it("SDIV of the most negative value by -1 is the most negative value", () => {
    expect(arith.sdiv(2, 0x80000000, 0xffffffff)).toBe(0x80000000);
    expect(arith.sdiv(0, 0x80, 0xff)).toBe(0x80);
    expect(arith.sdiv(3, 1n << 63n, (1n << 64n) - 1n)).toBe(1n << 63n);
  });

  it("operand a is the top of the stack: SUB(a, b) = a - b", () => {
    expect(arith.sub(0, 5, 3)).toBe(2);
    expect(arith.sub(0, 3, 5)).toBe(254);
  });

  it("32-bit MUL is exact modulo 2^32 for large operands", () => {
    expect(arith.mul(2, 0xffffffff, 0xffffffff)).toBe(1);
    expect(arith.mul(2, 0x12345678, 0x9abcdef1)).toBe(Number((0x12345678n * 0x9abcdef1n) % (1n << 32n)));
  });

  it("32-bit MULMOD does not lose precision above 2^53", () => {
    expect(arith.mulmod(2, 0xffffffff, 0xfffffffe, 0xfffffffd)).toBe(Number((0xffffffffn * 0xfffffffen) % 0xfffffffdn));
  });

  it("SAR by the width or more saturates to 0 or all ones", () => {
    expect(arith.sar(1, 16, 0x8000)).toBe(0xffff);
    expect(arith.sar(1, 0xffff, 0x7fff)).toBe(0);
  });
});
