// Alkyl source text → tokens. Positions are offsets into the source string (the
// diagnostics turn them into lines and columns). A lexical error is reported
// and the lexer goes on, so one pass finds every bad token.

import type { DiagnosticBag, Span } from "./diagnostics.js";

export type TokenKind = "ident" | "keyword" | "int" | "char" | "string" | "punct" | "invalid" | "eof";

export interface Token extends Span {
  kind: TokenKind;
  /** The token's text; for literals, the source spelling. */
  text: string;
  /** Integer literals: the value. */
  intValue?: bigint;
  /** Character literals: the byte. */
  charValue?: number;
  /** String literals: the bytes (UTF-8), without the terminating NUL. */
  bytes?: Uint8Array;
  /** A lexical error was reported here: the parser stays quiet about what follows in the same statement. */
  malformed?: boolean;
}

export const TYPE_KEYWORDS = [
  "void", "bool", "char", "string", "time_t",
  "int8_t", "int16_t", "int32_t", "int64_t", "int256_t",
  "uint8_t", "uint16_t", "uint32_t", "uint64_t", "uint256_t",
] as const;

const KEYWORDS = new Set<string>([
  ...TYPE_KEYWORDS,
  "if", "else", "while", "for", "do", "break", "continue", "return",
  "public", "deviceevent", "const", "persistent", "this", "true", "false", "SystemCall",
]);

// Longest first, so that `<<=` wins over `<<` and `<`.
const PUNCTUATORS = [
  "<<=", ">>=",
  "++", "--", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
  "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "=", "<", ">", "?", ":", ";", ",", ".", "(", ")", "[", "]", "{", "}",
];

const MAX_LITERAL = (1n << 256n) - 1n;

const SIMPLE_ESCAPES: Record<string, number> = {
  n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, "\\": 92, "'": 39, '"': 34, "?": 63,
};

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= "0" && c <= "9");
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

class Lexer {
  private pos = 0;
  readonly tokens: Token[] = [];

  constructor(
    private readonly src: string,
    private readonly diags: DiagnosticBag,
  ) {}

