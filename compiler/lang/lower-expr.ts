// Typed expressions → IR. The stack discipline that shapes this file:
//  * operand order: the TOP of the stack is an instruction's FIRST operand, so
//    `a - b` needs `a` on top. Operands are evaluated left to right; where that
//    leaves them the wrong way round, they are evaluated right first when that
//    cannot be observed (both pure, or one constant), else swapped (SWAP1);
//  * SWAP/DUP need equal widths, so an address (16-bit) and a value of another
//    width are never swapped: a computed address that is needed twice goes to
//    a temporary local;
//  * jumps need an empty stack, so `&&`, `||` and `?:` used for their value
//    first spill whatever is pending into temporaries and leave their result
//    in one.

import { Op } from "../ir/opcodes.js";
import { ValueKind, type ValueType, type WidthCode } from "../ir/types.js";
import { isPure } from "./check-expr.js";
import type { Emitter, Label } from "./emitter.js";
import { arithOpcode, INTRINSIC_OPCODES, isCommutative } from "./fold.js";
import type { Layout } from "./layout.js";
import { isNodeCallee, type Callee, type LocalVar, type StaticVar, type TExpr, type TPlace } from "./tree.js";
import { bytesOf, intMax, intMin, widthOf, type IntType, type ScalarType } from "./types.js";

const ADDR: WidthCode = 1;
const BOOLW: WidthCode = 0;

export interface ExprEnv {
  em: Emitter;
  layout: Layout;
  importIndex(s: Callee): number;
  slotOf(v: LocalVar): number;
}

/** A truth value pushed as an 8-bit value: its truth is `(value != 0) XOR inverted`; `normalized` when it is 0 or 1. */
interface PushedCond {
  inverted: boolean;
  normalized: boolean;
}

function w(t: ScalarType): WidthCode {
  return widthOf(t);
}

function typeOf(e: TExpr): ScalarType {
  return e.type!;
}

function isConstant(e: TExpr): boolean {
  return e.k === "const" || e.k === "string" || e.k === "arrayAddress" || (e.k === "convert" && e.op === "retype" && isConstant(e.operand));
}

/** Whether evaluating `x` then `y` can be replaced by `y` then `x`. */
export function canReorder(x: TExpr, y: TExpr): boolean {
  return isConstant(x) || isConstant(y) || (isPure(x) && isPure(y));
}

function tempType(width: WidthCode): ValueType {
  return { kind: width === BOOLW ? ValueKind.Bool : ValueKind.Uint, width };
}

/** Small enough, and free of effects and faults (no calls, no computed addresses): may be evaluated when not needed. */
function isCheapAndSafe(e: TExpr, budget = { nodes: 6 }): boolean {
  if (--budget.nodes < 0) return false;
  switch (e.k) {
    case "const":
      return true;
    case "load":
      return e.place.k === "local" || (e.place.k === "static" && (e.place.index === undefined || e.place.index.k === "const"));
    case "not":
    case "neg":
    case "bitnot":
    case "convert":
      return isCheapAndSafe(e.operand, budget);
    case "compare":
    case "arith":
      return isCheapAndSafe(e.left, budget) && isCheapAndSafe(e.right, budget);
    default:
      return false;
  }
}

function log2(n: number): number | undefined {
  const l = Math.log2(n);
  return Number.isInteger(l) ? l : undefined;
}

export class ExprLowering {
  constructor(private readonly env: ExprEnv) {}

  private get em(): Emitter {
    return this.env.em;
  }

  // -------------------------------------------------------------- temporaries

  private temp(width: WidthCode): number {
    return this.em.frame.alloc(tempType(width)).slot;
  }

  private release(slot: number): void {
    this.em.frame.release(slot);
  }

  /** Moves every pending stack value into temporaries (before a jump); returns them bottom first. */
  private spill(): number[] {
    const slots: number[] = [];
    while (this.em.stack.length > 0) {
      const slot = this.temp(this.em.stack[this.em.stack.length - 1]!);
      this.em.lset(slot);
      slots.unshift(slot);
    }
    return slots;
  }

  private restore(slots: number[]): void {
    for (const s of slots) {
      this.em.lget(s);
      this.release(s);
    }
  }

  // -------------------------------------------------------------- entry points

