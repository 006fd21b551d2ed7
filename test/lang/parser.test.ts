import { describe, expect, it } from "vitest";
import type * as ast from "../../compiler/lang/ast.js";
import { DiagnosticBag } from "../../compiler/lang/diagnostics.js";
import { lex } from "../../compiler/lang/lexer.js";
import { parse } from "../../compiler/lang/parser.js";
import { diagnosticsOf } from "./helpers.js";

/** Parses `uint8_t x = EXPR;` and prints EXPR fully parenthesised. */
function shape(expr: string): string {
  const diags = new DiagnosticBag();
  const program = parse(lex(`uint8_t x = ${expr};`, diags), diags);
  expect(diags.count).toBe(0);
  const init = (program.declarations[0] as ast.VarDecl).init as ast.Expr;
  return show(init);
}

function show(e: ast.Expr): string {
  switch (e.kind) {
    case "int":
      return String(e.value);
    case "name":
      return e.name;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "assign":
      return `(${show(e.target)} ${e.op} ${show(e.value)})`;
    case "conditional":
      return `(${show(e.cond)} ? ${show(e.then)} : ${show(e.else)})`;
    case "unary":
      return `(${e.op}${show(e.operand)})`;
    case "cast":
      return `((${e.type.name}${e.type.pointer ? "*" : ""})${show(e.operand)})`;
    case "incdec":
      return e.prefix ? `(${e.op}${show(e.target)})` : `(${show(e.target)}${e.op})`;
    case "index":
      return `${show(e.base)}[${show(e.index)}]`;
    case "call":
      return `${e.callee.name}(${e.args.map(show).join(", ")})`;
    default:
      return e.kind;
  }
}

describe("parser", () => {
  it("follows C's precedence", () => {
    expect(shape("a + b * c - d")).toBe("((a + (b * c)) - d)");
    expect(shape("a & b == c")).toBe("(a & (b == c))");
    expect(shape("a << 1 < b")).toBe("((a << 1) < b)");
    expect(shape("a || b && c | d ^ e & f")).toBe("(a || (b && (c | (d ^ (e & f)))))");
  });

  it("associates assignments and conditionals to the right", () => {
    expect(shape("a = b += c")).toBe("(a = (b += c))");
    expect(shape("a ? b : c ? d : e")).toBe("(a ? b : (c ? d : e))");
  });

  it("tells casts from parenthesised expressions", () => {
    expect(shape("(uint16_t)a + (b)")).toBe("(((uint16_t)a) + b)");
    expect(shape("(char*)a")).toBe("((char*)a)");
  });

  it("binds unary and postfix operators tighter than binary ones", () => {
    expect(shape("-a[i]++ * !b")).toBe("((-(a[i]++)) * (!b))");
    expect(shape("~f(x, y) + ++z")).toBe("((~f(x, y)) + (++z))");
  });

  it("declares several variables in one statement", () => {
    const diags = new DiagnosticBag();
    const p = parse(lex("uint8_t a, b = 2, c[3];", diags), diags);
    expect(p.declarations.map((d) => (d as ast.VarDecl).name.name)).toEqual(["a", "b", "c"]);
  });

  it("recovers after a syntax error and reports the next one", () => {
    const ds = diagnosticsOf("public void f() {\n  x = ;\n  y = );\n}\nuint8_t z = ;\n");
    expect(ds.map((d) => d.line)).toEqual([2, 3, 5]);
  });

  it("caps the number of reported errors", () => {
    const src = Array.from({ length: 40 }, (_, i) => `uint8_t v${i} = ;`).join("\n");
    expect(diagnosticsOf(src)).toHaveLength(20);
  });
});
