// The typing rules of docs/language.md §4, one behaviour per test: what
// converts implicitly, what needs a cast, how untyped constants get a type.

import { describe, expect, it } from "vitest";
import { Device, compile, errorOf } from "./helpers.js";

function fn(body: string, ret = "void", params = ""): string {
  return `public ${ret} f(${params}) { ${body} }`;
}

describe("implicit conversions", () => {
  it("widens unsigned to wider unsigned and signed to wider signed", () => {
    expect(() => compile(fn("uint32_t a = x; int64_t b = y;", "void", "uint8_t x, int16_t y"))).not.toThrow();
  });

  it("widens unsigned into a strictly wider signed type", () => {
    expect(() => compile(fn("int16_t a = x;", "void", "uint8_t x"))).not.toThrow();
  });

  it("refuses signed into unsigned, even wider", () => {
    expect(errorOf(fn("uint32_t a = x;", "void", "int8_t x"))).toBe("narrowing conversion from 'int8_t' to 'uint32_t' needs a cast");
  });

  it("refuses unsigned into signed of the same width", () => {
    expect(errorOf(fn("int8_t a = x;", "void", "uint8_t x"))).toBe("narrowing conversion from 'uint8_t' to 'int8_t' needs a cast");
  });

  it("treats char and uint8_t as interchangeable", () => {
    expect(() => compile(fn("uint8_t a = c; char d = a; uint16_t e = c;", "void", "char c"))).not.toThrow();
  });

  it("treats time_t as uint32_t", () => {
    expect(() => compile(fn("uint32_t a = t; time_t b = a;", "void", "time_t t"))).not.toThrow();
  });

  it("converts bool and integers only with a cast", () => {
    expect(errorOf(fn("bool b = x;", "void", "uint8_t x"))).toBe("cannot convert 'uint8_t' to 'bool'");
    expect(() => compile(fn("bool b = (bool)x; uint8_t y = (uint8_t)b;", "void", "uint8_t x"))).not.toThrow();
  });

  it("makes (bool)x mean x != 0", () => {
    const d = Device.of(fn("return (bool)x;", "bool", "uint16_t x"));
    expect(d.value("f", 0x100)).toBe(1n);
    expect(d.value("f", 0)).toBe(0n);
  });

  it("truncates and extends in casts as C does", () => {
    const d = Device.of(`
      public uint8_t low(uint32_t x) { return (uint8_t)x; }
      public int32_t ext(int8_t x) { return (int32_t)x; }
      public uint32_t sextThenRetype(int8_t x) { return (uint32_t)x; }
    `);
    expect(d.value("low", 0x12345678)).toBe(0x78n);
    expect(d.value("ext", 0xff)).toBe(0xffffffffn);
    expect(d.value("sextThenRetype", 0x80)).toBe(0xffffff80n);
  });
});

describe("untyped integer constants", () => {
  it("take the type of the other operand and must fit it", () => {
    expect(errorOf(fn("return x + 300;", "uint8_t", "uint8_t x"))).toBe("constant 300 does not fit in 'uint8_t'");
  });

  it("are folded exactly before they get a type", () => {
    const d = Device.of(fn("return (1 << 40) >> 38;", "uint8_t"));
    expect(d.value("f")).toBe(4n);
  });

  it("default to int32_t with no context", () => {
    const d = Device.of(fn("return (uint8_t)(-1 >> 1);", "uint8_t"));
    expect(d.value("f")).toBe(0xffn);
  });

  it("take the expected type when shifted by a variable", () => {
    const d = Device.of(fn("uint64_t m = 1 << n; return m;", "uint64_t", "uint8_t n"));
    expect(d.value("f", 40)).toBe(1n << 40n);
  });

  it("may be negative only for signed types", () => {
    expect(errorOf(fn("return x == -1;", "bool", "uint16_t x"))).toBe("constant -1 does not fit in 'uint16_t'");
  });

  it("may be as large as 256 bits", () => {
    const d = Device.of(fn("return 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;", "uint256_t"));
    expect(d.value("f")).toBe((1n << 256n) - 1n);
  });
});

describe("operators", () => {
  it("need a cast to mix signedness at the same width", () => {
    expect(errorOf(fn("return a < b;", "bool", "int16_t a, uint16_t b"))).toBe(
      "operands 'int16_t' and 'uint16_t' mix signed and unsigned values of the same width; add a cast",
    );
  });

  it("do not order booleans", () => {
    expect(errorOf(fn("return a < b;", "bool", "bool a, bool b"))).toBe("operator '<' cannot be applied to 'bool' and 'bool'");
  });

  it("allow &, | and ^ on booleans", () => {
    const d = Device.of(fn("return a ^ b;", "bool", "bool a, bool b"));
    expect(d.value("f", true, false)).toBe(1n);
    expect(d.value("f", true, true)).toBe(0n);
  });

  it("require the compound assignment's value to fit the target", () => {
    expect(errorOf(fn("x += y;", "void", "uint8_t x, uint16_t y"))).toBe("narrowing conversion from 'uint16_t' to 'uint8_t' needs a cast");
  });

  it("forbid ++ on a bool", () => {
    expect(errorOf(fn("b++;", "void", "bool b"))).toBe("operator '++' cannot be applied to 'bool'");
  });
});

describe("names", () => {
  it("reach a shadowed global with this.", () => {
    const d = Device.of("uint8_t v = 7; public uint8_t f(uint8_t v) { return this.v + v; }");
    expect(d.value("f", 1)).toBe(8n);
  });

  it("refuse a local redeclared in the same scope as the parameters", () => {
    expect(errorOf(fn("uint8_t x = 1;", "void", "uint8_t x"))).toBe("'x' is already defined");
  });

  it("start a local's scope after its own initialiser", () => {
    const d = Device.of(fn("{ uint8_t x = x + 1; return x; }", "uint8_t", "uint8_t x"));
    expect(d.value("f", 4)).toBe(5n);
  });

  it("fold const locals and allow them as array sizes", () => {
    expect(() => compile(fn("const uint8_t N = 3; uint8_t a[N * 2]; a[5] = 1;"))).not.toThrow();
  });
});

describe("const", () => {
  it("forbids writing through a const char*", () => {
    expect(errorOf('const char* NAME = "lock"; public void f() { NAME[0] = \'L\'; }')).toBe("cannot assign to const 'NAME'");
  });

  it("forbids writing a const array's elements", () => {
    expect(errorOf("const uint8_t T[2] = {1, 2}; public void f(uint8_t i) { T[i]++; }")).toBe("cannot assign to const 'T'");
  });
});
