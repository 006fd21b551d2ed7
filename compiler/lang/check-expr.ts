// Type checking of expressions: names resolved, operands unified by the
// language's rules (no C integer promotion; see docs/language.md §4), untyped
// integer constants given a type from the other operand or the context,
// implicit widenings made explicit, constants folded.

import type * as ast from "./ast.js";
import type { DiagnosticBag, Span } from "./diagnostics.js";
import { compareUntyped, foldArith, foldCompare, foldConvert, foldIntrinsic, foldNeg, foldNot, foldUntyped } from "./fold.js";
import type { Profile } from "../profiles/profiles.js";
import { RESULT_BUFFER_BYTES, type ArylEnv } from "./aryl-env.js";
import { ArylExprChecker } from "./check-aryl.js";
import type { ArithOp, Callee, CompareOp, FunctionInfo, IntrinsicName, LocalVar, NodeCallee, StaticVar, TExpr, TPlace } from "./tree.js";
import {
  BOOL, CHAR, commonIntType, defaultIntType, fits, implicitConversion, INT256, INT32, INT64, intMax, isInt, keywordType, sameType, STRING, typeName,
  typeOfValueType, UINT16, UINT256, UINT64, UINT8, widthOf, type IntBits, type IntType, type ScalarType, type Type,
} from "./types.js";

/** What a name means where it is used. */
export type SymbolEntry =
  | { k: "local"; v: LocalVar }
  | { k: "static"; v: StaticVar }
  /** A const variable with a constant value: folded wherever it is used. */
  | { k: "const"; name: string; type: IntType | typeof BOOL; value: bigint }
  | { k: "function"; fn: FunctionInfo }
  /** A `node` declaration: a function of the Aryl script, called with NCALL. */
  | { k: "node"; callee: NodeCallee; params: ScalarType[]; result: ScalarType | undefined }
  /** Aryl: a `for each` variable, the 16-bit handle of a device in the invocation's device table. */
  | { k: "device"; v: LocalVar }
  /** A declaration that failed to check: uses are not reported again. */
  | { k: "poisoned" };

/** What expression checking needs from the surrounding declaration or function. */
export interface ExprContext {
  readonly diags: DiagnosticBag;
  readonly profile: Profile;
  /** Innermost scope first, then globals and functions. */
  lookup(name: string): SymbolEntry | undefined;
  /** Globals and functions only (for `this.name`). */
  lookupGlobal(name: string): SymbolEntry | undefined;
  /** Records a call from the function being checked (for the recursion rule). */
  noteCall(callee: FunctionInfo): void;
  internString(bytes: Uint8Array): number;
  /** Records an import the code uses; for node calls returns the one import of that name and signature. */
  noteImport<C extends Callee>(c: C): C;
  /** Aryl scripts only: the contract ABI and the device apps. */
  readonly aryl: ArylEnv | undefined;
  /** A fresh 256-byte buffer in the function being checked, for a string a host call returns (its address). */
  resultBuffer(span: Span): TExpr | undefined;
}

/** The result of checking an expression before a context gives it a final type. */
export type Checked =
  | { k: "value"; e: TExpr }
  | { k: "untyped"; value: bigint }
  | { k: "array"; v: StaticVar }
  | { k: "void"; e: TExpr }
  | { k: "error" };

const ERR: Checked = { k: "error" };

export const INTRINSICS: Record<IntrinsicName, number> = { addmod: 3, mulmod: 3, exp: 2, signextend: 2, byte: 2 };

const ARITH_OPS: Partial<Record<string, ArithOp>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "&": "and", "|": "or", "^": "xor", "<<": "shl", ">>": "shr",
};
const COMPARE_OPS: Partial<Record<string, CompareOp>> = { "==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" };

/** The type of an expression known to have a value (not a call of a void function). */
function ty(e: TExpr): ScalarType {
  return e.type!;
}

function value(e: TExpr): Checked {
  return { k: "value", e };
}

function constant(type: IntType | typeof BOOL, bits: bigint): TExpr {
  return { k: "const", type, value: bits };
}

function boolConst(b: boolean): TExpr {
  return constant(BOOL, b ? 1n : 0n);
}

/** The type several untyped constants take together: the context's, else the first default type holding them all. */
function untypedCommonType(values: readonly bigint[], hint: Type | undefined): IntType | undefined {
  const candidates = [...(hint && isInt(hint) ? [hint] : []), INT32, INT64, UINT64, INT256, UINT256];
  return candidates.find((t) => values.every((v) => fits(v, t)));
}

