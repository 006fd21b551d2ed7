// Globals, arrays, strings and persistent storage on the reference VM, and
// the memory layout rules of docs/language.md §7.

import { describe, expect, it } from "vitest";
import { bits, compile, Device } from "./helpers.js";

describe("globals and initialisers", () => {
  const d = Device.of(`
    uint16_t counter = 1000;
    int8_t offset = -3;
    const uint32_t LIMIT = 1 << 20;
    char* greeting = "hi";
    uint8_t table[4] = {10, 20, 30};
    char word[] = "abc";
    bool flag = true;
    public uint16_t bump() { counter += 1; return counter; }
    public int8_t getOffset() { return offset; }
    public uint32_t limit() { return LIMIT + this.LIMIT; }
    public void greet() { SystemCall(Print, greeting); SystemCall(Print, word); }
    public uint8_t sumTable() { uint8_t s = 0; for (uint8_t i = 0; i < 4; i++) s += table[i]; return s; }
    public uint8_t wordLength() { uint8_t n = 0; while (word[n] != '\\0') n++; return n; }
    public bool getFlag() { return flag; }
  `);

  it("starts globals at their initial values and keeps them between calls", () => {
    expect(d.value("bump")).toBe(1001n);
    expect(d.value("bump")).toBe(1002n);
    expect(d.value("getOffset")).toBe(bits(-3n, 8));
    expect(d.value("getFlag")).toBe(1n);
  });

  it("folds const globals, also through this.", () => {
    expect(d.value("limit")).toBe(2n << 20n);
  });

  it("initialises string pointers and char arrays from literals", () => {
    expect(d.calls("greet")).toEqual(['Print("hi")', 'Print("abc")']);
    expect(d.value("wordLength")).toBe(3n);
  });

  it("zero-fills the rest of a partially initialised array", () => {
    expect(d.value("sumTable")).toBe(60n);
  });

  it("restores initial values after a device reset", () => {
    d.vm.reset();
    expect(d.value("bump")).toBe(1001n);
  });
});

describe("arrays", () => {
  const d = Device.of(`
    uint32_t squares[10];
    int256_t big[3];
    public void fill() { for (uint8_t i = 0; i < 10; i++) squares[i] = (uint32_t)i * i; }
    public uint32_t get(uint8_t i) { return squares[i]; }
    public uint32_t sumBack() { uint32_t s = 0; for (int8_t i = 9; i >= 0; i--) s += squares[i]; return s; }
    public int256_t bigOps(int256_t x) { big[0] = x; big[1] = -x; big[2] = big[0] * big[1]; return big[2]; }
    public uint8_t reverse() {
      uint8_t a[5] = {1, 2, 3, 4, 5};
      for (uint8_t i = 0; i < 2; i++) { uint8_t t = a[i]; a[i] = a[4 - i]; a[4 - i] = t; }
      return a[0] * 10 + a[4];
    }
    public uint8_t outOfBounds(uint16_t i) { uint8_t a[2]; return a[i]; }
    public uint16_t wideIndex(uint32_t i) { return (uint16_t)squares[i]; }
  `);

  it("stores and loads 32-bit elements with computed indexes", () => {
    d.run("fill");
    expect(d.value("get", 7)).toBe(49n);
    expect(d.value("sumBack")).toBe(285n);
  });

  it("stores and loads 256-bit elements", () => {
    expect(d.value("bigOps", 3)).toBe(bits(-9n, 256));
  });

  it("initialises a local array each time its declaration runs", () => {
    expect(d.value("reverse")).toBe(51n);
    expect(d.value("reverse")).toBe(51n);
  });

  it("faults on an index outside the app's memory (the only bounds check)", () => {
    const o = d.run("outOfBounds", 60000);
    expect(o.fault).toMatch(/^memory@/);
  });

  it("accepts an index of any integer type", () => {
    expect(d.value("wideIndex", 3)).toBe(9n);
  });
});

describe("local arrays share memory only between functions that are never active together", () => {
  const d = Device.of(`
    uint8_t inner() { uint8_t b[4] = {9, 9, 9, 9}; return b[0]; }
    public uint8_t outer() { uint8_t a[4] = {1, 2, 3, 4}; uint8_t x = inner(); return a[0] + a[3] + x; }
    public uint8_t other() { uint8_t c[4] = {5, 5, 5, 5}; return c[0]; }
  `);

  it("keeps a caller's array intact across a call", () => {
    expect(d.value("outer")).toBe(14n);
  });

  it("overlays arrays of independent entry points", () => {
    const image = d.compiled.image;
    // 1 reserved byte + outer's 4 + inner's 4 (other overlays outer's).
    expect(image.memorySize).toBe(9);
    expect(d.value("other")).toBe(5n);
  });
});