  /** Leaves the value of `e` on the stack. */
  value(e: TExpr): void {
    const em = this.em;
    switch (e.k) {
      case "const":
        return em.pushConst(w(e.type), e.value);
      case "string":
        return em.pushConst(ADDR, BigInt(this.env.layout.stringAddress[e.literal]!));
      case "arrayAddress":
        return em.pushConst(ADDR, BigInt(this.address(e.target)));
      case "load":
        return this.load(e.place, w(e.type));
      case "neg":
        this.value(e.operand);
        em.pushConst(w(e.type), 0n);
        return em.op(Op.SUB, w(e.type), 2, w(e.type));
      case "bitnot":
        this.value(e.operand);
        return em.op(Op.NOT, w(e.type), 1, w(e.type));
      case "not":
      case "compare":
        return this.boolValue(e);
      case "arith":
        return this.arith(e);
      case "logical":
        return this.logicalValue(e);
      case "conditional":
        return this.conditionalValue(e);
      case "assign":
        return this.assign(e, true);
      case "incdec":
        return this.incdec(e, true);
      case "call":
      case "syscall":
        return this.call(e);
      case "intrinsic":
        return this.intrinsic(e);
      case "convert":
        return this.convert(e);
    }
  }

  /** Evaluates `e` for its side effects only; the stack is unchanged. */
  effect(e: TExpr): void {
    if (isPure(e)) return;
    switch (e.k) {
      case "assign":
        return this.assign(e, false);
      case "incdec":
        return this.incdec(e, false);
      case "call":
      case "syscall":
        this.call(e);
        if (e.type) this.em.drop(w(e.type));
        return;
      case "logical": {
        const end = this.em.newLabel();
        this.spillAround(() => {
          this.branch(e.left, end, e.op === "or");
          this.effect(e.right);
          this.em.place(end);
        });
        return;
      }
      case "conditional": {
        const otherwise = this.em.newLabel();
        const end = this.em.newLabel();
        this.spillAround(() => {
          this.branch(e.cond, otherwise, false);
          this.effect(e.then);
          this.em.jump(end);
          this.em.place(otherwise);
          this.effect(e.else);
          this.em.place(end);
        });
        return;
      }
      case "arith":
      case "compare":
        this.effect(e.left);
        return this.effect(e.right);
      case "intrinsic":
        return e.args.forEach((a) => this.effect(a));
      case "neg":
      case "bitnot":
      case "not":
      case "convert":
        return this.effect(e.operand);
      case "load":
        // A load whose index has side effects: evaluate it and drop the value.
        this.value(e);
        return this.em.drop(w(e.type));
      default:
        return;
    }
  }

  private spillAround(body: () => void): void {
    const saved = this.spill();
    body();
    this.restore(saved);
  }

  // -------------------------------------------------------------- conditions

  /**
   * Jumps to `target` when the truth of `e` equals `when`; falls through
   * otherwise. The stack must be empty (the caller spills).
   */
  branch(e: TExpr, target: Label, when: boolean): void {
    const em = this.em;
    if (e.k === "const") {
      if ((e.value !== 0n) === when) em.jump(target);
      return;
    }
    if (e.k === "not") return this.branch(e.operand, target, !when);
    if (e.k === "logical") {
      // when=false for &&: either side false jumps; when=true for ||: either side true jumps.
      if ((e.op === "and") !== when) {
        this.branch(e.left, target, when);
        this.branch(e.right, target, when);
      } else {
        const skip = em.newLabel();
        this.branch(e.left, skip, !when);
        this.branch(e.right, target, when);
        em.place(skip);
      }
      return;
    }
    const c = this.pushCond(e);
    if (when === c.inverted) em.op(Op.ISZERO, BOOLW, 1, BOOLW);
    em.jumpIf(target);
  }

  /** Pushes an 8-bit value whose non-zeroness (XOR `inverted`) is the truth of `e`, as cheaply as possible. */
  private pushCond(e: TExpr): PushedCond {
    const em = this.em;
    if (e.k === "not") {
      const c = this.pushCond(e.operand);
      return { inverted: !c.inverted, normalized: c.normalized };
    }
    if (e.k === "convert" && e.op === "tobool") {
      this.value(e.operand);
      const ow = w(typeOf(e.operand));
      if (ow === BOOLW) return { inverted: false, normalized: false };
      em.op(Op.ISZERO, ow, 1, BOOLW);
      return { inverted: true, normalized: true };
    }
    if (e.k === "compare") return this.compare(e);
    this.value(e);
    return { inverted: false, normalized: true };
  }

