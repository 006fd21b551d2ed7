// The checker: syntax tree → checked program. It declares globals (in order,
// so constant initialisers see earlier constants) and every function's
// signature before checking any body, so functions may be used before their
// definition. Then it checks bodies with block scopes, checks the entry points
// against the device profile, and applies the rule that a function with local
// arrays (statically allocated) must not be recursive.

import type * as ast from "./ast.js";
import { ExprChecker, INTRINSICS, type ExprContext, type SymbolEntry } from "./check-expr.js";
import type { DiagnosticBag, Span } from "./diagnostics.js";
import type { Profile } from "../profiles/profiles.js";
import { abiEvents, abiValueType, HANDLER_PREFIX, RESULT_BUFFER_BYTES, type ArylEnv } from "./aryl-env.js";
import { arylTypeName, ArylExprChecker } from "./check-aryl.js";
import {
  constTruth, isNodeCallee, type Callee, type CheckedProgram, type FunctionInfo, type InitValue, type LocalVar, type NodeCallee, type StaticVar, type TBlock, type TExpr,
  type TStmt,
} from "./tree.js";
import { BOOL, CHAR, sameType, STRING, typeName, typeOfValueType, UINT16, valueTypeOf, type ArrayType, type IntType, type ScalarType } from "./types.js";
import { typeName as valueTypeName } from "../ir/types.js";

const DEFAULT_STRING_CAPACITY = 32;
/** An `On` handler's string parameters get the largest buffer: event strings (ciphertexts) are long. */
const HANDLER_STRING_CAPACITY = 255;

/**
 * Stands for a condition that failed to check, so the statement stays in the
 * tree and the reachability analysis does not report a consequence (a missing
 * return) of an error already reported. Never lowered: errors stop compilation.
 */
const UNKNOWN_CONDITION: TExpr = { k: "convert", op: "retype", type: BOOL, operand: { k: "const", type: BOOL, value: 0n } };
const MAX_NAME = 63;

interface LoopState {
  depth: number;
}

class Checker implements ExprContext {
  private readonly globals = new Map<string, SymbolEntry>();
  private readonly scopes: Map<string, SymbolEntry>[] = [];
  private readonly staticVars: StaticVar[] = [];
  private readonly functions: FunctionInfo[] = [];
  private readonly strings: Uint8Array[] = [];
  private readonly stringIds = new Map<string, number>();
  private readonly imports: Callee[] = [];
  private resultBuffers = 0;
  /** Parameters whose declaration was reported: their uses are not reported again. */
  private readonly badParams = new Set<LocalVar>();
  private current: FunctionInfo | undefined;
  private loop: LoopState = { depth: 0 };
  private readonly exprs: ExprChecker;
  private readonly arylExprs: ArylExprChecker;

  constructor(
    readonly diags: DiagnosticBag,
    readonly profile: Profile,
    readonly aryl: ArylEnv | undefined,
  ) {
    this.exprs = new ExprChecker(this);
    this.arylExprs = new ArylExprChecker(this, this.exprs);
  }

  // ------------------------------------------------------------ ExprContext

