import { describe, expect, it } from "vitest";
import { parseTypeName, type ValueType } from "../../compiler/ir/types.js";
import { parseInvocation, type Literal } from "../../compiler/run/literals.js";
import { formatValue, literalToRaw } from "../../compiler/run/values.js";

function t(name: string): ValueType {
  return parseTypeName(name)!;
}

function lit(text: string): Literal {
  const r = parseInvocation(`F(${text})`);
  if (!r.ok) throw new Error(r.message);
  return r.value.args[0]!;
}

describe("argument conversion", () => {
  it("converts negative values to two's complement raw values", () => {
    expect(literalToRaw(lit("-1"), t("int8"))).toEqual({ ok: true, value: 255 });
    expect(literalToRaw(lit("-1"), t("int64"))).toEqual({ ok: true, value: (1n << 64n) - 1n });
  });

  it("refuses values outside the type's range", () => {
    expect(literalToRaw(lit("256"), t("uint8"))).toEqual({ ok: false, message: "256 does not fit uint8_t" });
    expect(literalToRaw(lit("-129"), t("int8"))).toEqual({ ok: false, message: "-129 does not fit int8_t" });
    expect(literalToRaw(lit("-1"), t("uint32"))).toEqual({ ok: false, message: "-1 does not fit uint32_t" });
  });

  it("accepts the full 256-bit range", () => {
    const max = (1n << 256n) - 1n;
    expect(literalToRaw(lit("0x" + "f".repeat(64)), t("uint256"))).toEqual({ ok: true, value: max });
  });

  it("keeps bools, chars and strings apart from integers", () => {
    expect(literalToRaw(lit("1"), t("bool")).ok).toBe(false);
    expect(literalToRaw(lit("'x'"), t("char"))).toEqual({ ok: true, value: 0x78 });
    expect(literalToRaw(lit("5"), t("string")).ok).toBe(false);
  });
});

describe("value formatting", () => {
  it("prints signed types negative where negative", () => {
    expect(formatValue(0xff, t("int8"))).toBe("-1");
    expect(formatValue(0xff, t("uint8"))).toBe("255");
    expect(formatValue((1n << 256n) - 1n, t("int256"))).toBe("-1");
  });

  it("prints bools, chars and strings in source syntax", () => {
    expect(formatValue(1, t("bool"))).toBe("true");
    expect(formatValue(0x27, t("char"))).toBe("'\\''");
    expect(formatValue(Uint8Array.from([104, 105, 10]), t("string"))).toBe('"hi\\n"');
  });
});