  private compare(e: Extract<TExpr, { k: "compare" }>): PushedCond {
    const em = this.em;
    const t = typeOf(e.left);
    const width = w(t);
    let { op } = e;
    let { left, right } = e;
    if (left.k === "const" && left.value === 0n && (op === "eq" || op === "ne")) [left, right] = [right, left];
    // `x <= c` is `x < c + 1` (and `x >= c` is `x > c - 1`) unless c is the extreme value: saves an ISZERO.
    if (t.kind === "int" && right.k === "const" && (op === "le" || op === "ge")) {
      const it = t as IntType;
      const v = it.signed ? BigInt.asIntN(it.bits, right.value) : right.value;
      if (op === "le" && v < intMax(it)) {
        op = "lt";
        right = { k: "const", type: it, value: BigInt.asUintN(it.bits, v + 1n) };
      } else if (op === "ge" && v > intMin(it)) {
        op = "gt";
        right = { k: "const", type: it, value: BigInt.asUintN(it.bits, v - 1n) };
      }
    }
    // Unsigned `x > 0` is `x != 0`, and `x <= 0` is `x == 0`.
    if (!e.signed && right.k === "const" && right.value === 0n && (op === "gt" || op === "le")) op = op === "gt" ? "ne" : "eq";
    if (right.k === "const" && right.value === 0n && (op === "eq" || op === "ne")) {
      this.value(left);
      // An 8-bit value is its own truth for a branch.
      if (op === "ne" && width === BOOLW) return { inverted: false, normalized: false };
      em.op(Op.ISZERO, width, 1, BOOLW);
      return { inverted: op === "ne", normalized: true };
    }
    this.value(left);
    this.value(right);
    // Stack: [left, right], right on top; LT computes top < next, i.e. right < left.
    const lt = e.signed ? Op.SLT : Op.LT;
    const gt = e.signed ? Op.SGT : Op.GT;
    switch (op) {
      case "eq":
        em.op(Op.EQ, width, 2, BOOLW);
        return { inverted: false, normalized: true };
      case "ne":
        em.op(Op.EQ, width, 2, BOOLW);
        return { inverted: true, normalized: true };
      case "lt":
        em.op(gt, width, 2, BOOLW);
        return { inverted: false, normalized: true };
      case "gt":
        em.op(lt, width, 2, BOOLW);
        return { inverted: false, normalized: true };
      case "le":
        em.op(lt, width, 2, BOOLW);
        return { inverted: true, normalized: true };
      case "ge":
        em.op(gt, width, 2, BOOLW);
        return { inverted: true, normalized: true };
    }
  }

  /** A boolean result (0 or 1) of any bool-typed expression. */
  private boolValue(e: TExpr): void {
    if (e.k !== "not" && e.k !== "compare" && !(e.k === "convert" && e.op === "tobool")) return this.value(e);
    const c = this.pushCond(e);
    let inverted = c.inverted;
    if (!c.normalized) {
      this.em.op(Op.ISZERO, BOOLW, 1, BOOLW);
      inverted = !inverted;
    }
    if (inverted) this.em.op(Op.ISZERO, BOOLW, 1, BOOLW);
  }

  /** `a && b` / `a || b` for its value: the left value decides whether the right one is computed. */
  private logicalValue(e: Extract<TExpr, { k: "logical" }>): void {
    const em = this.em;
    if (isCheapAndSafe(e.right)) {
      // Computing the right side anyway is unobservable and cheaper than a jump.
      this.boolValue(e.left);
      this.boolValue(e.right);
      return em.op(e.op === "and" ? Op.AND : Op.OR, BOOLW, 2, BOOLW);
    }
    const saved = this.spill();
    const result = this.temp(BOOLW);
    const end = em.newLabel();
    this.value(e.left);
    em.dup(1, BOOLW);
    em.lset(result);
    if (e.op === "and") em.op(Op.ISZERO, BOOLW, 1, BOOLW);
    em.jumpIf(end);
    this.value(e.right);
    em.lset(result);
    em.place(end);
    this.restore(saved);
    em.lget(result);
    this.release(result);
  }

  private conditionalValue(e: Extract<TExpr, { k: "conditional" }>): void {
    const em = this.em;
    const saved = this.spill();
    const result = this.temp(w(e.type));
    const otherwise = em.newLabel();
    const end = em.newLabel();
    this.branch(e.cond, otherwise, false);
    this.value(e.then);
    em.lset(result);
    em.jump(end);
    em.place(otherwise);
    this.value(e.else);
    em.lset(result);
    em.place(end);
    this.restore(saved);
    em.lget(result);
    this.release(result);
  }

  // -------------------------------------------------------------- arithmetic