function intType(bits: IntBits, signed: boolean): IntType {
  return { kind: "int", bits, signed, isChar: false, name: `${signed ? "" : "u"}int${bits}_t` };
}

function checkedTypeName(c: Checked): string {
  switch (c.k) {
    case "value":
      return typeName(ty(c.e));
    case "untyped":
      return "integer constant";
    case "array":
      return typeName(c.v.type);
    default:
      return "void";
  }
}

/** Whether a tree has no side effects (reads only): it may be evaluated in any order or not at all. */
export function isPure(e: TExpr): boolean {
  switch (e.k) {
    case "const":
    case "string":
    case "arrayAddress":
      return true;
    case "load":
      return isPurePlace(e.place);
    case "neg":
    case "bitnot":
    case "not":
    case "convert":
      return isPure(e.operand);
    case "arith":
    case "compare":
    case "logical":
      return isPure(e.left) && isPure(e.right);
    case "conditional":
      return isPure(e.cond) && isPure(e.then) && isPure(e.else);
    case "intrinsic":
      return e.args.every(isPure);
    default:
      return false;
  }
}

function isPurePlace(p: TPlace): boolean {
  switch (p.k) {
    case "local":
      return true;
    case "static":
      return p.index === undefined || isPure(p.index);
    case "deref":
      return isPure(p.pointer) && isPure(p.index);
  }
}

export class ExprChecker {
  private readonly arylExprs: ArylExprChecker;

  constructor(private readonly ctx: ExprContext) {
    this.arylExprs = new ArylExprChecker(ctx, this);
  }

  private get diags(): DiagnosticBag {
    return this.ctx.diags;
  }

  // ------------------------------------------------------------ conversions

  /** Converts a checked expression to `target` where the language allows it implicitly; reports otherwise. */
  coerce(c: Checked, target: ScalarType, span: Span): TExpr | undefined {
    switch (c.k) {
      case "error":
        return undefined;
      case "void":
        this.reportVoid(c.e, span);
        return undefined;
      case "untyped":
        if (target.kind !== "int") {
          this.diags.report("E0401", span, "integer constant", typeName(target));
          return undefined;
        }
        if (!fits(c.value, target)) {
          this.diags.report("E0403", span, c.value, typeName(target));
          return undefined;
        }
        return constant(target, BigInt.asUintN(target.bits, c.value));
      case "array":
        return this.decay(c.v, target, span);
      case "value": {
        const from = ty(c.e);
        switch (implicitConversion(from, target)) {
          case "same":
            return c.e;
          case "widen":
            return this.widen(c.e, target as IntType);
          case "narrowing":
            this.diags.report("E0402", span, typeName(from), typeName(target));
            return undefined;
          case "mismatch":
            this.diags.report("E0401", span, typeName(from), typeName(target));
            return undefined;
        }
      }
    }
  }

  private decay(v: StaticVar, target: Type, span: Span): TExpr | undefined {
    const t = v.type;
    if (target.kind === "string" && t.kind === "array" && t.elem.kind === "int" && t.elem.isChar) {
      if (v.space === "storage") {
        this.diags.report("E0416", span, v.name);
        return undefined;
      }
      return { k: "arrayAddress", type: STRING, target: v };
    }
    this.diags.report("E0414", span);
    return undefined;
  }

  private reportVoid(e: TExpr, span: Span): void {
    const name = e.k === "call" ? e.fn.name : e.k === "syscall" ? e.syscall.name : "this expression";
    this.diags.report("E0413", span, name);
  }

  /**
   * Widens an integer to `to` (at least as wide), extending per the source's
   * signedness as C's conversions do; folds constants.
   */
  widen(e: TExpr, to: IntType): TExpr {
    const from = e.type as IntType;
    if (from.bits === to.bits) return sameType(from, to) ? e : this.retype(e, to);
    const op = from.signed ? "sext" : "zext";
    if (e.k === "const") return constant(to, foldConvert(op, widthOf(from), widthOf(to), e.value));
    return { k: "convert", op, type: to, operand: e };
  }

  private retype(e: TExpr, to: ScalarType): TExpr {
    if (e.k === "const" && to.kind !== "string") return constant(to, e.value);
    return { k: "convert", op: "retype", type: to, operand: e };
  }

  /** Gives an untyped constant its context-free type (int32_t, or the smallest wider one that holds it). */
  settle(c: Checked, span: Span): Checked {
    if (c.k !== "untyped") return c;
    const t = defaultIntType(c.value);
    if (!t) {
      this.diags.report("E0418", span, c.value);
      return ERR;
    }
    return value(constant(t, BigInt.asUintN(t.bits, c.value)));
  }

