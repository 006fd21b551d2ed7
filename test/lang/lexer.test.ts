import { describe, expect, it } from "vitest";
import { DiagnosticBag } from "../../compiler/lang/diagnostics.js";
import { lex, type Token } from "../../compiler/lang/lexer.js";

function tokens(src: string): { toks: Token[]; errors: number } {
  const diags = new DiagnosticBag();
  const toks = lex(src, diags);
  return { toks: toks.slice(0, -1), errors: diags.count };
}

describe("lexer", () => {
  it("reads decimal, hex and binary literals of up to 256 bits", () => {
    const { toks, errors } = tokens("42 0xFF 0b1010 0x" + "f".repeat(64));
    expect(errors).toBe(0);
    expect(toks.map((t) => t.intValue)).toEqual([42n, 255n, 10n, (1n << 256n) - 1n]);
  });

  it("rejects literal suffixes and malformed numbers", () => {
    expect(tokens("10u").errors).toBe(1);
    expect(tokens("0b102").errors).toBe(1);
    expect(tokens("012").errors).toBe(1);
  });

  it("decodes character escapes", () => {
    const { toks, errors } = tokens(String.raw`'a' '\n' '\0' '\\' '\'' '\x41' '\t'`);
    expect(errors).toBe(0);
    expect(toks.map((t) => t.charValue)).toEqual([97, 10, 0, 92, 39, 0x41, 9]);
  });

  it("encodes string literals as UTF-8 bytes without the NUL", () => {
    const { toks } = tokens(String.raw`"a\x00b" "é"`);
    expect(Array.from(toks[0]!.bytes!)).toEqual([0x61, 0, 0x62]);
    expect(Array.from(toks[1]!.bytes!)).toEqual([0xc3, 0xa9]);
  });

  it("takes the longest punctuator", () => {
    expect(tokens("a<<=b>>c<=d").toks.map((t) => t.text)).toEqual(["a", "<<=", "b", ">>", "c", "<=", "d"]);
  });

  it("skips both kinds of comment and keeps offsets of the source", () => {
    const { toks } = tokens("// one\n/* two */ x");
    expect(toks).toHaveLength(1);
    expect(toks[0]).toMatchObject({ kind: "ident", text: "x", start: 17, end: 18 });
  });

  it("tells keywords and type names from identifiers", () => {
    expect(tokens("uint8_t deviceevent SystemCall index").toks.map((t) => t.kind)).toEqual(["keyword", "keyword", "keyword", "ident"]);
  });
});