  private arith(e: Extract<TExpr, { k: "arith" }>): void {
    const width = w(e.type);
    const signed = e.type.kind === "int" && e.type.signed;
    const code = arithOpcode(e.op, signed);
    if (isCommutative(e.op) || e.op === "shl" || e.op === "shr") {
      // Commutative, or already in order: SHL/SHR/SAR take the count on top.
      this.value(e.left);
      this.value(e.right);
    } else if (canReorder(e.left, e.right)) {
      this.value(e.right);
      this.value(e.left);
    } else {
      this.value(e.left);
      this.value(e.right);
      this.em.swap(1, width);
    }
    this.em.op(code, width, 2, width);
  }

  private intrinsic(e: Extract<TExpr, { k: "intrinsic" }>): void {
    const width = w(e.type);
    const code = INTRINSIC_OPCODES[e.name];
    const args = e.args;
    // The first argument must end on top.
    if (args.length === 3) {
      if (args.every(isPure)) {
        this.value(args[2]!);
        this.value(args[1]!);
        this.value(args[0]!);
      } else {
        args.forEach((a) => this.value(a));
        this.em.swap(2, width);
      }
      return this.em.op(code, width, 3, width);
    }
    if (canReorder(args[0]!, args[1]!)) {
      this.value(args[1]!);
      this.value(args[0]!);
    } else {
      this.value(args[0]!);
      this.value(args[1]!);
      this.em.swap(1, width);
    }
    this.em.op(code, width, 2, width);
  }

  private convert(e: Extract<TExpr, { k: "convert" }>): void {
    if (e.op === "tobool") return this.boolValue(e);
    this.value(e.operand);
    if (e.op === "retype") return;
    const from = w(typeOf(e.operand));
    const to = w(e.type);
    this.em.convert(e.op === "zext" ? Op.ZEXT : e.op === "sext" ? Op.SEXT : Op.TRUNC, from, to);
  }

  private call(e: Extract<TExpr, { k: "call" | "syscall" }>): void {
    for (const a of e.args) this.value(a);
    const result = e.type ? w(e.type) : undefined;
    if (e.k === "call") this.em.call(Op.CALLF, e.fn.index, e.args.length, result);
    else this.em.call(isNodeCallee(e.syscall) ? Op.NCALL : Op.SYSCALL, this.env.importIndex(e.syscall), e.args.length, result);
  }

  // -------------------------------------------------------------- places

  private address(v: StaticVar): number {
    return this.env.layout.address.get(v)!;
  }

  /** The place's address when it is known at compile time. */
  private staticAddress(p: TPlace): number | undefined {
    if (p.k !== "static") return undefined;
    if (p.index === undefined) return this.address(p.v);
    if (p.index.k === "const") return this.address(p.v) + Number(p.index.value) * bytesOf(p.elem);
    return undefined;
  }

  private isStorage(p: TPlace): boolean {
    return p.k === "static" && p.v.space === "storage";
  }

  /** Pushes the 16-bit address of a place whose address is computed at run time. */
  private pushComputedAddress(p: Extract<TPlace, { k: "static" | "deref" }>): void {
    const em = this.em;
    if (p.k === "deref") {
      this.value(p.pointer);
      if (p.index.k === "const") {
        if (p.index.value !== 0n) {
          em.pushConst(ADDR, BigInt.asUintN(16, p.index.value));
          em.op(Op.ADD, ADDR, 2, ADDR);
        }
        return;
      }
      this.indexToAddressWidth(p.index);
      return em.op(Op.ADD, ADDR, 2, ADDR);
    }
    this.indexToAddressWidth(p.index!);
    const size = bytesOf(p.elem);
    if (size > 1) {
      const shift = log2(size);
      if (shift !== undefined) {
        em.pushConst(ADDR, BigInt(shift));
        em.op(Op.SHL, ADDR, 2, ADDR);
      } else {
        em.pushConst(ADDR, BigInt(size));
        em.op(Op.MUL, ADDR, 2, ADDR);
      }
    }
    em.pushConst(ADDR, BigInt(this.address(p.v)));
    em.op(Op.ADD, ADDR, 2, ADDR);
  }

  /** An index value brought to 16 bits (address arithmetic wraps modulo 2^16). */
  private indexToAddressWidth(index: TExpr): void {
    this.value(index);
    const t = typeOf(index);
    const from = w(t);
    if (from === ADDR) return;
    const signed = t.kind === "int" && t.signed;
    if (from < ADDR) this.em.convert(signed ? Op.SEXT : Op.ZEXT, from, ADDR);
    else this.em.convert(Op.TRUNC, from, ADDR);
  }

