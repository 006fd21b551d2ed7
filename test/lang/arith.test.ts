// Every arithmetic, bitwise, shift and comparison operator at every width,
// signed and unsigned, run on the reference VM and compared with an
// independent BigInt model of the language's semantics (EVM definitions at
// the operand width). Also checks that constant folding agrees with run time.

import { describe, expect, it } from "vitest";
import { bits, Device, signed } from "./helpers.js";

interface IntSpec {
  name: string;
  width: number;
  signed: boolean;
}

const TYPES: IntSpec[] = [8, 16, 32, 64, 256].flatMap((width) => [
  { name: `uint${width}_t`, width, signed: false },
  { name: `int${width}_t`, width, signed: true },
]);

/** Edge values and a few scrambled ones, as signed/unsigned mathematical values of the type. */
function samples(t: IntSpec): bigint[] {
  const w = BigInt(t.width);
  const max = t.signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
  const min = t.signed ? -(1n << (w - 1n)) : 0n;
  const scrambled = BigInt.asUintN(t.width, 0x9e3779b97f4a7c15f39cc0605cedc834_1082276bf3a27251n);
  const mid = t.signed ? BigInt.asIntN(t.width, scrambled) : scrambled;
  const small = [0n, 1n, 2n, 3n, 7n];
  const extra = t.signed ? [-1n, -2n, -7n, min, min + 1n] : [];
  return [...small, ...extra, max, max - 1n, mid, mid >> 3n];
}

function wrap(t: IntSpec, v: bigint): bigint {
  return BigInt.asUintN(t.width, v);
}

function val(t: IntSpec, b: bigint): bigint {
  return t.signed ? signed(b, t.width) : b;
}

type Model = (t: IntSpec, a: bigint, b: bigint) => bigint;

const ARITH: Record<string, [string, Model]> = {
  add: ["a + b", (t, a, b) => wrap(t, a + b)],
  sub: ["a - b", (t, a, b) => wrap(t, a - b)],
  mul: ["a * b", (t, a, b) => wrap(t, a * b)],
  div: ["a / b", (t, a, b) => (b === 0n ? 0n : wrap(t, a / b))],
  mod: ["a % b", (t, a, b) => (b === 0n ? 0n : wrap(t, a % b))],
  and: ["a & b", (t, a, b) => wrap(t, a) & wrap(t, b)],
  or: ["a | b", (t, a, b) => wrap(t, a) | wrap(t, b)],
  xor: ["a ^ b", (t, a, b) => wrap(t, a) ^ wrap(t, b)],
};

const COMPARE: Record<string, [string, (a: bigint, b: bigint) => boolean]> = {
  lt: ["a < b", (a, b) => a < b],
  le: ["a <= b", (a, b) => a <= b],
  gt: ["a > b", (a, b) => a > b],
  ge: ["a >= b", (a, b) => a >= b],
  eq: ["a == b", (a, b) => a === b],
  ne: ["a != b", (a, b) => a !== b],
};

function shiftModel(t: IntSpec, left: boolean, a: bigint, c: bigint): bigint {
  const w = BigInt(t.width);
  if (left) return c >= w ? 0n : wrap(t, a << c);
  if (c >= w) return t.signed && a < 0n ? wrap(t, -1n) : 0n;
  return wrap(t, a >> c);
}

function program(t: IntSpec): string {
  const T = t.name;
  const lines = [
    ...Object.entries(ARITH).map(([n, [e]]) => `public ${T} ${n}(${T} a, ${T} b) { return ${e}; }`),
    ...Object.entries(COMPARE).map(([n, [e]]) => `public bool ${n}(${T} a, ${T} b) { return ${e}; }`),
    `public ${T} shl(${T} a, uint8_t b) { return a << b; }`,
    `public ${T} shr(${T} a, uint8_t b) { return a >> b; }`,
    `public ${T} neg(${T} a) { return -a; }`,
    `public ${T} inv(${T} a) { return ~a; }`,
    `public bool lnot(${T} a) { return !a; }`,
  ];
  return lines.join("\n");
}

