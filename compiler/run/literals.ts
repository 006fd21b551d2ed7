// Parsing of step arguments as a user writes them on the command line or in a
// steps file: integers (decimal or 0x hex, negative allowed), true/false,
// 'c' characters and "double-quoted" strings, with C escapes.

export type Literal =
  | { kind: "int"; value: bigint; text: string }
  | { kind: "bool"; value: boolean; text: string }
  | { kind: "char"; value: number; text: string }
  | { kind: "string"; value: Uint8Array; text: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, "0": 0, "\\": 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };

/** Reads one escaped character at s[i] (after the quote); returns the byte and the next index. */
function readChar(s: string, i: number): Parsed<[number, number]> {
  const c = s[i];
  if (c === undefined) return { ok: false, message: "unterminated literal" };
  if (c !== "\\") {
    const code = c.charCodeAt(0);
    if (code > 0x7e || code < 0x20) return { ok: false, message: `character U+${code.toString(16).padStart(4, "0")} is not printable ASCII (use \\xNN)` };
    return { ok: true, value: [code, i + 1] };
  }
  const e = s[i + 1];
  if (e === "x") {
    const hex = /^[0-9a-fA-F]{2}/.exec(s.slice(i + 2));
    if (!hex) return { ok: false, message: "\\x needs two hex digits" };
    return { ok: true, value: [parseInt(hex[0], 16), i + 4] };
  }
  if (e !== undefined && e in SIMPLE_ESCAPES) return { ok: true, value: [SIMPLE_ESCAPES[e]!, i + 2] };
  return { ok: false, message: `unknown escape \\${e ?? ""}` };
}

export function parseLiteral(text: string): Parsed<Literal> {
  if (text === "true" || text === "false") return { ok: true, value: { kind: "bool", value: text === "true", text } };
  if (/^-?(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(text)) {
    const neg = text.startsWith("-");
    const digits = neg ? text.slice(1) : text;
    const v = BigInt(digits);
    return { ok: true, value: { kind: "int", value: neg ? -v : v, text } };
  }
  if (text.startsWith("'")) {
    const ch = readChar(text, 1);
    if (!ch.ok) return ch;
    const [byte, next] = ch.value;
    if (text[next] !== "'" || next + 1 !== text.length) return { ok: false, message: `bad character literal ${text}` };
    return { ok: true, value: { kind: "char", value: byte, text } };
  }
  if (text.startsWith('"')) {
    const bytes: number[] = [];
    let i = 1;
    while (i < text.length && text[i] !== '"') {
      const ch = readChar(text, i);
      if (!ch.ok) return ch;
      bytes.push(ch.value[0]);
      i = ch.value[1];
    }
    if (i !== text.length - 1) return { ok: false, message: `bad string literal ${text}` };
    return { ok: true, value: { kind: "string", value: Uint8Array.from(bytes), text } };
  }
  return { ok: false, message: `cannot read argument '${text}' (expected an integer, true/false, 'c' or "string")` };
}

/** Splits "a, 'x', \"s,t\"" at top-level commas, respecting quotes and escapes. */
function splitArgs(s: string): Parsed<string[]> {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      cur += c;
      if (c === "\\" && i + 1 < s.length) cur += s[++i];
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur += c;
    } else if (c === ",") {
      out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (quote) return { ok: false, message: `unterminated ${quote === '"' ? "string" : "character"} literal` };
  if (cur.trim() !== "" || out.length > 0) out.push(cur.trim());
  if (out.some((a) => a === "")) return { ok: false, message: "empty argument" };
  return { ok: true, value: out };
}

/** Parses `Name(arg, ...)` (the parentheses may be omitted when there are no arguments). */
export function parseInvocation(text: string): Parsed<{ name: string; args: Literal[] }> {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$/s.exec(text);
  if (!m) return { ok: false, message: `expected Name(args...), got '${text}'` };
  const parts = splitArgs(m[2] ?? "");
  if (!parts.ok) return parts;
  const args: Literal[] = [];
  for (const p of parts.value) {
    const lit = parseLiteral(p);
    if (!lit.ok) return lit;
    args.push(lit.value);
  }
  return { ok: true, value: { name: m[1]!, args } };
}