  /** An expression used for its value with no expected type. */
  rvalue(e: ast.Expr): TExpr | undefined {
    const c = this.settle(this.check(e), e);
    if (c.k === "value") return c.e;
    if (c.k === "void") return c.e;
    if (c.k === "array") this.diags.report("E0414", e);
    return undefined;
  }

  /** An expression whose value must convert implicitly to `target`. */
  expect(e: ast.Expr, target: ScalarType): TExpr | undefined {
    return this.coerce(this.check(e, target), target, e);
  }

  /** A condition: bool, or an integer compared with 0. Returns a bool-typed tree. */
  condition(e: ast.Expr): TExpr | undefined {
    const c = this.check(e);
    return this.toCondition(c, e);
  }

  private toCondition(c: Checked, span: Span): TExpr | undefined {
    switch (c.k) {
      case "error":
        return undefined;
      case "untyped":
        return boolConst(c.value !== 0n);
      case "void":
        this.reportVoid(c.e, span);
        return undefined;
      case "array":
        this.diags.report("E0409", span, checkedTypeName(c));
        return undefined;
      case "value": {
        const t = ty(c.e);
        if (t.kind === "bool") return c.e;
        if (t.kind === "int") {
          if (c.e.k === "const") return boolConst(c.e.value !== 0n);
          return { k: "convert", op: "tobool", type: BOOL, operand: c.e };
        }
        this.diags.report("E0409", span, typeName(t));
        return undefined;
      }
    }
  }

  // ------------------------------------------------------------- expressions

  /** Checks an expression; `hint` is the type the context expects (used only for untyped shift operands). */
  check(e: ast.Expr, hint?: Type): Checked {
    switch (e.kind) {
      case "int":
        return { k: "untyped", value: e.value };
      case "char":
        return value(constant(CHAR, BigInt(e.value)));
      case "bool":
        return value(boolConst(e.value));
      case "string":
        return value({ k: "string", type: STRING, literal: this.ctx.internString(e.bytes) });
      case "name":
        return this.name(e.name, this.ctx.lookup(e.name), e, "E0301");
      case "this":
        return this.name(e.name.name, this.ctx.lookupGlobal(e.name.name), e.name, "E0303");
      case "unary":
        return this.unary(e, hint);
      case "binary":
        return this.binary(e, hint);
      case "conditional":
        return this.conditional(e, hint);
      case "assign":
        return this.assign(e);
      case "incdec":
        return this.incdec(e);
      case "call":
        return this.call(e, hint);
      case "syscall":
        return this.syscall(e);
      case "index":
        return this.index(e);
      case "cast":
        return this.cast(e);
      case "member":
        return this.arylExprs.member(e);
      case "method":
        return this.arylExprs.method(e);
    }
  }

  private name(name: string, sym: SymbolEntry | undefined, span: Span, unknown: "E0301" | "E0303"): Checked {
    if (!sym || (unknown === "E0303" && sym.k === "local")) {
      this.diags.report(unknown, span, name);
      return ERR;
    }
    switch (sym.k) {
      case "poisoned":
        return ERR;
      case "local":
        return value({ k: "load", type: sym.v.type, place: { k: "local", v: sym.v } });
      case "const":
        return value(constant(sym.type, sym.value));
      case "function":
      case "node":
        this.diags.report("E0306", span, name);
        return ERR;
      case "device":
        this.diags.report("E0812", span, name);
        return ERR;
      case "static": {
        const t = sym.v.type;
        if (t.kind === "array") return { k: "array", v: sym.v };
        return value({ k: "load", type: t, place: { k: "static", v: sym.v, index: undefined, elem: t } });
      }
    }
  }

  private unary(e: ast.UnaryExpr, hint: Type | undefined): Checked {
    if (e.op === "!") {
      const cond = this.condition(e.operand);
      if (!cond) return ERR;
      if (cond.k === "const") return value(boolConst(cond.value === 0n));
      return value({ k: "not", type: BOOL, operand: cond });
    }
    const c = this.check(e.operand, hint);
    if (c.k === "error") return ERR;
    if (c.k === "untyped") {
      if (e.op === "+") return c;
      const v = e.op === "-" ? -c.value : -c.value - 1n;
      return this.untypedResult(v, e);
    }
    const t = this.operandType(c, e.operand);
    if (!t) return ERR;
    if (t.kind !== "int" || c.k !== "value") {
      this.diags.report("E0405", e, e.op, typeName(t));
      return ERR;
    }
    if (e.op === "+") return c;
    const w = widthOf(t);
    if (c.e.k === "const") return value(constant(t, e.op === "-" ? foldNeg(w, c.e.value) : foldNot(w, c.e.value)));
    return value({ k: e.op === "-" ? "neg" : "bitnot", type: t, operand: c.e });
  }