describe.each(TYPES)("operators on $name", (t) => {
  const device = Device.of(program(t));
  const xs = samples(t);

  it.each(Object.keys(ARITH))("%s matches the model", (op) => {
    const model = ARITH[op]![1];
    for (const a of xs)
      for (const b of xs) expect(device.value(op, wrap(t, a), wrap(t, b)), `${a} ${op} ${b}`).toBe(model(t, a, b));
  });

  it.each(Object.keys(COMPARE))("%s matches the model", (op) => {
    const model = COMPARE[op]![1];
    for (const a of xs)
      for (const b of xs) expect(device.value(op, wrap(t, a), wrap(t, b)), `${a} ${op} ${b}`).toBe(model(a, b) ? 1n : 0n);
  });

  it("shifts by every interesting count, including the width and more", () => {
    const counts = [0n, 1n, 3n, BigInt(t.width - 1), BigInt(t.width), 255n].filter((c) => c <= 255n);
    for (const a of xs)
      for (const c of counts) {
        expect(device.value("shl", wrap(t, a), c), `${a} << ${c}`).toBe(shiftModel(t, true, a, c));
        expect(device.value("shr", wrap(t, a), c), `${a} >> ${c}`).toBe(shiftModel(t, false, a, c));
      }
  });

  it("negates, complements and tests for zero", () => {
    for (const a of xs) {
      expect(device.value("neg", wrap(t, a))).toBe(wrap(t, -a));
      expect(device.value("inv", wrap(t, a))).toBe(wrap(t, ~a));
      expect(device.value("lnot", wrap(t, a))).toBe(a === 0n ? 1n : 0n);
    }
  });

  it("folds constant expressions to what the device computes", () => {
    const T = t.name;
    const pairs = xs.slice(0, 12).map((a, i) => [a, xs[(i * 7 + 3) % xs.length]!] as const);
    const fns = pairs.flatMap(([a, b], i) =>
      Object.entries(ARITH).map(([n, [e]]) => `public ${T} f${n}${i}() { const ${T} a = (${T})${a}; const ${T} b = (${T})${b}; return ${e}; }`),
    );
    const folded = Device.of(fns.join("\n"));
    pairs.forEach(([a, b], i) => {
      for (const n of Object.keys(ARITH)) expect(folded.value(`f${n}${i}`), `${a} ${n} ${b}`).toBe(device.value(n, wrap(t, a), wrap(t, b)));
    });
    const image = folded.compiled.image;
    // Folded: no arithmetic opcode survives in any of these functions.
    for (const f of image.functions) expect(f.code.length, f.name).toBeLessThanOrEqual(1 + 1 + t.width / 8 + 1 + 1);
  });
});

describe("mixed widths", () => {
  const d = Device.of(`
    public uint32_t addU8U32(uint8_t a, uint32_t b) { return a + b; }
    public int32_t addI8I32(int8_t a, int32_t b) { return a + b; }
    public int32_t addU8I32(uint8_t a, int32_t b) { return a + b; }
    public uint32_t addI8U32(int8_t a, uint32_t b) { return a + b; }
    public uint8_t stay8(uint8_t x) { return x << 1; }
    public uint16_t shiftWiderCount(uint8_t x, uint16_t n) { return x << n; }
    public int16_t sarWide(int8_t x, uint16_t n) { return x >> n; }
    public bool cmpMixed(int8_t a, int64_t b) { return a < b; }
    public uint256_t big(uint8_t a) { return (uint256_t)a * 0x10000000000000000000000000000000000000000; }
  `);

  it("zero-extends the narrower unsigned operand", () => {
    expect(d.value("addU8U32", 200, 0xffffff00)).toBe(0xffffffc8n);
  });

  it("sign-extends the narrower signed operand", () => {
    expect(d.value("addI8I32", bits(-3n, 8), 10)).toBe(7n);
  });

  it("widens unsigned into a wider signed type", () => {
    expect(d.value("addU8I32", 255, bits(-5n, 32))).toBe(250n);
  });

  it("sign-extends a signed operand into a wider unsigned result", () => {
    expect(d.value("addI8U32", bits(-1n, 8), 1)).toBe(0n);
  });

  it("keeps an 8-bit shift 8 bits wide (no integer promotion)", () => {
    expect(d.value("stay8", 0x81)).toBe(0x02n);
  });

  it("shifts at the wider count's width", () => {
    expect(d.value("shiftWiderCount", 0x81, 4)).toBe(0x810n);
  });

  it("shifts a signed value arithmetically after sign extension", () => {
    expect(d.value("sarWide", bits(-128n, 8), 3)).toBe(bits(-16n, 16));
  });

  it("compares after widening", () => {
    expect(d.value("cmpMixed", bits(-1n, 8), 0n)).toBe(1n);
    expect(d.value("cmpMixed", 5, bits(-1n, 64))).toBe(0n);
  });

  it("multiplies at 256 bits", () => {
    expect(d.value("big", 3)).toBe(3n * 0x10000000000000000000000000000000000000000n);
  });
});