  lookup(name: string): SymbolEntry | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i]!.get(name);
      if (s) return s;
    }
    return this.globals.get(name);
  }

  lookupGlobal(name: string): SymbolEntry | undefined {
    return this.globals.get(name);
  }

  noteCall(callee: FunctionInfo): void {
    this.current?.callees.add(callee);
  }

  internString(bytes: Uint8Array): number {
    const key = Array.from(bytes).join(",");
    let id = this.stringIds.get(key);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(bytes);
      this.stringIds.set(key, id);
    }
    return id;
  }

  noteImport<C extends Callee>(c: C): C {
    if (isNodeCallee(c)) {
      const key = (n: NodeCallee): string => `${n.name}(${n.params.map(valueTypeName).join(",")})`;
      const same = this.imports.find((i) => isNodeCallee(i) && key(i) === key(c));
      if (same) return same as C;
    }
    if (!this.imports.includes(c)) this.imports.push(c);
    return c;
  }

  resultBuffer(span: Span): TExpr | undefined {
    const fn = this.current;
    if (!fn) {
      this.diags.report("E0814", span, "a call", "a function body");
      return undefined;
    }
    const v: StaticVar = {
      name: `result${this.resultBuffers++}`,
      type: { kind: "array", elem: CHAR, length: RESULT_BUFFER_BYTES },
      space: "memory",
      isConst: false,
      init: undefined,
      owner: fn,
      span,
    };
    fn.localArrays.push(v);
    return { k: "arrayAddress", type: STRING, target: v };
  }

  // ------------------------------------------------------------ program

  run(program: ast.Program): CheckedProgram {
    const bodies: [FunctionInfo, ast.FunctionDecl][] = [];
    for (const d of program.declarations) {
      if (d.kind === "var") this.globalVar(d);
      else if (d.kind === "node") this.nodeDecl(d);
      else {
        const fn = this.signature(d);
        if (fn) bodies.push([fn, d]);
      }
    }
    for (const [fn, d] of bodies) this.body(fn, d);
    this.checkRecursion();
    return { globals: this.staticVars, functions: this.functions, strings: this.strings, imports: this.imports };
  }

  /** Declares a global name; reports a duplicate and returns false. */
  private declareGlobal(name: ast.Identifier, sym: SymbolEntry): boolean {
    if (this.globals.has(name.name)) {
      this.diags.report("E0302", name, name.name);
      return false;
    }
    if (name.name in INTRINSICS) {
      this.diags.report("E0312", name, name.name);
      return false;
    }
    this.globals.set(name.name, sym);
    return true;
  }

  private declareLocal(name: ast.Identifier, sym: SymbolEntry): void {
    const scope = this.scopes[this.scopes.length - 1]!;
    if (scope.has(name.name)) {
      this.diags.report("E0302", name, name.name);
      return;
    }
    scope.set(name.name, sym);
  }

  // ------------------------------------------------------------ variables

  /** The declared type of a variable, with its array part; reports void and bad sizes. */
  private varType(d: ast.VarDecl): ScalarType | ArrayType | undefined {
    const base = this.exprs.typeOf(d.type);
    if (base.kind === "void") {
      this.diags.report("E0313", d.type);
      return undefined;
    }
    const elem = base as ScalarType;
    if (d.arraySize === undefined) return elem;
    if (d.arraySize === "infer") {
      const init = d.init;
      if (init && "kind" in init && init.kind === "list") return { kind: "array", elem, length: Math.max(1, init.items.length) };
      if (init && init.kind === "string" && elem.kind === "int" && elem.isChar) return { kind: "array", elem, length: init.bytes.length + 1 };
      this.diags.report("E0316", d.name, d.name.name);
      return undefined;
    }
    const length = this.arrayLength(d.arraySize);
    return length === undefined ? undefined : { kind: "array", elem, length };
  }

  /** A constant array size or string capacity in [min, max]. */
  private constantSize(e: ast.Expr, min: number, max: number, code: "E0311" | "E0608"): number | undefined {
    const c = this.exprs.settle(this.exprs.check(e), e);
    if (c.k === "error") return undefined;
    if (c.k !== "value" || c.e.k !== "const" || c.e.type.kind !== "int") {
      this.diags.report("E0310", e);
      return undefined;
    }
    const t = c.e.type;
    const v = t.signed ? BigInt.asIntN(t.bits, c.e.value) : c.e.value;
    if (v < BigInt(min) || v > BigInt(max)) {
      this.diags.report(code, e, v);
      return undefined;
    }
    return Number(v);
  }

  private arrayLength(e: ast.Expr): number | undefined {
    return this.constantSize(e, 1, 65535, "E0311");
  }

  private globalVar(d: ast.VarDecl): void {
    const type = this.varType(d);
    if (!type) {
      this.declareGlobal(d.name, { k: "poisoned" });
      if (d.init && !("items" in d.init)) this.exprs.check(d.init);
      return;
    }
    if (d.isPersistent && d.init) {
      this.diags.report("E0307", d.init, d.name.name);
    } else if (d.isConst && !d.init) {
      this.diags.report("E0308", d.name, d.name.name);
    }
    // A const scalar with a constant value is folded wherever it is used and takes no memory.
    if (d.isConst && type.kind !== "array" && type.kind !== "string" && d.init && !d.isPersistent) {
      const init = this.scalarInit(d, type);
      if (init === undefined) {
        this.declareGlobal(d.name, { k: "poisoned" });
        return;
      }
      if (init.k === "bits") {
        this.declareGlobal(d.name, { k: "const", name: d.name.name, type: type as IntType, value: init.value });
        return;
      }
    }
    const v: StaticVar = {
      name: d.name.name,
      type,
      space: d.isPersistent ? "storage" : "memory",
      isConst: d.isConst,
      init: undefined,
      owner: undefined,
      span: d.name,
    };
    if (d.init && !d.isPersistent) {
      if (type.kind === "array") {
        const elements = this.arrayInit(d, type, true);
        if (elements) v.init = { k: "array", elements: elements.map((e) => this.initValue(e)!) };
      } else {
        const value = this.scalarInit(d, type);
        if (value) v.init = { k: "scalar", value };
      }
    }
    if (this.declareGlobal(d.name, { k: "static", v })) this.staticVars.push(v);
  }

  /** A global scalar's constant initial value. */
  private scalarInit(d: ast.VarDecl, type: ScalarType): InitValue | undefined {
    const init = d.init!;
    if ("items" in init) {
      this.diags.report("E0318", init);
      return undefined;
    }
    const e = this.exprs.expect(init, type);
    if (!e) return undefined;
    const v = this.initValue(e);
    if (!v) this.diags.report("E0309", init, d.name.name);
    return v;
  }

  private initValue(e: TExpr): InitValue | undefined {
    if (e.k === "const") return { k: "bits", value: e.value };
    if (e.k === "string") return { k: "string", literal: e.literal };
    if (e.k === "arrayAddress") return { k: "array", target: e.target };
    if (e.k === "convert" && e.op === "retype") return this.initValue(e.operand);
    return undefined;
  }

  /**
   * The element values of an array initialiser, padded with zeros to the
   * array's length; for globals every element must be constant.
   */
  private arrayInit(d: ast.VarDecl, type: ArrayType, constantOnly: boolean): TExpr[] | undefined {
    const init = d.init!;
    const elem = type.elem;
    const zero = (): TExpr =>
      elem.kind === "string" ? { k: "convert", op: "retype", type: STRING, operand: { k: "const", type: UINT16, value: 0n } } : { k: "const", type: elem, value: 0n };
    if (!("items" in init)) {
      if (init.kind === "string" && type.elem.kind === "int" && type.elem.isChar) {
        if (init.bytes.length + 1 > type.length) {
          this.diags.report("E0315", init, init.bytes.length + 1, d.name.name, typeName(type));
          return undefined;
        }
        const out: TExpr[] = Array.from(init.bytes, (b) => ({ k: "const", type: CHAR, value: BigInt(b) }) as TExpr);
        while (out.length < type.length) out.push(zero());
        return out;
      }
      this.exprs.check(init);
      this.diags.report("E0317", init, type.elem.kind === "int" && type.elem.isChar ? " or a string literal" : "");
      return undefined;
    }
    if (init.items.length > type.length) {
      this.diags.report("E0314", init.items[type.length]!, d.name.name, type.length);
      return undefined;
    }
    const out: TExpr[] = [];
    let ok = true;
    for (const item of init.items) {
      const e = this.exprs.expect(item, type.elem);
      if (!e) ok = false;
      else if (constantOnly && !this.initValue(e)) {
        this.diags.report("E0309", item, d.name.name);
        ok = false;
      } else out.push(e);
    }
    if (!ok) return undefined;
    while (out.length < type.length) out.push(zero());
    return out;
  }

  // ------------------------------------------------------------ functions

  /** `node T Name(params);`: a function of the Aryl script this app calls (an NCALL import). */
  private nodeDecl(d: ast.NodeDecl): void {
    if (this.aryl) {
      this.diags.report("E0814", d, "node", "device apps");
      return;
    }
    const ret = this.exprs.typeOf(d.returnType);
    const result = ret.kind === "void" ? undefined : (ret as ScalarType);
    let ok = true;
    if (result?.kind === "string") {
      this.diags.report("E0815", d.returnType, d.name.name);
      ok = false;
    }
    const params: ScalarType[] = [];
    for (const p of d.params) {
      const t = this.exprs.typeOf(p.type);
      if (t.kind === "void") {
        this.diags.report("E0610", p.type, "void");
        ok = false;
      } else if (p.arraySize) {
        this.diags.report("E0607", p.arraySpan!, p.name.name);
        ok = false;
      } else params.push(t as ScalarType);
    }
    if (d.name.name.length > MAX_NAME) this.diags.report("E0705", d.name, d.name.name);
    if (!ok) {
      this.declareGlobal(d.name, { k: "poisoned" });
      return;
    }
    const callee: NodeCallee = { node: true, name: d.name.name, params: params.map(valueTypeOf), result: result && valueTypeOf(result) };
    this.declareGlobal(d.name, { k: "node", callee, params, result });
  }

  private signature(d: ast.FunctionDecl): FunctionInfo | undefined {
    const name = d.modifier === "on" ? HANDLER_PREFIX + d.name.name : d.name.name;
    const takesStrings = d.modifier === "public" || d.modifier === "on";
    if (name.length > MAX_NAME) this.diags.report("E0705", d.name, name);
    const ret = this.exprs.typeOf(d.returnType);
    let result: ScalarType | undefined;
    if (ret.kind !== "void") result = ret as ScalarType;
    if (d.modifier === "public" && result?.kind === "string") this.diags.report("E0609", d.returnType, name);
    const fn: FunctionInfo = {
      name,
      kind: d.modifier,
      index: this.functions.length,
      params: [],
      stringCapacities: [],
      result,
      eventId: 0,
      body: undefined,
      localArrays: [],
      callees: new Set(),
      span: d.name,
    };
    for (const p of d.params) {
      const t = this.exprs.typeOf(p.type);
      let type: ScalarType = t.kind === "void" ? BOOL : (t as ScalarType);
      let capacity = 0;
      let bad = false;
      if (t.kind === "void") {
        this.diags.report("E0610", p.type, "void");
        bad = true;
      }
      if (p.arraySize) {
        if (takesStrings && p.type.name === "char" && !p.type.pointer) {
          capacity = this.constantSize(p.arraySize, 2, 255, "E0608") ?? DEFAULT_STRING_CAPACITY;
          type = STRING;
        } else {
          this.diags.report("E0607", p.arraySpan!, p.name.name);
          bad = true;
        }
      } else if (type.kind === "string" && takesStrings) {
        capacity = d.modifier === "on" ? HANDLER_STRING_CAPACITY : DEFAULT_STRING_CAPACITY;
      }
      const param: LocalVar = { name: p.name.name, type, isConst: p.isConst, span: p.name, inLoop: false };
      if (bad) this.badParams.add(param);
      fn.params.push(param);
      fn.stringCapacities.push(capacity);
    }
    if (d.modifier === "deviceevent") this.checkEvent(fn, d);
    if (d.modifier === "on") this.checkHandler(fn, d);
    if (!this.declareGlobal({ name, start: d.name.start, end: d.name.end }, { k: "function", fn })) return undefined;
    this.functions.push(fn);
    return fn;
  }

  private checkEvent(fn: FunctionInfo, d: ast.FunctionDecl): void {
    const ev = this.profile.events.find((e) => e.name === fn.name);
    if (!ev) {
      this.diags.report("E0602", d.name, fn.name, this.profile.name);
      return;
    }
    fn.eventId = ev.id;
    if (fn.result) this.diags.report("E0604", d.returnType, fn.name);
    const want = ev.params.map((p) => typeOfValueType(p.type));
    const match = want.length === fn.params.length && want.every((t, i) => sameType(t, fn.params[i]!.type));
    if (!match) {
      const span: Span = d.params.length > 0 ? { start: d.params[0]!.start, end: d.params[d.params.length - 1]!.end } : d.name;
      this.diags.report("E0603", span, fn.name, want.map(typeName).join(", "), this.profile.name, fn.params.map((p) => typeName(p.type)).join(", "));
    }
  }

  /** An `On Event(...)` handler: the event must be in the ABI, the parameters of its types in order. */
  private checkHandler(fn: FunctionInfo, d: ast.FunctionDecl): void {
    const event = d.name.name;
    const abi = this.aryl?.abi;
    const ev = abi ? abiEvents(abi).find((e) => e.name === event) : undefined;
    if (!ev) {
      const known = abi ? abiEvents(abi).map((e) => e.name).join(", ") : "";
      this.diags.report("E0801", d.name, event, !abi ? " (no ABI given: pass --abi)" : known ? ` (the ABI has: ${known})` : " (the ABI has no events)");
      return;
    }
    const inputs = ev.inputs ?? [];
    if (inputs.length !== d.params.length) {
      this.diags.report("E0802", d.name, event, d.params.length, inputs.length);
      return;
    }
    inputs.forEach((input, i) => {
      const want = abiValueType(input.type);
      const p = d.params[i]!;
      if (!want) {
        this.diags.report("E0804", p, input.type, `${event}.${input.name ?? i + 1}`);
        return;
      }
      const have = fn.params[i]!.type;
      if (!sameType(typeOfValueType(want), have)) this.diags.report("E0803", p, p.name.name, typeName(have), event, input.type, arylTypeName(want));
    });
  }

  private body(fn: FunctionInfo, d: ast.FunctionDecl): void {
    this.current = fn;
    this.loop = { depth: 0 };
    const scope = new Map<string, SymbolEntry>();
    this.scopes.push(scope);
    d.params.forEach((p, i) => {
      const v = fn.params[i]!;
      this.declareLocal(p.name, this.badParams.has(v) ? { k: "poisoned" } : { k: "local", v });
    });
    // The parameters and the body's outermost declarations share one scope, as in C.
    const stmts = this.statements(d.body.statements);
    this.scopes.pop();
    fn.body = { k: "block", stmts };
    if (fn.result && completesNormally(fn.body)) this.diags.report("E0503", d.body.closeSpan, fn.name, typeName(fn.result));
    this.current = undefined;
  }

  // ------------------------------------------------------------ statements

  private statements(list: ast.Stmt[]): TStmt[] {
    const out: TStmt[] = [];
    for (const s of list) out.push(...this.statement(s));
    return out;
  }

  private block(b: ast.Block): TBlock {
    this.scopes.push(new Map());
    const stmts = this.statements(b.statements);
    this.scopes.pop();
    return { k: "block", stmts };
  }

  /** A statement in its own scope (the body of an if or a loop). */
  private nested(s: ast.Stmt): TStmt {
    if (s.kind === "block") return this.block(s);
    this.scopes.push(new Map());
    const stmts = this.statement(s);
    this.scopes.pop();
    return stmts.length === 1 ? stmts[0]! : { k: "block", stmts };
  }

  private loopBody(s: ast.Stmt): TStmt {
    this.loop.depth++;
    const body = this.nested(s);
    this.loop.depth--;
    return body;
  }

  private statement(s: ast.Stmt): TStmt[] {
    switch (s.kind) {
      case "block":
        return [this.block(s)];
      case "empty":
        return [];
      case "decl":
        return s.vars.flatMap((v) => this.localVar(v));
      case "expr": {
        const e = this.exprs.check(s.expr);
        if (e.k === "value" || e.k === "void") return [{ k: "expr", e: e.e }];
        if (e.k === "array") this.diags.report("E0414", s.expr);
        return [];
      }
      case "if": {
        const cond = this.exprs.condition(s.cond);
        const then = this.nested(s.then);
        const otherwise = s.else ? this.nested(s.else) : undefined;
        return [{ k: "if", cond: cond ?? UNKNOWN_CONDITION, then, else: otherwise }];
      }
      case "while": {
        const cond = this.exprs.condition(s.cond);
        const body = this.loopBody(s.body);
        return [{ k: "while", cond: cond ?? UNKNOWN_CONDITION, body }];
      }
      case "do": {
        const body = this.loopBody(s.body);
        const cond = this.exprs.condition(s.cond);
        return [{ k: "do", body, cond: cond ?? UNKNOWN_CONDITION }];
      }
      case "for": {
        this.scopes.push(new Map());
        const init = s.init === undefined ? [] : Array.isArray(s.init) ? s.init.flatMap((e) => this.statement(e)) : this.statement(s.init);
        const cond = s.cond ? this.exprs.condition(s.cond) : undefined;
        const step = s.step.flatMap((e) => this.exprs.rvalue(e) ?? []);
        const body = this.loopBody(s.body);
        this.scopes.pop();
        const initStmt: TStmt | undefined = init.length === 0 ? undefined : init.length === 1 ? init[0] : { k: "block", stmts: init };
        return [{ k: "for", init: initStmt, cond: s.cond && !cond ? UNKNOWN_CONDITION : cond, step, body }];
      }
      case "break":
      case "continue":
        if (this.loop.depth === 0) {
          this.diags.report(s.kind === "break" ? "E0501" : "E0502", s);
          return [];
        }
        return [{ k: s.kind }];
      case "return":
        return this.returnStatement(s);
      case "foreach":
        return this.forEach(s);
    }
  }

  /**
   * `for each (d in devices) body` is
   * `{ uint16_t d = DeviceGroup(""); uint16_t end = DeviceCount(); for (; d < end; d++) body }`
   * where `d` names a device in the body, not a number.
   */
  private forEach(s: ast.ForEachStmt): TStmt[] {
    const first = this.arylExprs.collection(s.collection);
    if (!first) return [];
    const handle: LocalVar = { name: s.variable.name, type: UINT16, isConst: true, span: s.variable, inLoop: this.loop.depth > 0 };
    const end: LocalVar = { name: `${s.variable.name}.end`, type: UINT16, isConst: true, span: s.variable, inLoop: handle.inLoop };
    const load = (v: LocalVar): TExpr => ({ k: "load", type: UINT16, place: { k: "local", v } });
    this.scopes.push(new Map());
    this.declareLocal(s.variable, { k: "device", v: handle });
    const body = this.loopBody(s.body);
    this.scopes.pop();
    return [
      {
        k: "block",
        stmts: [
          { k: "local", v: handle, init: first },
          { k: "local", v: end, init: this.arylExprs.deviceCount() },
          {
            k: "for",
            init: undefined,
            cond: { k: "compare", op: "lt", type: BOOL, signed: false, left: load(handle), right: load(end) },
            step: [{ k: "incdec", type: UINT16, place: { k: "local", v: handle }, delta: 1, prefix: true }],
            body,
          },
        ],
      },
    ];
  }

  private returnStatement(s: ast.ReturnStmt): TStmt[] {
    const fn = this.current!;
    if (!fn.result) {
      if (s.value) {
        const c = this.exprs.check(s.value);
        // `return f();` in a void function where f is void is harmless C; keep it an error only for values.
        if (c.k !== "void" && c.k !== "error") this.diags.report("E0504", s.value, fn.name);
        if (c.k === "void") return [{ k: "expr", e: c.e }, { k: "return", value: undefined }];
      }
      return [{ k: "return", value: undefined }];
    }
    if (!s.value) {
      this.diags.report("E0505", s, fn.name, typeName(fn.result));
      return [{ k: "return", value: undefined }];
    }
    // A return whose value failed to check still ends its path.
    return [{ k: "return", value: this.exprs.expect(s.value, fn.result) }];
  }

  private localVar(d: ast.VarDecl): TStmt[] {
    const type = this.varType(d);
    const inLoop = this.loop.depth > 0;
    if (!type) {
      if (d.init && !("items" in d.init)) this.exprs.check(d.init);
      this.declareLocal(d.name, { k: "poisoned" });
      return [];
    }
    if (d.isConst && !d.init) this.diags.report("E0308", d.name, d.name.name);
    if (type.kind === "array") {
      const v: StaticVar = { name: d.name.name, type, space: "memory", isConst: d.isConst, init: undefined, owner: this.current, span: d.name };
      const init = d.init ? this.arrayInit(d, type, false) : undefined;
      this.current!.localArrays.push(v);
      this.declareLocal(d.name, { k: "static", v });
      return [{ k: "localArray", v, init }];
    }
    let init: TExpr | undefined;
    if (d.init) {
      if ("items" in d.init) this.diags.report("E0318", d.init);
      else init = this.exprs.expect(d.init, type);
      if (!init) {
        this.declareLocal(d.name, { k: "poisoned" });
        return [];
      }
    }
    if (d.isConst && init?.k === "const" && type.kind !== "string") {
      this.declareLocal(d.name, { k: "const", name: d.name.name, type: type as IntType, value: init.value });
      return [];
    }
    const v: LocalVar = { name: d.name.name, type, isConst: d.isConst, span: d.name, inLoop };
    this.declareLocal(d.name, { k: "local", v });
    return [{ k: "local", v, init }];
  }

  // ------------------------------------------------------------ recursion

  /** Reports every local array of a function that can reach itself through calls. */
  private checkRecursion(): void {
    for (const fn of this.functions) {
      if (fn.localArrays.length === 0) continue;
      const cycle = findCycle(fn);
      if (!cycle) continue;
      const path = cycle.map((f) => f.name).join(" -> ");
      this.diags.report("E0506", fn.localArrays[0]!.span, fn.name, fn.localArrays[0]!.name, path);
    }
  }
}

