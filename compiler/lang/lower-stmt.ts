// Typed statements of one function → IR code. Loops are emitted with the
// condition at the bottom (tested once before entry when it is small), so an
// iteration costs one RJUMPI and one JUMPDEST. Statements that control cannot
// reach are not emitted at all: the language has no goto, so nothing can jump
// into them.

import { Op } from "../ir/opcodes.js";
import { Emitter, Frame, type Label } from "./emitter.js";
import { ExprLowering, type ExprEnv } from "./lower-expr.js";
import type { Layout } from "./layout.js";
import { constTruth, type Callee, type FunctionInfo, type LocalVar, type TExpr, type TStmt } from "./tree.js";
import { bytesOf, valueTypeOf, widthOf } from "./types.js";

/** Conditions up to this many nodes are duplicated to put the loop test at the bottom. */
const SMALL_CONDITION = 12;

interface Loop {
  exit: Label;
  next: Label;
}

function size(e: TExpr): number {
  switch (e.k) {
    case "const":
    case "string":
    case "arrayAddress":
      return 1;
    case "load":
      return 1 + (e.place.k === "static" && e.place.index ? size(e.place.index) : e.place.k === "deref" ? size(e.place.pointer) + size(e.place.index) : 0);
    case "neg":
    case "bitnot":
    case "not":
    case "convert":
      return 1 + size(e.operand);
    case "arith":
    case "compare":
    case "logical":
      return 1 + size(e.left) + size(e.right);
    default:
      return SMALL_CONDITION + 1;
  }
}

export interface LoweredFunction {
  code: Uint8Array;
  frame: Frame;
}

export class FunctionLowering {
  private readonly em: Emitter;
  private readonly exprs: ExprLowering;
  private readonly slots = new Map<LocalVar, number>();
  private readonly loops: Loop[] = [];

  constructor(
    private readonly fn: FunctionInfo,
    private readonly layout: Layout,
    importIndex: (s: Callee) => number,
  ) {
    const frame = new Frame();
    this.em = new Emitter(frame);
    for (const p of fn.params) this.slots.set(p, frame.add(valueTypeOf(p.type)));
    const env: ExprEnv = {
      em: this.em,
      layout,
      importIndex,
      slotOf: (v) => {
        const slot = this.slots.get(v);
        if (slot === undefined) throw new Error(`lowering: local ${v.name} has no slot`);
        return slot;
      },
    };
    this.exprs = new ExprLowering(env);
  }

  run(): LoweredFunction {
    const body = this.fn.body!;
    this.statement(body);
    if (this.em.reachable) {
      // The checker proves non-void functions return on every path; a trap
      // keeps the code verifiable should that analysis ever be less precise.
      this.em.terminal(this.fn.result ? Op.INVALID : Op.RETF);
    }
    return { code: this.em.finish(), frame: this.em.frame };
  }

  private statement(s: TStmt): void {
    if (!this.em.reachable) return;
    const em = this.em;
    switch (s.k) {
      case "block": {
        const declared: LocalVar[] = [];
        for (const st of s.stmts) {
          this.statement(st);
          if (st.k === "local" && this.slots.has(st.v)) declared.push(st.v);
        }
        for (const v of declared) this.free(v);
        return;
      }
      case "local":
        return this.local(s.v, s.init);
      case "localArray":
        return this.localArray(s);
      case "expr":
        return this.exprs.effect(s.e);
      case "if":
        return this.ifStatement(s);
      case "while":
        return this.loop(s.cond, [], s.body, false);
      case "for": {
        // The init's variables live until the loop ends (not just to the end of the init).
        const inits = s.init === undefined ? [] : s.init.k === "block" ? s.init.stmts : [s.init];
        for (const st of inits) this.statement(st);
        this.loop(s.cond, s.step, s.body, false);
        for (const st of inits) if (st.k === "local") this.free(st.v);
        return;
      }
      case "do":
        return this.loop(s.cond, [], s.body, true);
      case "break":
        return em.jump(this.loops[this.loops.length - 1]!.exit);
      case "continue":
        return em.jump(this.loops[this.loops.length - 1]!.next);
      case "return":
        if (s.value) this.exprs.value(s.value);
        return em.terminal(Op.RETF);
    }
  }

  private free(v: LocalVar): void {
    const slot = this.slots.get(v);
    if (slot === undefined) return;
    this.em.frame.release(slot);
    this.slots.delete(v);
  }

  private local(v: LocalVar, init: TExpr | undefined): void {
    const { slot, fresh } = this.em.frame.alloc(valueTypeOf(v.type));
    if (init) {
      this.exprs.value(init);
      this.em.lset(slot);
    } else if (!fresh || v.inLoop) {
      // A fresh slot still holds the zero every frame starts with.
      this.em.pushConst(widthOf(v.type), 0n);
      this.em.lset(slot);
    }
    this.slots.set(v, slot);
  }

  private localArray(s: Extract<TStmt, { k: "localArray" }>): void {
    if (!s.init) return;
    const base = this.layout.address.get(s.v)!;
    const type = s.v.type;
    if (type.kind !== "array") return;
    const elemSize = bytesOf(type.elem);
    const width = widthOf(type.elem);
    s.init.forEach((e, i) => {
      this.exprs.value(e);
      this.em.pushAddress(base + i * elemSize, width);
      this.em.store(false, width);
    });
  }

  private ifStatement(s: Extract<TStmt, { k: "if" }>): void {
    const em = this.em;
    const truth = constTruth(s.cond);
    if (truth === true) return this.statement(s.then);
    if (truth === false) {
      if (s.else) this.statement(s.else);
      return;
    }
    const end = em.newLabel();
    const otherwise = s.else ? em.newLabel() : end;
    this.exprs.branch(s.cond, otherwise, false);
    this.statement(s.then);
    if (s.else) {
      em.jump(end);
      em.place(otherwise);
      this.statement(s.else);
    }
    em.place(end);
  }

  /**
   * while (`bottomOnly` false) and do-while (true) loops; `step` runs before
   * each re-test (for loops). Shapes:
   *   constant true:  top: body; next: step; RJUMP top
   *   small cond:     if !cond goto exit; top: body; next: step; if cond goto top
   *   large cond:     top: if !cond goto exit; body; next: step; RJUMP top
   */
  private loop(cond: TExpr | undefined, step: TExpr[], body: TStmt, bottomOnly: boolean): void {
    const em = this.em;
    const truth = constTruth(cond);
    if (truth === false && !bottomOnly) return;
    const exit = em.newLabel();
    const next = em.newLabel();
    const top = em.newLabel();
    const inverted = bottomOnly || truth === true || size(cond!) <= SMALL_CONDITION;
    if (inverted && !bottomOnly && truth !== true) this.exprs.branch(cond!, exit, false);
    em.place(top, truth !== false);
    if (!inverted) this.exprs.branch(cond!, exit, false);
    this.loops.push({ exit, next });
    this.statement(body);
    this.loops.pop();
    em.place(next);
    for (const e of step) this.exprs.effect(e);
    if (!inverted || truth === true) em.jump(top);
    else if (truth === undefined) this.exprs.branch(cond!, top, true);
    em.place(exit);
  }
}