  private untypedResult(v: bigint | undefined, span: Span): Checked {
    if (v === undefined || v < -(1n << 255n) || v > (1n << 256n) - 1n) {
      this.diags.report("E0417", span);
      return ERR;
    }
    return { k: "untyped", value: v };
  }

  /** The type of a value operand, reporting void calls; arrays report as themselves. */
  private operandType(c: Checked, span: Span): Type | undefined {
    if (c.k === "void") {
      this.reportVoid(c.e, span);
      return undefined;
    }
    if (c.k === "value") return ty(c.e);
    if (c.k === "array") return c.v.type;
    return undefined;
  }

  private binary(e: ast.BinaryExpr, hint: Type | undefined): Checked {
    if (e.op === "&&" || e.op === "||") return this.logical(e);
    const cmp = COMPARE_OPS[e.op];
    if (cmp) return this.compare(e, cmp);
    const op = ARITH_OPS[e.op]!;
    if (op === "shl" || op === "shr") return this.shift(e, op, hint);
    const l = this.check(e.left, hint);
    const r = this.check(e.right, hint);
    if (l.k === "untyped" && r.k === "untyped") return this.untypedResult(foldUntyped(op, l.value, r.value), e);
    if ((l.k === "value" && ty(l.e).kind === "string") || (r.k === "value" && ty(r.e).kind === "string")) {
      this.diags.report("E0420", e.opSpan);
      return ERR;
    }
    const u = this.unify(l, r, e, e.op, op === "and" || op === "or" || op === "xor");
    if (!u) return ERR;
    const [left, right, type] = u;
    if (type.kind === "string") {
      this.diags.report("E0420", e.opSpan);
      return ERR;
    }
    if (left.k === "const" && right.k === "const") {
      const w = widthOf(type);
      const signed = type.kind === "int" && type.signed;
      return value(constant(type, foldArith(op, signed, w, left.value, right.value)));
    }
    return value({ k: "arith", op, type, left, right });
  }

  /**
   * Brings two operands to one type: an untyped constant takes the other's
   * type; integers widen to the wider one; same width with different
   * signedness is an error. Booleans pair only when `allowBool`; strings pair
   * with strings (the caller decides whether the operator accepts them).
   */
  private unify(l: Checked, r: Checked, span: ast.BinaryExpr | Span, opText: string, allowBool: boolean): [TExpr, TExpr, IntType | typeof BOOL | typeof STRING] | undefined {
    if (l.k === "error" || r.k === "error") return undefined;
    const lspan = "left" in span ? span.left : span;
    const rspan = "right" in span ? span.right : span;
    const lt = l.k === "untyped" ? undefined : this.operandType(l, lspan);
    const rt = r.k === "untyped" ? undefined : this.operandType(r, rspan);
    if ((l.k !== "untyped" && !lt) || (r.k !== "untyped" && !rt)) return undefined;
    const bad = (): undefined => {
      this.diags.report("E0419", "opSpan" in span ? span.opSpan : span, opText, checkedTypeName(l), checkedTypeName(r));
      return undefined;
    };
    // Arrays only ever meet strings (decay); anything else about them is an error.
    if (lt?.kind === "array" || rt?.kind === "array") {
      if (lt?.kind === "string" || rt?.kind === "string") {
        const le = this.coerce(l, STRING, lspan);
        const re = this.coerce(r, STRING, rspan);
        return le && re ? [le, re, STRING] : undefined;
      }
      return bad();
    }
    if (l.k === "untyped" || r.k === "untyped") {
      const typed = (l.k === "untyped" ? rt : lt)!;
      if (typed.kind !== "int") return bad();
      const le = this.coerce(l, typed, lspan);
      const re = this.coerce(r, typed, rspan);
      return le && re ? [le, re, typed] : undefined;
    }
    const le = (l as { e: TExpr }).e;
    const re = (r as { e: TExpr }).e;
    if (lt!.kind === "int" && rt!.kind === "int") {
      const common = commonIntType(lt!, rt!);
      if (!common) {
        this.diags.report("E0404", "opSpan" in span ? span.opSpan : span, typeName(lt!), typeName(rt!));
        return undefined;
      }
      return [this.widen(le, common), this.widen(re, common), common];
    }
    if (lt!.kind === "bool" && rt!.kind === "bool" && allowBool) return [le, re, BOOL];
    if (lt!.kind === "string" && rt!.kind === "string") return [le, re, STRING];
    return bad();
  }