/** A call path from `fn` back to itself (both ends included), if there is one. */
function findCycle(fn: FunctionInfo): FunctionInfo[] | undefined {
  const seen = new Set<FunctionInfo>();
  const path: FunctionInfo[] = [fn];
  const visit = (f: FunctionInfo): boolean => {
    for (const callee of f.callees) {
      if (callee === fn) {
        path.push(fn);
        return true;
      }
      if (seen.has(callee)) continue;
      seen.add(callee);
      path.push(callee);
      if (visit(callee)) return true;
      path.pop();
    }
    return false;
  };
  return visit(fn) ? path : undefined;
}

/** Whether a `break` in `s` leaves the loop `s` is the body of (not an inner loop). */
function breaksOut(s: TStmt): boolean {
  switch (s.k) {
    case "break":
      return true;
    case "block":
      return s.stmts.some(breaksOut);
    case "if":
      return breaksOut(s.then) || (s.else !== undefined && breaksOut(s.else));
    default:
      return false;
  }
}

function continues(s: TStmt): boolean {
  switch (s.k) {
    case "continue":
      return true;
    case "block":
      return s.stmts.some(continues);
    case "if":
      return continues(s.then) || (s.else !== undefined && continues(s.else));
    default:
      return false;
  }
}

/** Whether control can reach the end of `s` (C#'s "end point reachable", with constant conditions). */
export function completesNormally(s: TStmt): boolean {
  switch (s.k) {
    case "block":
      return s.stmts.every(completesNormally);
    case "return":
    case "break":
    case "continue":
      return false;
    case "if": {
      const c = constTruth(s.cond);
      if (c === true) return completesNormally(s.then);
      if (c === false) return s.else === undefined || completesNormally(s.else);
      return s.else === undefined || completesNormally(s.then) || completesNormally(s.else);
    }
    case "while":
      return constTruth(s.cond) !== true || breaksOut(s.body);
    case "for":
      return constTruth(s.cond) !== true || breaksOut(s.body);
    case "do":
      return breaksOut(s.body) || ((completesNormally(s.body) || continues(s.body)) && constTruth(s.cond) !== true);
    default:
      return true;
  }
}

/** Checks a parsed program against a device profile. */
export function check(program: ast.Program, profile: Profile, diags: DiagnosticBag, aryl?: ArylEnv): CheckedProgram {
  return new Checker(diags, profile, aryl).run(program);
}