describe("strings", () => {
  const d = Device.of(`
    char* saved;
    char* empty;
    public void save(char* s) { saved = s; }
    public uint8_t length() { uint8_t n = 0; while (saved[n]) n++; return n; }
    public char at(uint8_t i) { return saved[i]; }
    public void show() { SystemCall(Print, saved); SystemCall(Print, "lit\\n"); }
    public uint8_t unsetLength() { uint8_t n = 0; while (empty[n] != 0) n++; return n; }
    public void upper() { for (uint8_t i = 0; saved[i] != 0; i++) if (saved[i] >= 'a' && saved[i] <= 'z') saved[i] -= 32; }
    public void shortName(char name[4]) { SystemCall(Print, name); }
    public bool same(char* a, char* b) { return a == b; }
    public void decay() { char buf[4] = "xyz"; buf[1] = 'Y'; SystemCall(Print, buf); }
  `);

  it("keeps a public function's string argument in its buffer", () => {
    d.run("save", "hello");
    expect(d.value("length")).toBe(5n);
    expect(d.value("at", 1)).toBe(BigInt("e".charCodeAt(0)));
    expect(d.calls("show")).toEqual(['Print("hello")', 'Print("lit\\n")']);
  });

  it("writes through a char*", () => {
    d.run("save", "abc1");
    d.run("upper");
    expect(d.calls("show")[0]).toBe('Print("ABC1")');
  });

  it("reads an unset char* as the empty string (address 0 holds a zero byte)", () => {
    expect(d.value("unsetLength")).toBe(0n);
  });

  it("sizes a string buffer from char name[N]", () => {
    const fn = d.compiled.image.functions.find((f) => f.name === "shortName")!;
    expect(fn.stringBuffers[0]!.capacity).toBe(4);
    expect(d.calls("shortName", "abc")).toEqual(['Print("abc")']);
    expect(() => d.run("shortName", "abcd")).toThrow(/does not fit/);
  });

  it("compares char* values as addresses", () => {
    expect(d.value("same", "a", "a")).toBe(0n);
  });

  it("passes a char array as a char*", () => {
    expect(d.calls("decay")).toEqual(['Print("xYz")']);
  });
});

describe("persistent globals", () => {
  const d = Device.of(`
    persistent uint32_t boots;
    persistent uint8_t history[4];
    uint32_t volatileCount;
    public uint32_t boot() { boots++; volatileCount++; history[boots % 4] = (uint8_t)boots; return boots * 1000 + volatileCount; }
    public uint8_t last() { return history[boots % 4]; }
  `);

  it("lives in storage and survives a device reset, unlike memory", () => {
    expect(d.value("boot")).toBe(1001n);
    expect(d.value("boot")).toBe(2002n);
    d.vm.reset();
    expect(d.value("boot")).toBe(3001n);
    expect(d.value("last")).toBe(3n);
  });

  it("uses SLOAD/SSTORE and declares the storage feature", () => {
    const img = d.compiled.image;
    expect(img.storageSize).toBe(8);
    expect(img.features & 0x04).toBe(0x04);
  });
});

describe("syscalls and intrinsics", () => {
  const d = Device.of(`
    public time_t later(uint32_t s) { return SystemCall(Now) + s; }
    public void report(uint8_t a, int16_t b, bool c, char k) { SystemCall(Out8, a); SystemCall(OutI16, b); SystemCall(OutBool, c); SystemCall(OutChar, k); SystemCall(Out256, (uint256_t)a << 200); }
    public uint256_t am(uint256_t a, uint256_t b, uint256_t n) { return addmod(a, b, n); }
    public uint256_t mm(uint256_t a, uint256_t b, uint256_t n) { return mulmod(a, b, n); }
    public uint32_t power(uint32_t a, uint32_t b) { return exp(a, b); }
    public int64_t sx(int64_t x) { return signextend(0, x); }
    public uint32_t byteOf(uint32_t i, uint32_t x) { return byte(i, x); }
    public uint8_t constExp() { return exp(3, 4); }
  `);

  it("returns a syscall's result", () => {
    const dev = d;
    dev.clock = 1_700_000_000;
    expect(dev.value("later", 60)).toBe(1_700_000_060n);
  });

  it("passes arguments of every type", () => {
    expect(d.calls("report", 7, bits(-2n, 16), true, 65)).toEqual(["Out8(7)", `OutI16(${bits(-2n, 16)})`, "OutBool(1)", "OutChar(65)", `Out256(${7n << 200n})`]);
  });

  it("computes addmod and mulmod without overflow at 256 bits", () => {
    const max = (1n << 256n) - 1n;
    expect(d.value("am", max, max, 7n)).toBe((max + max) % 7n);
    expect(d.value("mm", max, max, 12345n)).toBe((max * max) % 12345n);
  });

  it("computes exp, signextend and byte at the operands' width", () => {
    expect(d.value("power", 3, 21)).toBe(3n ** 21n % (1n << 32n));
    expect(d.value("sx", 0x80)).toBe(bits(-128n, 64));
    expect(d.value("byteOf", 0, 0x11223344)).toBe(0x11n);
    expect(d.value("byteOf", 3, 0x11223344)).toBe(0x44n);
    expect(d.value("constExp")).toBe(81n);
  });

  it("imports only the syscalls used, in order of first use", () => {
    expect(d.compiled.image.imports.map((i) => i.name)).toEqual(["Now", "Out8", "OutI16", "OutBool", "OutChar", "Out256"]);
  });
});

describe("layout", () => {
  it("puts scalars first, then initialised arrays and literals (the data section), then zeroed arrays and buffers", () => {
    const { image } = compile(`
      uint8_t zeroArr[3];
      uint16_t a = 0x1234;
      uint8_t initArr[2] = {7, 8};
      uint8_t b;
      public void f(char* s) { SystemCall(Print, "x"); }
    `);
    // 0: reserved; a @1-2; b @3; initArr @4-5; "x" @6-7; zeroArr @8-10; buffer @11 (32 bytes).
    expect(Array.from(image.data)).toEqual([0, 0x34, 0x12, 0, 7, 8, 0x78]);
    expect(image.functions[0]!.stringBuffers).toEqual([{ address: 11, capacity: 32 }]);
    expect(image.memorySize).toBe(43);
  });
});
