// Writes one function's IR code. It tracks what the verifier will track (the
// bit mode and the widths on the operand stack) so that the lowering can ask
// for "an 8-bit ADD" and get a MODE8 only when the width really changes, and
// can spill the stack into temporaries before a jump. It drops everything
// emitted where control cannot arrive (after RETF or RJUMP, until a label
// that something jumps to), which the verifier would reject.

import { encodeTypeByte, type ValueType, type WidthCode } from "../ir/types.js";
import { Op } from "../ir/opcodes.js";

const ADDRESS: WidthCode = 1;
const BOOL: WidthCode = 0;

export interface Label {
  /** Code offset of the JUMPDEST, once placed. */
  at: number | undefined;
  /** Offsets of the rel16 fields that jump here. */
  refs: number[];
}

/** Frame locals of one function: parameters first, then locals and temporaries, reused by type. */
export class Frame {
  readonly locals: ValueType[] = [];
  readonly offsets: number[] = [];
  private size = 0;
  private readonly free = new Map<number, number[]>();

  /** Appends a slot that is never released (parameters). */
  add(t: ValueType): number {
    this.locals.push(t);
    this.offsets.push(this.size);
    this.size += [1, 2, 4, 8, 32][t.width]!;
    return this.locals.length - 1;
  }

  /** A slot of type `t`; `fresh` when it was never used before (so it still holds zero from the frame's start). */
  alloc(t: ValueType): { slot: number; fresh: boolean } {
    const list = this.free.get(encodeTypeByte(t));
    const reused = list?.pop();
    if (reused !== undefined) return { slot: reused, fresh: false };
    return { slot: this.add(t), fresh: true };
  }

  release(slot: number): void {
    const key = encodeTypeByte(this.locals[slot]!);
    const list = this.free.get(key) ?? [];
    list.push(slot);
    this.free.set(key, list);
  }

  /** The frame offset of the last local: LGET/LSET immediates are one byte. */
  get lastOffset(): number {
    return this.offsets.length === 0 ? 0 : this.offsets[this.offsets.length - 1]!;
  }

  get bytes(): number {
    return this.size;
  }
}

function minimalBytes(value: bigint): number[] {
  const out: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn));
  return out;
}

export class Emitter {
  private readonly code: number[] = [];
  /** The bit mode at the current position. */
  mode: WidthCode = 0;
  /** Widths of the values on the operand stack, bottom first. */
  readonly stack: WidthCode[] = [];
  /** False after an unconditional transfer, until a label that is jumped to. */
  reachable = true;
  private readonly labels: Label[] = [];
  /** Offset of the last JUMPDEST emitted, to let adjacent labels share it (none yet: never code.length - 1). */
  private lastJumpdest = -2;

  constructor(readonly frame: Frame) {}

  private raw(...bytes: number[]): void {
    if (this.reachable) this.code.push(...bytes);
  }

  private pop(n = 1): void {
    if (!this.reachable) return;
    if (this.stack.length < n) throw new Error(`emitter: stack underflow (${n} > ${this.stack.length})`);
    this.stack.length -= n;
  }

  private pushW(w: WidthCode): void {
    if (this.reachable) this.stack.push(w);
  }

  setMode(w: WidthCode): void {
    if (this.reachable && this.mode !== w) {
      this.raw(Op.MODE8 + w);
      this.mode = w;
    }
  }

  /** Pushes a constant of width `w` (bits, unsigned) with the shortest PUSH. */
  pushConst(w: WidthCode, value: bigint): void {
    this.setMode(w);
    const bytes = minimalBytes(value);
    if (bytes.length === 0) this.raw(Op.PUSH0);
    else this.raw(Op.PUSH0 + bytes.length, ...bytes);
    this.pushW(w);
  }

  /**
   * Pushes a 16-bit address for an access at width `access`: either in 16-bit
   * mode, or in the access's own mode followed by ZEXT/TRUNC, whichever needs
   * fewer instructions from the current mode.
   */
  pushAddress(address: number, access: WidthCode): void {
    const bytes = minimalBytes(BigInt(address));
    const inAccessMode = access !== BOOL || bytes.length <= 1;
    const switchCost = (w: WidthCode): number => (this.mode === w ? 0 : 1);
    const costHere = switchCost(access) + 1 + (access === ADDRESS ? 0 : 1);
    const cost16 = switchCost(ADDRESS) + 1 + (access === ADDRESS ? 0 : 1);
    if (inAccessMode && costHere < cost16) {
      this.setMode(access);
      this.raw(bytes.length === 0 ? Op.PUSH0 : Op.PUSH0 + bytes.length, ...bytes);
      this.raw(access < ADDRESS ? Op.ZEXT : Op.TRUNC, ADDRESS);
    } else {
      this.setMode(ADDRESS);
      this.raw(bytes.length === 0 ? Op.PUSH0 : Op.PUSH0 + bytes.length, ...bytes);
    }
    this.pushW(ADDRESS);
  }

