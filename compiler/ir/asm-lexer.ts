// Splits one line of Alkyl IR assembly into tokens with their columns. The
// lexer knows only the punctuation; what an atom means (mnemonic, number,
// label, type, symbol) is decided by the parser from its position.

export interface Token {
  kind: "atom" | "string" | "punct";
  /** For strings, the decoded bytes as characters (code points 0..255). */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

export interface LexError {
  column: number;
  message: string;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; error: LexError };

const PUNCTUATION = "(),:";
/** The result arrow of a signature, `f(uint8) -> uint16`. */
const ARROW = "->";
const SPACE = /\s/;
const ESCAPES: Record<string, number> = { n: 0x0a, t: 0x09, r: 0x0d, "0": 0x00, "\\": 0x5c, '"': 0x22 };

/** Tokens of one line; everything from a `;` outside a string is a comment. */
export function lexLine(line: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ";") break;
    if (SPACE.test(c)) {
      i++;
    } else if (PUNCTUATION.includes(c)) {
      tokens.push({ kind: "punct", text: c, column: i + 1 });
      i++;
    } else if (line.startsWith(ARROW, i)) {
      tokens.push({ kind: "punct", text: ARROW, column: i + 1 });
      i += ARROW.length;
    } else if (c === '"') {
      const s = lexString(line, i);
      if (!s.ok) return s;
      tokens.push(s.token);
      i = s.end;
    } else {
      const start = i;
      while (i < line.length && !endsAtom(line, i)) i++;
      tokens.push({ kind: "atom", text: line.slice(start, i), column: start + 1 });
    }
  }
  return { ok: true, tokens };
}

function endsAtom(line: string, i: number): boolean {
  const c = line[i]!;
  return SPACE.test(c) || PUNCTUATION.includes(c) || c === ";" || c === '"' || line.startsWith(ARROW, i);
}

function lexString(line: string, start: number): { ok: true; token: Token; end: number } | { ok: false; error: LexError } {
  let text = "";
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (c === '"') return { ok: true, token: { kind: "string", text, column: start + 1 }, end: i + 1 };
    if (c === "\\") {
      const e = line[i + 1];
      if (e === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
        text += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      const code = e === undefined ? undefined : ESCAPES[e];
      if (code === undefined) return { ok: false, error: { column: i + 1, message: `unknown escape '\\${e ?? ""}' in string (use \\n \\t \\r \\0 \\\\ \\" or \\xNN)` } };
      text += String.fromCharCode(code);
      i += 2;
      continue;
    }
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) return { ok: false, error: { column: i + 1, message: "only printable ASCII may appear in a string; write other bytes as \\xNN" } };
    text += c;
    i++;
  }
  return { ok: false, error: { column: start + 1, message: "unterminated string" } };
}