  private load(p: TPlace, width: WidthCode): void {
    if (p.k === "local") return this.em.lget(this.env.slotOf(p.v));
    const fixed = this.staticAddress(p);
    if (fixed !== undefined) this.em.pushAddress(fixed, width);
    else this.pushComputedAddress(p as Extract<TPlace, { k: "static" | "deref" }>);
    this.em.load(this.isStorage(p), width);
  }

  /**
   * Stores into a place. `pushValue` leaves the new value (of the place's
   * width) on the stack; with `keep` a copy stays as the expression's value.
   * The place's own subexpressions (index, pointer) are evaluated before the
   * value unless the order cannot be observed.
   */
  private store(p: TPlace, width: WidthCode, valueExpr: TExpr | undefined, pushValue: () => void, keep: boolean): void {
    const em = this.em;
    if (p.k === "local") {
      pushValue();
      if (keep) em.dup(1, width);
      return em.lset(this.env.slotOf(p.v));
    }
    const storage = this.isStorage(p);
    const fixed = this.staticAddress(p);
    if (fixed !== undefined) {
      pushValue();
      if (keep) em.dup(1, width);
      em.pushAddress(fixed, width);
      return em.store(storage, width);
    }
    const dyn = p as Extract<TPlace, { k: "static" | "deref" }>;
    const addressParts = dyn.k === "deref" ? [dyn.pointer, dyn.index] : [dyn.index!];
    if (valueExpr && addressParts.every((a) => canReorder(a, valueExpr))) {
      pushValue();
      if (keep) em.dup(1, width);
      this.pushComputedAddress(dyn);
      return em.store(storage, width);
    }
    const addr = this.temp(ADDR);
    this.pushComputedAddress(dyn);
    em.lset(addr);
    pushValue();
    if (keep) em.dup(1, width);
    em.lget(addr);
    this.release(addr);
    em.store(storage, width);
  }

  private assign(e: Extract<TExpr, { k: "assign" }>, keep: boolean): void {
    const width = w(e.type);
    if (e.op === undefined) return this.store(e.place, width, e.value, () => this.value(e.value), keep);
    const op = e.op;
    const signed = e.type.kind === "int" && e.type.signed;
    this.readModifyWrite(e.place, width, keep, (pushOld) => {
      if (isCommutative(op) || op === "shl" || op === "shr") {
        pushOld();
        this.value(e.value);
      } else if (isPure(e.value)) {
        this.value(e.value);
        pushOld();
      } else {
        pushOld();
        this.value(e.value);
        this.em.swap(1, width);
      }
      this.em.op(arithOpcode(op, signed), width, 2, width);
    });
  }

  private incdec(e: Extract<TExpr, { k: "incdec" }>, keep: boolean): void {
    const width = w(e.type);
    const em = this.em;
    const postfixValue = keep && !e.prefix;
    this.readModifyWrite(e.place, width, keep && e.prefix, (pushOld) => {
      if (postfixValue) {
        pushOld();
        em.dup(1, width);
        em.pushConst(width, 1n);
        if (e.delta < 0) em.swap(1, width);
      } else if (e.delta < 0) {
        em.pushConst(width, 1n);
        pushOld();
      } else {
        pushOld();
        em.pushConst(width, 1n);
      }
      em.op(e.delta < 0 ? Op.SUB : Op.ADD, width, 2, width);
    });
  }

  /**
   * `compute(pushOld)` leaves the new value on the stack, calling `pushOld`
   * once to push the place's current value. A computed address is evaluated
   * once, into a temporary.
   */
  private readModifyWrite(p: TPlace, width: WidthCode, keep: boolean, compute: (pushOld: () => void) => void): void {
    const em = this.em;
    if (p.k === "local") {
      const slot = this.env.slotOf(p.v);
      compute(() => em.lget(slot));
      if (keep) em.dup(1, width);
      return em.lset(slot);
    }
    const storage = this.isStorage(p);
    const fixed = this.staticAddress(p);
    if (fixed !== undefined) {
      compute(() => {
        em.pushAddress(fixed, width);
        em.load(storage, width);
      });
      if (keep) em.dup(1, width);
      em.pushAddress(fixed, width);
      return em.store(storage, width);
    }
    const addr = this.temp(ADDR);
    this.pushComputedAddress(p as Extract<TPlace, { k: "static" | "deref" }>);
    em.lset(addr);
    compute(() => {
      em.lget(addr);
      em.load(storage, width);
    });
    if (keep) em.dup(1, width);
    em.lget(addr);
    this.release(addr);
    em.store(storage, width);
  }
}
