// Statements and the expressions that need control flow (&&, ||, ?:), run on
// the reference VM: loops, break/continue, recursion, short-circuit order,
// values spilled around jumps, and left-to-right evaluation order.

import { describe, expect, it } from "vitest";
import { bits, Device } from "./helpers.js";

describe("loops and branches", () => {
  const d = Device.of(`
    public uint32_t sumWhile(uint32_t n) { uint32_t s = 0; uint32_t i = 1; while (i <= n) { s += i; i++; } return s; }
    public uint32_t sumFor(uint32_t n) { uint32_t s = 0; for (uint32_t i = 1; i <= n; i++) s += i; return s; }
    public uint32_t sumDo(uint32_t n) { uint32_t s = 0; uint32_t i = 0; do { s += i; i++; } while (i <= n); return s; }
    public uint8_t firstMultiple(uint8_t k) {
      for (uint8_t i = 1; ; i++) { if (i % k == 0) break; if (i > 200) return 0; }
      uint8_t j = 1;
      while (true) { if (j % k == 0) return j; j++; }
    }
    public uint16_t oddSum(uint16_t n) {
      uint16_t s = 0;
      for (uint16_t i = 0; i < n; i++) { if ((i & 1) == 0) continue; s += i; }
      return s;
    }
    public uint16_t nested(uint8_t n) {
      uint16_t c = 0;
      for (uint8_t i = 0; i < n; i++) for (uint8_t j = 0; j < n; j++) { if (j > i) break; c++; }
      return c;
    }
    public int8_t sign(int32_t x) { if (x < 0) return -1; else if (x == 0) return 0; else return 1; }
    public uint16_t twoCounters(uint8_t n) { uint16_t r = 0; for (uint8_t i = 0, j = 10; i < n; i++, j--) { uint8_t k = j; r = r * 2 + k - i; } return r; }
    public uint8_t doContinue(uint8_t n) { uint8_t i = 0; uint8_t c = 0; do { i++; if (i == 2) continue; c++; } while (i < n); return c; }
    public uint8_t loopFirst(uint8_t j) { while (true) { if (j % 7 == 0) return j; j++; } }
    public uint8_t doFirst(uint8_t j) { do { j += 3; } while (j % 5 != 0); return j; }
    public uint8_t forFirst(uint8_t j) { for (;;) { if (j > 100) return j; j *= 2; } }
  `);

  it("compiles and runs a loop that is a function's first statement (its target at offset 0)", () => {
    expect(d.value("loopFirst", 8)).toBe(14n);
    expect(d.value("doFirst", 1)).toBe(10n);
    expect(d.value("forFirst", 3)).toBe(192n);
  });

  it("runs while, for and do-while loops", () => {
    expect(d.value("sumWhile", 10)).toBe(55n);
    expect(d.value("sumFor", 100)).toBe(5050n);
    expect(d.value("sumDo", 4)).toBe(10n);
    expect(d.value("sumWhile", 0)).toBe(0n);
    expect(d.value("sumFor", 0)).toBe(0n);
  });

  it("leaves a loop with break and from inside with return", () => {
    expect(d.value("firstMultiple", 7)).toBe(7n);
  });

  it("skips to the next iteration with continue, running the for step", () => {
    expect(d.value("oddSum", 10)).toBe(25n);
  });

  it("continues a do-while through its condition", () => {
    expect(d.value("doContinue", 4)).toBe(3n);
  });

  it("keeps every variable of a for loop's init alive through the loop", () => {
    let r = 0;
    for (let i = 0, j = 10; i < 3; i++, j--) r = r * 2 + j - i;
    expect(d.value("twoCounters", 3)).toBe(BigInt(r));
  });

  it("breaks only the innermost loop", () => {
    expect(d.value("nested", 4)).toBe(10n);
  });

  it("chains else-if", () => {
    expect(d.value("sign", bits(-5n, 32))).toBe(bits(-1n, 8));
    expect(d.value("sign", 0)).toBe(0n);
    expect(d.value("sign", 9)).toBe(1n);
  });
});

describe("short-circuit evaluation and values across jumps", () => {
  const d = Device.of(`
    uint8_t calls;
    bool t(uint8_t tag) { calls = calls * 10 + tag; return true; }
    bool f(uint8_t tag) { calls = calls * 10 + tag; return false; }
    public uint8_t andTrace() { calls = 0; if (f(1) && t(2)) { calls = 99; } return calls; }
    public uint8_t orTrace() { calls = 0; if (t(1) || f(2)) { calls = calls * 10 + 3; } return calls; }
    public bool andValue(bool a, bool b) { return a && b; }
    public bool orValue(bool a, bool b) { return a || b; }
    public uint8_t notAndTrace() { calls = 0; bool r = !(t(1) && f(2)) || t(3); return calls; }
    uint32_t add3(uint32_t a, uint32_t b, uint32_t c) { return a * 100 + b * 10 + c; }
    public uint32_t spill(uint32_t x, bool c) { return add3(x, c ? 5 : 6, x > 3 && c ? 7 : 8); }
    public uint32_t nestedTernary(int16_t x) { return x < 0 ? 1 : x == 0 ? 2 : x < 100 ? 3 : 4; }
    public uint16_t inArith(uint16_t a, bool c) { return a + (c || a > 10 ? 1000 : 0) * 2; }
    public bool intConditions(uint32_t a, uint8_t b) { return a && !b; }
  `);

  it("does not evaluate the right side of a false &&", () => {
    expect(d.value("andTrace")).toBe(1n);
  });

  it("does not evaluate the right side of a true ||", () => {
    expect(d.value("orTrace")).toBe(13n);
  });

  it("evaluates as many operands as needed, in order", () => {
    expect(d.value("notAndTrace")).toBe(12n);
  });

  it("gives && and || values", () => {
    for (const a of [false, true])
      for (const b of [false, true]) {
        expect(d.value("andValue", a, b)).toBe(a && b ? 1n : 0n);
        expect(d.value("orValue", a, b)).toBe(a || b ? 1n : 0n);
      }
  });

  it("keeps pending arguments across a conditional inside a call", () => {
    expect(d.value("spill", 4, true)).toBe(457n);
    expect(d.value("spill", 2, true)).toBe(258n);
    expect(d.value("spill", 9, false)).toBe(968n);
  });

  it("nests conditionals", () => {
    expect(d.value("nestedTernary", bits(-3n, 16))).toBe(1n);
    expect(d.value("nestedTernary", 0)).toBe(2n);
    expect(d.value("nestedTernary", 50)).toBe(3n);
    expect(d.value("nestedTernary", 500)).toBe(4n);
  });

  it("uses a conditional inside arithmetic", () => {
    expect(d.value("inArith", 5, true)).toBe(2005n);
    expect(d.value("inArith", 5, false)).toBe(5n);
    expect(d.value("inArith", 11, false)).toBe(2011n);
  });

  it("treats integers as conditions (non-zero is true)", () => {
    expect(d.value("intConditions", 0x10000, 0)).toBe(1n);
    expect(d.value("intConditions", 0, 0)).toBe(0n);
    expect(d.value("intConditions", 1, 1)).toBe(0n);
  });
});