  private shift(e: ast.BinaryExpr, op: ArithOp, hint: Type | undefined): Checked {
    const l = this.check(e.left);
    const r = this.check(e.right);
    if (l.k === "error" || r.k === "error") return ERR;
    if (l.k === "untyped" && r.k === "untyped") return this.untypedResult(foldUntyped(op, l.value, r.value), e);
    let left: TExpr | undefined;
    if (l.k === "untyped") {
      // Go's rule: an untyped value shifted by a variable takes the type the context wants.
      const t = hint && isInt(hint) ? hint : defaultIntType(l.value);
      left = t ? this.coerce(l, t, e.left) : undefined;
      if (!t) this.diags.report("E0418", e.left, l.value);
    } else {
      const lt = this.operandType(l, e.left);
      if (!lt) return ERR;
      if (lt.kind !== "int" || l.k !== "value") {
        this.diags.report("E0405", e.opSpan, e.op, typeName(lt));
        return ERR;
      }
      left = l.e;
    }
    if (!left) return ERR;
    const lt = left.type as IntType;
    let count: TExpr | undefined;
    let type = lt;
    if (r.k === "untyped") {
      if (r.value < 0n) {
        this.diags.report("E0403", e.right, r.value, typeName(lt));
        return ERR;
      }
      // Counts of the width or more all give the same result: saturate.
      const max = (1n << BigInt(lt.bits)) - 1n;
      count = constant(lt, r.value > max ? max : r.value);
    } else {
      const rt = this.operandType(r, e.right);
      if (!rt) return ERR;
      if (rt.kind !== "int" || r.k !== "value") {
        this.diags.report("E0405", e.opSpan, e.op, typeName(rt));
        return ERR;
      }
      if (rt.bits > lt.bits) type = intType(rt.bits, lt.signed);
      count = this.widen(r.e, type);
    }
    const shifted = type === lt ? left : this.widen(left, type);
    if (shifted.k === "const" && count.k === "const")
      return value(constant(type, foldArith(op, type.signed, widthOf(type), shifted.value, count.value)));
    return value({ k: "arith", op, type, left: shifted, right: count });
  }

  private compare(e: ast.BinaryExpr, op: CompareOp): Checked {
    const l = this.check(e.left);
    const r = this.check(e.right);
    if (l.k === "untyped" && r.k === "untyped") return value(boolConst(compareUntyped(op, l.value, r.value)));
    const u = this.unify(l, r, e, e.op, true);
    if (!u) return ERR;
    const [left, right, type] = u;
    if ((type.kind === "bool" || type.kind === "string") && op !== "eq" && op !== "ne") {
      this.diags.report("E0419", e.opSpan, e.op, typeName(type), typeName(type));
      return ERR;
    }
    const signed = type.kind === "int" && type.signed;
    if (left.k === "const" && right.k === "const" && type.kind !== "string")
      return value(boolConst(foldCompare(op, signed, widthOf(type), left.value, right.value)));
    return value({ k: "compare", op, type: BOOL, signed, left, right });
  }

  private logical(e: ast.BinaryExpr): Checked {
    const left = this.condition(e.left);
    const right = this.condition(e.right);
    if (!left || !right) return ERR;
    const isAnd = e.op === "&&";
    if (left.k === "const") {
      // A constant left side decides whether the right side runs at all.
      const l = left.value !== 0n;
      return value(isAnd ? (l ? right : boolConst(false)) : l ? boolConst(true) : right);
    }
    return value({ k: "logical", op: isAnd ? "and" : "or", type: BOOL, left, right });
  }

  private conditional(e: ast.ConditionalExpr, hint: Type | undefined): Checked {
    const cond = this.condition(e.cond);
    let t = this.check(e.then, hint);
    let f = this.check(e.else, hint);
    if (!cond || t.k === "error" || f.k === "error") return ERR;
    if (t.k === "untyped" && f.k === "untyped") {
      if (cond.k === "const") return cond.value !== 0n ? t : f;
      const type = untypedCommonType([t.value, f.value], hint);
      if (!type) {
        this.diags.report("E0418", e, t.value);
        return ERR;
      }
      t = this.coerceChecked(t, type, e.then);
      f = this.coerceChecked(f, type, e.else);
    }
    const u = this.unify(t, f, e, "?:", true);
    if (!u) return ERR;
    const [a, b, type] = u;
    if (cond.k === "const") return value(cond.value !== 0n ? a : b);
    return value({ k: "conditional", type, cond, then: a, else: b });
  }

