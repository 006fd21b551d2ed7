// Tokens → syntax tree, by recursive descent with C's operator precedence.
// On a syntax error the parser reports it and skips to the next statement or
// declaration boundary, so one run reports every independent error.

import type * as ast from "./ast.js";
import type { DiagnosticBag, DiagnosticCode, Span } from "./diagnostics.js";
import { TYPE_KEYWORDS, type Token } from "./lexer.js";

const TYPE_NAMES = new Set<string>(TYPE_KEYWORDS);

/** Binary operators by precedence level, loosest first (C's table). */
const BINARY_LEVELS: readonly (readonly ast.BinaryOp[])[] = [
  ["||"],
  ["&&"],
  ["|"],
  ["^"],
  ["&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

const ASSIGN_OPS = new Set<string>(["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="]);

/** Thrown inside the parser only, to unwind to the nearest recovery point. */
class ParseAbort {
  constructor(readonly span: Span) {}
}

function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}

function describe(t: Token): string {
  if (t.kind === "eof") return "end of file";
  if (t.kind === "string") return "a string literal";
  if (t.kind === "int") return `'${t.text}'`;
  return `'${t.text}'`;
}

export interface ParseOptions {
  /** Parse an Aryl script: `On Event(...)` handlers, `for each`, `a.b` and `a.b(...)`; no `node` declarations. */
  aryl?: boolean;
}

class Parser {
  private pos = 0;
  /** Token index where the current statement or declaration began (the recovery point). */
  private unitStart = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly diags: DiagnosticBag,
    private readonly aryl: boolean,
  ) {}

  /** A contextual word (not a keyword, so it stays usable as a name elsewhere). */
  private isWord(word: string, at = 0): boolean {
    const t = this.peek(at);
    return t.kind === "ident" && t.text === word;
  }

  // ------------------------------------------------------------ token helpers

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }

  private peek(n = 1): Token {
    return this.tokens[Math.min(this.pos + n, this.tokens.length - 1)]!;
  }

  private is(text: string): boolean {
    const t = this.tok;
    return (t.kind === "punct" || t.kind === "keyword") && t.text === text;
  }

  private advance(): Token {
    const t = this.tok;
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  private accept(text: string): Token | undefined {
    return this.is(text) ? this.advance() : undefined;
  }

  private fail(code: DiagnosticCode, span: Span, ...args: string[]): never {
    // After a lexical error in this statement, a syntax error is most likely its echo.
    let echo = false;
    for (let i = this.unitStart; i <= this.pos && i < this.tokens.length; i++) echo ||= !!this.tokens[i]!.malformed;
    if (!echo) this.diags.report(code, span, ...args);
    throw new ParseAbort(span);
  }

  private expect(text: string, what = `'${text}'`): Token {
    if (this.is(text)) return this.advance();
    return this.fail("E0201", this.tok, what, describe(this.tok));
  }

  private ident(what = "a name"): ast.Identifier {
    const t = this.tok;
    if (t.kind !== "ident") this.fail("E0201", t, what, describe(t));
    this.advance();
    return { name: t.text, start: t.start, end: t.end };
  }

  private isTypeStart(): boolean {
    return this.tok.kind === "keyword" && TYPE_NAMES.has(this.tok.text);
  }

  private isDeclStart(): boolean {
    return this.isTypeStart() || this.is("const") || this.is("persistent");
  }

  private prevEnd(): number {
    return this.tokens[Math.max(0, this.pos - 1)]!.end;
  }

  // ------------------------------------------------------------ declarations

  parseProgram(): ast.Program {
    const declarations: ast.Declaration[] = [];
    while (this.tok.kind !== "eof") {
      const at = this.pos;
      this.unitStart = at;
      try {
        declarations.push(...this.topLevel());
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recoverTopLevel(at);
      }
    }
    return { declarations };
  }

  /** Skips to just after the next `;` or `}` at brace depth 0 (a likely declaration end). */
  private recoverTopLevel(startPos: number): void {
    if (this.pos === startPos) this.advance();
    let depth = 0;
    while (this.tok.kind !== "eof") {
      if (this.is("{")) depth++;
      else if (this.is("}")) {
        depth--;
        if (depth <= 0) {
          this.advance();
          return;
        }
      } else if (this.is(";") && depth === 0) {
        this.advance();
        return;
      }
      this.advance();
    }
  }

  private topLevel(): ast.Declaration[] {
    const start = this.tok.start;
    if (this.aryl && this.isWord("On") && this.peek().kind === "ident" && this.peek(2).text === "(") {
      this.advance();
      const name = this.ident();
      const returnType: ast.TypeRef = { name: "void", pointer: false, start, end: name.end };
      return [this.functionRest(start, "on", returnType, name)];
    }
    if (!this.aryl && this.isWord("node") && this.peek().kind === "keyword") {
      this.advance();
      return [this.nodeDecl(start)];
    }
    let modifier: ast.FunctionModifier = "helper";
    const mod = this.accept("public") ?? this.accept("deviceevent");
    if (mod) modifier = mod.text as ast.FunctionModifier;
    const isConst = !!this.accept("const");
    const isPersistent = !!this.accept("persistent");
    if (!this.isTypeStart()) {
      if (mod || isConst || isPersistent) this.fail("E0203", this.tok, describe(this.tok));
      this.fail("E0204", this.tok, describe(this.tok));
    }
    const type = this.typeRef();
    const name = this.ident();
    if (this.is("(")) {
      if (isPersistent) this.diags.report("E0205", { start, end: name.end }, "persistent");
      if (isConst) this.diags.report("E0205", { start, end: name.end }, "const");
      return [this.functionRest(start, modifier, type, name)];
    }
    if (mod) this.diags.report("E0205", mod, mod.text);
    const vars = this.declaratorsRest(start, type, name, isConst, isPersistent);
    this.expect(";");
    return vars;
  }

  /** After `node`: `T Name(params);`, a declaration without a body. */
  private nodeDecl(start: number): ast.NodeDecl {
    const returnType = this.typeRef();
    const name = this.ident();
    const params = this.paramList();
    this.expect(";");
    return { kind: "node", name, returnType, params, start, end: this.prevEnd() };
  }

  private paramList(): ast.Param[] {
    this.expect("(");
    const params: ast.Param[] = [];
    if (this.is("void") && this.peek().text === ")") this.advance();
    else if (!this.is(")")) {
      do params.push(this.param());
      while (this.accept(","));
    }
    this.expect(")");
    return params;
  }

  private typeRef(): ast.TypeRef {
    const t = this.tok;
    if (!this.isTypeStart()) this.fail("E0203", t, describe(t));
    this.advance();
    const name = t.text as ast.TypeKeyword;
    if (this.is("*")) {
      const star = this.advance();
      if (name !== "char") this.fail("E0206", join(t, star));
      if (this.is("*")) this.fail("E0206", join(t, this.tok));
      return { name, pointer: true, start: t.start, end: star.end };
    }
    return { name, pointer: false, start: t.start, end: t.end };
  }

  /** After `type name`: the rest of the first declarator, then `, name ...` ones. */
  private declaratorsRest(start: number, type: ast.TypeRef, first: ast.Identifier, isConst: boolean, isPersistent: boolean): ast.VarDecl[] {
    const vars = [this.declarator(start, type, first, isConst, isPersistent)];
    while (this.accept(",")) {
      const name = this.ident();
      vars.push(this.declarator(name.start, type, name, isConst, isPersistent));
    }
    return vars;
  }

  private declarator(start: number, type: ast.TypeRef, name: ast.Identifier, isConst: boolean, isPersistent: boolean): ast.VarDecl {
    let arraySize: ast.Expr | "infer" | undefined;
    let arraySpan: Span | undefined;
    if (this.is("[")) {
      const open = this.advance();
      arraySize = this.is("]") ? "infer" : this.expression();
      const close = this.expect("]");
      arraySpan = join(open, close);
    }
    let init: ast.Initializer | undefined;
    if (this.accept("=")) init = this.is("{") ? this.listInitializer() : this.assignment();
    return { kind: "var", name, type, isConst, isPersistent, arraySize, arraySpan, init, start, end: this.prevEnd() };
  }

  private listInitializer(): ast.ListInitializer {
    const open = this.expect("{");
    const items: ast.Expr[] = [];
    while (!this.is("}")) {
      items.push(this.assignment());
      if (!this.accept(",")) break;
    }
    const close = this.expect("}");
    return { kind: "list", items, start: open.start, end: close.end };
  }

  private functionRest(start: number, modifier: ast.FunctionModifier, returnType: ast.TypeRef, name: ast.Identifier): ast.FunctionDecl {
    const params = this.paramList();
    const body = this.block();
    return { kind: "function", modifier, name, returnType, params, body, start, end: body.end };
  }

  private param(): ast.Param {
    const start = this.tok.start;
    const isConst = !!this.accept("const");
    const type = this.typeRef();
    const name = this.ident("a parameter name");
    let arraySize: ast.Expr | undefined;
    let arraySpan: Span | undefined;
    if (this.is("[")) {
      const open = this.advance();
      if (this.is("]")) this.fail("E0202", this.tok, describe(this.tok));
      arraySize = this.expression();
      arraySpan = join(open, this.expect("]"));
    }
    return { name, type, isConst, arraySize, arraySpan, start, end: this.prevEnd() };
  }

  // -------------------------------------------------------------- statements

  private block(): ast.Block {
    const open = this.expect("{");
    const statements: ast.Stmt[] = [];
    while (!this.is("}") && this.tok.kind !== "eof") {
      const at = this.pos;
      this.unitStart = at;
      try {
        statements.push(this.statement());
      } catch (e) {
        if (!(e instanceof ParseAbort)) throw e;
        this.recoverStatement(at);
      }
    }
    const close = this.expect("}");
    return { kind: "block", statements, closeSpan: { start: close.start, end: close.end }, start: open.start, end: close.end };
  }

  /** Skips past the next `;` in this block, or up to its `}`; nested braces are skipped whole. */
  private recoverStatement(startPos: number): void {
    if (this.pos === startPos && !this.is("}")) this.advance();
    let depth = 0;
    while (this.tok.kind !== "eof") {
      if (this.is("{")) depth++;
      else if (this.is("}")) {
        if (depth === 0) return;
        depth--;
        if (depth === 0) {
          this.advance();
          return;
        }
      } else if (this.is(";") && depth === 0) {
        this.advance();
        return;
      }
      this.advance();
    }
  }

  private statement(): ast.Stmt {
    const t = this.tok;
    if (this.is("{")) return this.block();
    if (this.is(";")) {
      this.advance();
      return { kind: "empty", start: t.start, end: t.end };
    }
    if (this.isDeclStart()) {
      const d = this.declStatement();
      this.expect(";");
      return { ...d, end: this.prevEnd() };
    }
    if (t.kind === "keyword") {
      switch (t.text) {
        case "if": {
          this.advance();
          this.expect("(");
          const cond = this.expression();
          this.expect(")");
          const then = this.statement();
          const otherwise = this.accept("else") ? this.statement() : undefined;
          return { kind: "if", cond, then, else: otherwise, start: t.start, end: this.prevEnd() };
        }
        case "while": {
          this.advance();
          this.expect("(");
          const cond = this.expression();
          this.expect(")");
          const body = this.statement();
          return { kind: "while", cond, body, start: t.start, end: this.prevEnd() };
        }
        case "do": {
          this.advance();
          const body = this.statement();
          this.expect("while", "'while'");
          this.expect("(");
          const cond = this.expression();
          this.expect(")");
          this.expect(";");
          return { kind: "do", body, cond, start: t.start, end: this.prevEnd() };
        }
        case "for":
          return this.aryl && this.isWord("each", 1) ? this.forEachStatement() : this.forStatement();
        case "break":
        case "continue":
          this.advance();
          this.expect(";");
          return { kind: t.text, start: t.start, end: t.end };
        case "return": {
          this.advance();
          const value = this.is(";") ? undefined : this.expression();
          this.expect(";");
          return { kind: "return", value, start: t.start, end: this.prevEnd() };
        }
        case "public":
        case "deviceevent":
          this.fail("E0205", t, t.text);
      }
    }
    const expr = this.expression();
    this.expect(";");
    return { kind: "expr", expr, start: expr.start, end: this.prevEnd() };
  }

  private declStatement(): ast.DeclStmt {
    const start = this.tok.start;
    const isConst = !!this.accept("const");
    const persistent = this.accept("persistent");
    if (persistent) this.diags.report("E0205", persistent, "persistent");
    const type = this.typeRef();
    const name = this.ident();
    const vars = this.declaratorsRest(start, type, name, isConst, false);
    return { kind: "decl", vars, start, end: this.prevEnd() };
  }

  private forStatement(): ast.ForStmt {
    const t = this.advance();
    this.expect("(");
    let init: ast.DeclStmt | ast.ExprStmt[] | undefined;
    if (!this.is(";")) {
      if (this.isDeclStart()) init = this.declStatement();
      else init = this.commaList().map((expr) => ({ kind: "expr", expr, start: expr.start, end: expr.end }));
    }
    this.expect(";");
    const cond = this.is(";") ? undefined : this.expression();
    this.expect(";");
    const step = this.is(")") ? [] : this.commaList();
    this.expect(")");
    const body = this.statement();
    return { kind: "for", init, cond, step, body, start: t.start, end: this.prevEnd() };
  }

  /** Aryl: `for each (name in collection) body`. */
  private forEachStatement(): ast.ForEachStmt {
    const t = this.advance();
    this.advance(); // each
    this.expect("(");
    const variable = this.ident("a loop variable name");
    if (!this.isWord("in")) this.fail("E0201", this.tok, "'in'", describe(this.tok));
    this.advance();
    const collection = this.expression();
    this.expect(")");
    const body = this.statement();
    return { kind: "foreach", variable, collection, body, start: t.start, end: this.prevEnd() };
  }

  /** `e, e, ...` in a for loop's init and step. */
  private commaList(): ast.Expr[] {
    const list = [this.expression()];
    while (this.accept(",")) list.push(this.expression());
    return list;
  }

  // ------------------------------------------------------------- expressions

  expression(): ast.Expr {
    return this.assignment();
  }

  private assignment(): ast.Expr {
    const target = this.conditional();
    const t = this.tok;
    if (t.kind === "punct" && ASSIGN_OPS.has(t.text)) {
      this.advance();
      const value = this.assignment();
      return { kind: "assign", op: t.text as ast.AssignOp, opSpan: { start: t.start, end: t.end }, target, value, start: target.start, end: value.end };
    }
    return target;
  }

  private conditional(): ast.Expr {
    const cond = this.binary(0);
    if (!this.accept("?")) return cond;
    const then = this.expression();
    this.expect(":");
    const otherwise = this.conditional();
    return { kind: "conditional", cond, then, else: otherwise, start: cond.start, end: otherwise.end };
  }

  private binary(level: number): ast.Expr {
    if (level >= BINARY_LEVELS.length) return this.unary();
    const ops = BINARY_LEVELS[level]!;
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.tok;
      if (t.kind !== "punct" || !(ops as readonly string[]).includes(t.text)) return left;
      this.advance();
      const right = this.binary(level + 1);
      left = { kind: "binary", op: t.text as ast.BinaryOp, opSpan: { start: t.start, end: t.end }, left, right, start: left.start, end: right.end };
    }
  }

  private unary(): ast.Expr {
    const t = this.tok;
    if (t.kind === "punct") {
      if (t.text === "++" || t.text === "--") {
        this.advance();
        const target = this.unary();
        return { kind: "incdec", op: t.text, prefix: true, target, start: t.start, end: target.end };
      }
      if (t.text === "-" || t.text === "+" || t.text === "!" || t.text === "~") {
        this.advance();
        const operand = this.unary();
        return { kind: "unary", op: t.text, operand, start: t.start, end: operand.end };
      }
      if (t.text === "(" && this.peek().kind === "keyword" && TYPE_NAMES.has(this.peek().text)) {
        this.advance();
        const type = this.typeRef();
        this.expect(")");
        const operand = this.unary();
        return { kind: "cast", type, operand, start: t.start, end: operand.end };
      }
    }
    return this.postfix(this.primary());
  }

  private postfix(e: ast.Expr): ast.Expr {
    for (;;) {
      const t = this.tok;
      if (this.is("[")) {
        this.advance();
        const index = this.expression();
        const close = this.expect("]");
        e = { kind: "index", base: e, index, start: e.start, end: close.end };
      } else if (this.aryl && this.is(".")) {
        this.advance();
        const member = this.ident("a member name");
        if (this.is("(")) {
          const { args, end } = this.args();
          e = { kind: "method", object: e, method: member, args, start: e.start, end };
        } else {
          e = { kind: "member", object: e, member, start: e.start, end: member.end };
        }
      } else if (this.is("++") || this.is("--")) {
        this.advance();
        e = { kind: "incdec", op: t.text as "++" | "--", prefix: false, target: e, start: e.start, end: t.end };
      } else if (this.is("(")) {
        this.fail("E0305", e, e.kind === "name" ? e.name : "this expression");
      } else {
        return e;
      }
    }
  }

  private args(): { args: ast.Expr[]; end: number } {
    this.expect("(");
    const args: ast.Expr[] = [];
    if (!this.is(")")) {
      do args.push(this.assignment());
      while (this.accept(","));
    }
    const close = this.expect(")");
    return { args, end: close.end };
  }

  private primary(): ast.Expr {
    const t = this.tok;
    switch (t.kind) {
      case "int":
        this.advance();
        return { kind: "int", value: t.intValue ?? 0n, start: t.start, end: t.end };
      case "char":
        this.advance();
        return { kind: "char", value: t.charValue ?? 0, start: t.start, end: t.end };
      case "string": {
        // Adjacent literals concatenate, as in C.
        const parts: number[] = [];
        let end = t.end;
        while (this.tok.kind === "string") {
          parts.push(...this.tok.bytes!);
          end = this.tok.end;
          this.advance();
        }
        return { kind: "string", bytes: Uint8Array.from(parts), start: t.start, end };
      }
      case "ident": {
        this.advance();
        if (this.is("(")) {
          const { args, end } = this.args();
          return { kind: "call", callee: { name: t.text, start: t.start, end: t.end }, args, start: t.start, end };
        }
        return { kind: "name", name: t.text, start: t.start, end: t.end };
      }
      case "keyword":
        if (t.text === "true" || t.text === "false") {
          this.advance();
          return { kind: "bool", value: t.text === "true", start: t.start, end: t.end };
        }
        if (t.text === "this") {
          this.advance();
          this.expect(".");
          const name = this.ident("a global variable name");
          return { kind: "this", name, start: t.start, end: name.end };
        }
        if (t.text === "SystemCall") {
          this.advance();
          const { args, end } = this.args();
          const first = args[0];
          const name = first?.kind === "name" ? { name: first.name, start: first.start, end: first.end } : undefined;
          return { kind: "syscall", name, args: name ? args.slice(1) : args, start: t.start, end };
        }
        break;
      case "punct":
        if (t.text === "(") {
          this.advance();
          const e = this.expression();
          const close = this.expect(")");
          // Keep the parentheses in the span so messages point at what was written.
          return { ...e, start: t.start, end: close.end };
        }
        break;
      default:
        break;
    }
    return this.fail("E0202", t, describe(t));
  }
}

/** Parses a token list (ending with `eof`) into a program; syntax errors go to `diags`. */
export function parse(tokens: Token[], diags: DiagnosticBag, options: ParseOptions = {}): ast.Program {
  return new Parser(tokens, diags, options.aryl ?? false).parseProgram();
}