describe("functions", () => {
  const d = Device.of(`
    public uint64_t fact(uint8_t n) { if (n <= 1) return 1; return (uint64_t)n * fact(n - 1); }
    public uint32_t fib(uint8_t n) { return n < 2 ? (uint32_t)n : fib(n - 1) + fib(n - 2); }
    bool isEven(uint16_t n) { if (n == 0) return true; return isOdd(n - 1); }
    bool isOdd(uint16_t n) { if (n == 0) return false; return isEven(n - 1); }
    public bool even(uint16_t n) { return isEven(n); }
    public int256_t twice(int256_t x) { return helper(x) + helper(x); }
    int256_t helper(int256_t x) { return x; }
    public void nothing() { }
    public uint8_t shadow(uint8_t x) { uint8_t y = x; { uint8_t x = 7; y += x; } return y + x; }
  `);

  it("recurses", () => {
    expect(d.value("fact", 20)).toBe(2432902008176640000n);
    expect(d.value("fib", 15)).toBe(610n);
  });

  it("calls functions defined later, mutually recursively", () => {
    expect(d.value("even", 10)).toBe(1n);
    expect(d.value("even", 7)).toBe(0n);
  });

  it("passes and returns 256-bit values", () => {
    expect(d.value("twice", bits(-21n, 256))).toBe(bits(-42n, 256));
  });

  it("returns from a void function that has no return statement", () => {
    const o = d.run("nothing");
    expect(o.fault).toBeUndefined();
    expect(o.value).toBeUndefined();
  });

  it("scopes a shadowing local to its block", () => {
    expect(d.value("shadow", 3)).toBe(13n);
  });
});

describe("evaluation order and assignments as expressions", () => {
  const d = Device.of(`
    uint8_t log[8];
    uint8_t n;
    uint8_t note(uint8_t v) { log[n] = v; n++; return v; }
    public uint8_t subOrder() { n = 0; uint8_t r = note(10) - note(3); return r * 10 + n; }
    public uint16_t trace() { return (uint16_t)log[0] * 100 + log[1]; }
    public uint8_t chained() { uint8_t a; uint8_t b; a = b = 5; return a + b; }
    public uint8_t postfix() { uint8_t i = 5; uint8_t j = i++; return j * 10 + i; }
    public uint8_t prefix() { uint8_t i = 5; uint8_t j = --i; return j * 10 + i; }
    public uint8_t postDec() { uint8_t i = 5; uint8_t j = i--; return j * 10 + i; }
    public uint8_t indexSideEffect() { uint8_t a[4]; uint8_t i = 0; a[0] = 0; a[1] = 0; a[i++] = i; return a[0] * 10 + i; }
    public uint8_t compoundIndexOnce() { uint8_t a[4] = {1, 2, 3, 4}; uint8_t i = 1; a[i++] += 10; return a[1] * 10 + i; }
    public int16_t compoundOps(int16_t x) { x += 3; x -= 1; x *= 5; x /= 2; x %= 7; x <<= 2; x >>= 1; x &= 0xff; x |= 0x100; x ^= 3; return x; }
  `);

  it("evaluates binary operands left to right even when the operator needs them swapped", () => {
    expect(d.value("subOrder")).toBe(72n);
    expect(d.value("trace")).toBe(1003n);
  });

  it("chains assignments", () => {
    expect(d.value("chained")).toBe(10n);
  });

  it("yields the old value for postfix and the new one for prefix", () => {
    expect(d.value("postfix")).toBe(56n);
    expect(d.value("prefix")).toBe(44n);
    expect(d.value("postDec")).toBe(54n);
  });

  it("evaluates the target's index before the assigned value", () => {
    expect(d.value("indexSideEffect")).toBe(11n);
  });

  it("evaluates a compound assignment's target once", () => {
    expect(d.value("compoundIndexOnce")).toBe(122n);
  });

  it("applies every compound operator", () => {
    let x = 10n;
    x += 3n; x -= 1n; x *= 5n; x /= 2n; x %= 7n; x <<= 2n; x >>= 1n; x &= 0xffn; x |= 0x100n; x ^= 3n;
    expect(d.value("compoundOps", 10)).toBe(x);
  });
});