  private coerceChecked(c: Checked, t: ScalarType, span: Span): Checked {
    const e = this.coerce(c, t, span);
    return e ? value(e) : ERR;
  }

  // ------------------------------------------------------------ assignments

  /** Resolves an assignable expression; reports what makes it not assignable. */
  place(e: ast.Expr, opText: string): { place: TPlace; type: ScalarType } | undefined {
    const c = e.kind === "name" || e.kind === "this" || e.kind === "index" ? this.check(e) : undefined;
    if (c === undefined) {
      this.check(e);
      this.diags.report("E0407", e, opText);
      return undefined;
    }
    if (c.k === "error") return undefined;
    if (c.k === "array") {
      this.diags.report("E0414", e);
      return undefined;
    }
    if (c.k !== "value" || c.e.k !== "load") {
      const sym = e.kind === "name" ? this.ctx.lookup(e.name) : e.kind === "this" ? this.ctx.lookupGlobal(e.name.name) : undefined;
      if (sym?.k === "const") this.diags.report("E0406", e, sym.name);
      else this.diags.report("E0407", e, opText);
      return undefined;
    }
    const place = c.e.place;
    const constName = this.constOf(place);
    if (constName !== undefined) {
      this.diags.report("E0406", e, constName);
      return undefined;
    }
    return { place, type: ty(c.e) };
  }

  /** The name of the const variable a place writes (or writes through, for a `char*`), if any. */
  private constOf(p: TPlace): string | undefined {
    if (p.k === "local" || p.k === "static") return p.v.isConst ? p.v.name : undefined;
    const ptr = p.pointer;
    if (ptr.k === "load" && ptr.place.k !== "deref") return this.constOf(ptr.place);
    return undefined;
  }

  private assign(e: ast.AssignExpr): Checked {
    const target = this.place(e.target, e.op);
    if (!target) {
      this.check(e.value);
      return ERR;
    }
    const { place, type } = target;
    if (e.op === "=") {
      const v = this.expect(e.value, type);
      return v ? value({ k: "assign", type, place, op: undefined, value: v }) : ERR;
    }
    const op = ARITH_OPS[e.op.slice(0, -1)]!;
    const boolOk = type.kind === "bool" && (op === "and" || op === "or" || op === "xor");
    if (type.kind === "string") {
      this.check(e.value);
      this.diags.report("E0420", e.opSpan);
      return ERR;
    }
    if (type.kind !== "int" && !boolOk) {
      this.check(e.value);
      this.diags.report("E0405", e.opSpan, e.op, typeName(type));
      return ERR;
    }
    let v: TExpr | undefined;
    if ((op === "shl" || op === "shr") && type.kind === "int") v = this.shiftCount(this.check(e.value), type, e.value);
    else v = this.expect(e.value, type);
    return v ? value({ k: "assign", type, place, op, value: v }) : ERR;
  }

  /** A shift count brought to the shifted value's width; its signedness does not matter. */
  private shiftCount(c: Checked, to: IntType, span: Span): TExpr | undefined {
    if (c.k === "untyped") {
      if (c.value < 0n) {
        this.diags.report("E0403", span, c.value, typeName(to));
        return undefined;
      }
      return constant(to, c.value > intMax({ ...to, signed: false }) ? intMax({ ...to, signed: false }) : c.value);
    }
    const from = c.k === "value" ? ty(c.e) : undefined;
    if (c.k === "value" && from?.kind === "int") {
      if (from.bits > to.bits) {
        this.diags.report("E0402", span, typeName(from), typeName(to));
        return undefined;
      }
      return this.widen(c.e, to);
    }
    return this.coerce(c, to, span);
  }

  private incdec(e: ast.IncDecExpr): Checked {
    const target = this.place(e.target, e.op);
    if (!target) return ERR;
    if (target.type.kind !== "int") {
      this.diags.report("E0405", e, e.op, typeName(target.type));
      return ERR;
    }
    return value({ k: "incdec", type: target.type, place: target.place, delta: e.op === "++" ? 1 : -1, prefix: e.prefix });
  }

  // ------------------------------------------------------------------ calls