  run(): Token[] {
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.src.length) break;
      this.next();
    }
    this.tokens.push({ kind: "eof", text: "end of file", start: this.src.length, end: this.src.length });
    return this.tokens;
  }

  private skipTrivia(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") {
        this.pos++;
      } else if (c === "/" && s[this.pos + 1] === "/") {
        while (this.pos < s.length && s[this.pos] !== "\n") this.pos++;
      } else if (c === "/" && s[this.pos + 1] === "*") {
        const end = s.indexOf("*/", this.pos + 2);
        if (end < 0) {
          this.diags.report("E0108", { start: this.pos, end: this.pos + 2 });
          this.pos = s.length;
        } else {
          this.pos = end + 2;
        }
      } else {
        return;
      }
    }
  }

  private push(kind: TokenKind, start: number, extra: Partial<Token> = {}): void {
    this.tokens.push({ kind, text: this.src.slice(start, this.pos), start, end: this.pos, ...extra });
  }

  private next(): void {
    const s = this.src;
    const start = this.pos;
    const c = s[start]!;
    if (isIdentStart(c)) {
      while (this.pos < s.length && isIdentPart(s[this.pos]!)) this.pos++;
      const text = s.slice(start, this.pos);
      this.push(KEYWORDS.has(text) ? "keyword" : "ident", start);
      return;
    }
    if (isDigit(c)) return this.number(start);
    if (c === "'") return this.charLiteral(start);
    if (c === '"') return this.stringLiteral(start);
    for (const p of PUNCTUATORS) {
      if (s.startsWith(p, start)) {
        this.pos += p.length;
        this.push("punct", start);
        return;
      }
    }
    const cp = s.codePointAt(start)!;
    const width = cp > 0xffff ? 2 : 1;
    this.pos += width;
    this.diags.report("E0101", { start, end: this.pos }, s.slice(start, this.pos));
    this.push("invalid", start, { malformed: true });
  }

  private number(start: number): void {
    const s = this.src;
    while (this.pos < s.length && isIdentPart(s[this.pos]!)) this.pos++;
    const text = s.slice(start, this.pos);
    const span = { start, end: this.pos };
    let value: bigint | undefined;
    const digits = text.replace(/_/g, "");
    if (/^0[xX][0-9a-fA-F]+$/.test(digits)) value = BigInt(digits);
    else if (/^0[bB][01]+$/.test(digits)) value = BigInt(digits);
    else if (/^(0|[1-9][0-9]*)$/.test(digits)) value = BigInt(digits);
    let malformed = true;
    if (value === undefined || text.includes("__") || text.endsWith("_")) {
      this.diags.report("E0107", span, text);
      value = 0n;
    } else if (value > MAX_LITERAL) {
      this.diags.report("E0106", span, text);
      value = 0n;
    } else {
      malformed = false;
    }
    this.push("int", start, { intValue: value, malformed });
  }

  /**
   * Reads one (possibly escaped) character at the current position and returns
   * its bytes; `undefined` at a line end or the end of the text.
   */
  private literalChar(): number[] | undefined {
    const s = this.src;
    const c = s[this.pos];
    if (c === undefined || c === "\n") return undefined;
    if (c !== "\\") {
      const cp = s.codePointAt(this.pos)!;
      this.pos += cp > 0xffff ? 2 : 1;
      return Array.from(new TextEncoder().encode(String.fromCodePoint(cp)));
    }
    const escStart = this.pos;
    this.pos++;
    const e = s[this.pos];
    if (e === undefined || e === "\n") return undefined;
    this.pos++;
    if (e in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[e]!];
    if (e === "x") {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(this.pos, this.pos + 2));
      if (m) {
        this.pos += m[0].length;
        return [parseInt(m[0], 16)];
      }
    } else if (e >= "0" && e <= "7") {
      const m = /^[0-7]{1,3}/.exec(s.slice(this.pos - 1, this.pos + 2))!;
      this.pos += m[0].length - 1;
      const v = parseInt(m[0], 8);
      if (v <= 255) return [v];
    }
    this.diags.report("E0104", { start: escStart, end: this.pos }, s.slice(escStart + 1, this.pos));
    return [0];
  }

  private charLiteral(start: number): void {
    const errorsBefore = this.diags.count;
    this.pos++;
    const bytes: number[] = [];
    let chars = 0;
    while (this.src[this.pos] !== "'") {
      const b = this.literalChar();
      if (b === undefined) {
        this.diags.report("E0103", { start, end: this.pos });
        this.push("char", start, { charValue: 0, malformed: true });
        return;
      }
      bytes.push(...b);
      chars++;
    }
    this.pos++;
    const span = { start, end: this.pos };
    if (chars !== 1) this.diags.report("E0105", span);
    else if (bytes.length !== 1) this.diags.report("E0109", span, this.src.slice(start + 1, this.pos - 1));
    this.push("char", start, { charValue: bytes[0] ?? 0, malformed: this.diags.count > errorsBefore });
  }

  private stringLiteral(start: number): void {
    const errorsBefore = this.diags.count;
    this.pos++;
    const bytes: number[] = [];
    while (this.src[this.pos] !== '"') {
      const b = this.literalChar();
      if (b === undefined) {
        this.diags.report("E0102", { start, end: this.pos });
        this.push("string", start, { bytes: Uint8Array.from(bytes), malformed: true });
        return;
      }
      bytes.push(...b);
    }
    this.pos++;
    this.push("string", start, { bytes: Uint8Array.from(bytes), malformed: this.diags.count > errorsBefore });
  }
}

/** Splits source text into tokens; the last token is always `eof`. */
export function lex(source: string, diags: DiagnosticBag): Token[] {
  return new Lexer(source, diags).run();
}