  /** An operation popping `pops` values of width `w` and pushing one of width `result` (or nothing). */
  op(opcode: number, w: WidthCode, pops: number, result: WidthCode | undefined): void {
    this.setMode(w);
    this.raw(opcode);
    this.pop(pops);
    if (result !== undefined) this.pushW(result);
  }

  /** MLOAD/SLOAD at width `w` from the address on top. */
  load(storage: boolean, w: WidthCode): void {
    this.setMode(w);
    this.raw(storage ? Op.SLOAD : Op.MLOAD);
    this.pop();
    this.pushW(w);
  }

  /** MSTORE/SSTORE at width `w`: address on top, value below. */
  store(storage: boolean, w: WidthCode): void {
    this.setMode(w);
    this.raw(storage ? Op.SSTORE : Op.MSTORE);
    this.pop(2);
  }

  dup(n: number, w: WidthCode): void {
    this.setMode(w);
    this.raw(Op.DUP1 + n - 1);
    this.pushW(w);
  }

  swap(n: number, w: WidthCode): void {
    this.setMode(w);
    this.raw(Op.SWAP1 + n - 1);
  }

  drop(w: WidthCode): void {
    this.op(Op.POP, w, 1, undefined);
  }

  convert(opcode: number, from: WidthCode, to: WidthCode): void {
    this.setMode(from);
    this.raw(opcode, to);
    this.pop();
    this.pushW(to);
  }

  lget(slot: number): void {
    this.setMode(this.frame.locals[slot]!.width);
    this.raw(Op.LGET, this.frame.offsets[slot]!);
    this.pushW(this.frame.locals[slot]!.width);
  }

  lset(slot: number): void {
    this.setMode(this.frame.locals[slot]!.width);
    this.raw(Op.LSET, this.frame.offsets[slot]!);
    this.pop();
  }

  /** CALLF/SYSCALL: pops the arguments, pushes the result; the mode is unchanged. */
  call(opcode: number, index: number, argCount: number, result: WidthCode | undefined): void {
    this.raw(opcode, index);
    this.pop(argCount);
    if (result !== undefined) this.pushW(result);
  }

  /** RETF (result, if any, on the stack) or INVALID: ends straight-line code. */
  terminal(opcode: number): void {
    this.raw(opcode);
    if (this.reachable) this.stack.length = 0;
    this.reachable = false;
  }

  // ------------------------------------------------------------ labels

  newLabel(): Label {
    const l: Label = { at: undefined, refs: [] };
    this.labels.push(l);
    return l;
  }

  private jumpTo(opcode: number, l: Label): void {
    if (!this.reachable) return;
    if (this.stack.length !== 0) throw new Error(`emitter: jump with ${this.stack.length} value(s) on the stack`);
    this.raw(opcode, 0, 0);
    l.refs.push(this.code.length - 2);
  }

  jump(l: Label): void {
    this.jumpTo(Op.RJUMP, l);
    this.reachable = false;
  }

  /** RJUMPI: pops the 8-bit condition on top; the stack must then be empty. */
  jumpIf(l: Label): void {
    if (!this.reachable) return;
    if (this.stack.length !== 1 || this.stack[0] !== BOOL) throw new Error("emitter: RJUMPI needs exactly one 8-bit condition");
    this.stack.length = 0;
    this.raw(Op.RJUMPI, 0, 0);
    l.refs.push(this.code.length - 2);
  }

  /**
   * Places a label: a JUMPDEST if anything jumped here (or `backward` jumps
   * will), and the code after it is reachable again. A JUMPDEST resets the
   * mode to 8.
   */
  place(l: Label, backward = false): void {
    if (l.refs.length === 0 && !backward) return;
    if (!this.reachable && l.refs.length === 0) return;
    if (this.reachable && this.stack.length !== 0) throw new Error(`emitter: label with ${this.stack.length} value(s) on the stack`);
    if (this.reachable && this.lastJumpdest === this.code.length - 1) {
      l.at = this.lastJumpdest;
      return;
    }
    this.reachable = true;
    this.lastJumpdest = this.code.length;
    l.at = this.code.length;
    this.code.push(Op.JUMPDEST);
    this.mode = 0;
  }

  get length(): number {
    return this.code.length;
  }

  /** The finished code, with every jump offset filled in. */
  finish(): Uint8Array {
    for (const l of this.labels) {
      for (const ref of l.refs) {
        if (l.at === undefined) throw new Error("emitter: jump to a label that was never placed");
        const rel = l.at - (ref + 2);
        if (rel < -0x8000 || rel > 0x7fff) throw new Error("emitter: jump offset out of range");
        this.code[ref] = (rel >> 8) & 0xff;
        this.code[ref + 1] = rel & 0xff;
      }
    }
    return Uint8Array.from(this.code);
  }
}