  private call(e: ast.CallExpr, hint: Type | undefined): Checked {
    const name = e.callee.name;
    const sym = this.ctx.lookup(name);
    if (sym?.k === "node") {
      const args = this.arguments(e.args, sym.params, name, e);
      if (!args) return ERR;
      const call: TExpr = { k: "syscall", type: sym.result, syscall: this.ctx.noteImport(sym.callee), args };
      return sym.result ? value(call) : { k: "void", e: call };
    }
    if (sym && sym.k !== "function") {
      e.args.forEach((a) => this.check(a));
      if (sym.k !== "poisoned") this.diags.report("E0305", e.callee, name);
      return ERR;
    }
    if (!sym) {
      if (name in INTRINSICS) return this.intrinsic(e, name as IntrinsicName, hint);
      // Aryl scripts call the node's built-in functions by name (the paper's `Decrypt(encryptPin)`).
      if (this.ctx.aryl && this.ctx.profile.syscalls.some((s) => s.name === name))
        return this.syscall({ kind: "syscall", name: e.callee, args: e.args, start: e.start, end: e.end });
      e.args.forEach((a) => this.check(a));
      this.diags.report("E0304", e.callee, name);
      return ERR;
    }
    const fn = sym.fn;
    this.ctx.noteCall(fn);
    const args = this.arguments(e.args, fn.params.map((p) => p.type), name, e);
    if (!args) return ERR;
    const call: TExpr = { k: "call", type: fn.result, fn, args };
    return fn.result ? value(call) : { k: "void", e: call };
  }

  /** Checks arguments against parameter types; reports a count mismatch at the call. */
  arguments(args: ast.Expr[], params: ScalarType[], name: string, span: Span): TExpr[] | undefined {
    if (args.length !== params.length) {
      args.forEach((a) => this.check(a));
      this.diags.report("E0412", span, name, params.length, args.length);
      return undefined;
    }
    const out: TExpr[] = [];
    let ok = true;
    args.forEach((a, i) => {
      const t = this.expect(a, params[i]!);
      if (t) out.push(t);
      else ok = false;
    });
    return ok ? out : undefined;
  }

  private intrinsic(e: ast.CallExpr, name: IntrinsicName, hint: Type | undefined): Checked {
    const arity = INTRINSICS[name];
    const checked = e.args.map((a) => this.check(a));
    if (checked.length !== arity) {
      this.diags.report("E0412", e, name, arity, checked.length);
      return ERR;
    }
    if (checked.some((c) => c.k === "error")) return ERR;
    // The operands' common type, as for a binary operator.
    let type: IntType | undefined;
    for (let i = 0; i < checked.length; i++) {
      const c = checked[i]!;
      if (c.k === "untyped") continue;
      const t = this.operandType(c, e.args[i]!);
      if (!t) return ERR;
      if (t.kind !== "int") {
        this.diags.report("E0405", e.args[i]!, name, typeName(t));
        return ERR;
      }
      if (!type) type = t;
      else {
        const common = commonIntType(type, t);
        if (!common) {
          this.diags.report("E0404", e.args[i]!, typeName(type), typeName(t));
          return ERR;
        }
        type = common;
      }
    }
    if (!type) {
      const values = checked.map((c) => (c as { value: bigint }).value);
      type = untypedCommonType(values, hint);
      if (!type) {
        this.diags.report("E0418", e, values[0]!);
        return ERR;
      }
    }
    const args: TExpr[] = [];
    for (let i = 0; i < checked.length; i++) {
      const a = this.coerce(checked[i]!, type, e.args[i]!);
      if (!a) return ERR;
      args.push(a);
    }
    if (args.every((a) => a.k === "const"))
      return value(constant(type, foldIntrinsic(name, widthOf(type), args.map((a) => (a as { value: bigint }).value))));
    return value({ k: "intrinsic", type, name, args });
  }

  private syscall(e: ast.SyscallExpr): Checked {
    if (!e.name) {
      e.args.forEach((a) => this.check(a));
      this.diags.report("E0605", e);
      return ERR;
    }
    const sc = this.ctx.profile.syscalls.find((s) => s.name === e.name!.name);
    if (!sc) {
      e.args.forEach((a) => this.check(a));
      this.diags.report("E0601", e.name, e.name.name, this.ctx.profile.name);
      return ERR;
    }
    // A string result is written into a buffer the compiler supplies as the last two arguments.
    const written = sc.resultBuffer ? sc.params.slice(0, -2) : sc.params;
    if (e.args.length !== written.length) {
      e.args.forEach((a) => this.check(a));
      this.diags.report("E0606", e, sc.name, written.length, e.args.length);
      return ERR;
    }
    const args = this.arguments(e.args, written.map((p) => typeOfValueType(p.type)), sc.name, e);
    if (!args) return ERR;
    if (sc.resultBuffer) {
      const buffer = this.ctx.resultBuffer(e);
      if (!buffer) return ERR;
      args.push(buffer, constant(UINT16, BigInt(RESULT_BUFFER_BYTES)));
    }
    this.ctx.noteImport(sc);
    const type = sc.result ? typeOfValueType(sc.result) : undefined;
    const call: TExpr = { k: "syscall", type, syscall: sc, args };
    return type ? value(call) : { k: "void", e: call };
  }

  // --------------------------------------------------------- index and cast

  private index(e: ast.IndexExpr): Checked {
    const base = this.check(e.base);
    const idx = this.check(e.index);
    if (base.k === "error" || idx.k === "error") return ERR;
    let index: TExpr | undefined;
    if (idx.k === "untyped") {
      if (base.k === "array" && base.v.type.kind === "array") {
        const len = base.v.type.length;
        if (idx.value < 0n || idx.value >= BigInt(len)) {
          this.diags.report("E0415", e.index, idx.value, base.v.name, len);
          return ERR;
        }
      }
      index = this.coerce(idx, UINT16, e.index);
      if (!index) return ERR;
    } else {
      const t = this.operandType(idx, e.index);
      if (!t) return ERR;
      if (t.kind !== "int" || idx.k !== "value") {
        this.diags.report("E0411", e.index, typeName(t));
        return ERR;
      }
      index = idx.e;
    }
    if (base.k === "array" && base.v.type.kind === "array") {
      const elem = base.v.type.elem;
      return value({ k: "load", type: elem, place: { k: "static", v: base.v, index, elem } });
    }
    const bt = this.operandType(base, e.base);
    if (!bt) return ERR;
    if (bt.kind === "string" && base.k === "value") return value({ k: "load", type: CHAR, place: { k: "deref", pointer: base.e, index, elem: CHAR } });
    this.diags.report("E0410", e.base, typeName(bt));
    return ERR;
  }

  /** The type a written type names: `char*` is the string type. */
  typeOf(t: ast.TypeRef): Type {
    return t.pointer ? STRING : keywordType(t.name);
  }

  private cast(e: ast.CastExpr): Checked {
    const target = this.typeOf(e.type);
    const c = this.check(e.operand, target);
    if (c.k === "error") return ERR;
    if (target.kind === "void") return c.k === "value" || c.k === "void" ? { k: "void", e: c.e } : { k: "void", e: constant(BOOL, 0n) };
    if (target.kind === "array" || target.kind === "error") return ERR;
    const bad = (): Checked => {
      this.diags.report("E0408", e, checkedTypeName(c), typeName(target));
      return ERR;
    };
    if (c.k === "untyped") {
      if (target.kind === "bool") return value(boolConst(c.value !== 0n));
      if (target.kind === "string") return value({ k: "convert", op: "retype", type: STRING, operand: constant(UINT16, BigInt.asUintN(16, c.value)) });
      return value(constant(target, BigInt.asUintN(target.bits, c.value)));
    }
    if (c.k === "array") {
      const d = target.kind === "string" ? this.decay(c.v, target, e) : undefined;
      return d ? value(d) : target.kind === "string" ? ERR : bad();
    }
    if (c.k === "void") {
      this.reportVoid(c.e, e.operand);
      return ERR;
    }
    const from = ty(c.e);
    const x = c.e;
    if (from.kind === "int" && target.kind === "int") {
      if (target.bits >= from.bits) return value(this.widen(x, target));
      if (x.k === "const") return value(constant(target, foldConvert("trunc", widthOf(from), widthOf(target), x.value)));
      return value({ k: "convert", op: "trunc", type: target, operand: x });
    }
    if (from.kind === "bool" && target.kind === "int") {
      if (x.k === "const") return value(constant(target, x.value));
      return value(this.widen(this.retype(x, UINT8), target));
    }
    if (from.kind === "int" && target.kind === "bool") {
      if (x.k === "const") return value(boolConst(x.value !== 0n));
      return value({ k: "convert", op: "tobool", type: BOOL, operand: x });
    }
    if (from.kind === target.kind) return value(x);
    if ((from.kind === "string" && target.kind === "int" && target.bits === 16) || (from.kind === "int" && from.bits === 16 && target.kind === "string"))
      return value(this.retype(x, target));
    return bad();
  }
}
