// The per-function half of the verifier (docs/ir.md §5): one linear pass over
// a function's code that keeps the bit mode and the list of operand widths.
//
// The pass is written to be transcribed into C for a 512-byte-RAM MCU: besides
// the width list it keeps O(1) state. In particular there is no bitmap of
// instruction starts: whether a jump target starts an instruction is found by
// re-walking the code (InstructionStarts below). A plain re-walk from the
// function start per jump is quadratic (about 6 s in TypeScript for a crafted
// 64 KB function of back jumps), so the walker keeps a fixed number of
// checkpoints; the answer never depends on how many.
//
// Within one instruction the checks run in this order, so that every engine
// reports the same first error: opcode, unreachable, truncated; then the
// immediate (push-width, convert, local, call, import, jump-target); then the
// feature it needs; then its operands (underflow, width, return); then what it
// leaves (max-stack, jump-stack). A terminal instruction empties the stack: the
// JUMPDEST that must follow it is reached only by jumps, with an empty stack.

import { Feature, type Image, type IrFunction } from "./image.js";
import { immediateSize, Op, OPCODE_BY_BYTE, type OpcodeInfo, type OperandClass } from "./opcodes.js";
import { ADDRESS_WIDTH, BOOL_WIDTH, isWidthCode, widthBits, widthBytes, type ValueType, type WidthCode } from "./types.js";

/** A rejection: absolute byte offset in the image, the rule of docs/ir.md §5/§6, and one line naming what is wrong. */
export interface VerifyError {
  offset: number;
  rule: string;
  message: string;
}

export type CodeCheck = { ok: true; maxStack: number; features: number } | { ok: false; error: VerifyError };

export interface CodeCheckOptions {
  /** Image offset of the function's first code byte (0 when the code is not encoded yet). */
  codeBase: number;
  /** Operand-stack bytes the code may reach: the declared maxStack, or the u16 field's limit. */
  stackLimit: number;
  /** True when stackLimit is the function's declared maxStack (changes only the message). */
  stackLimitDeclared: boolean;
  /** Feature bits the code may use; using any other one is a "feature" error at the instruction. */
  allowedFeatures: number;
  /** Called before each instruction is checked with its offset, the mode and the operand widths (bottom first); the AOT back end types its C stack slots from it. */
  observe?: (pc: number, mode: WidthCode, widths: readonly WidthCode[]) => void;
}

/** The largest value the maxStack field (u16) can hold. */
export const MAX_STACK_LIMIT = 0xffff;

/** Feature bits a value of this width needs. */
export function widthFeature(w: number): number {
  if (w === 3) return Feature.Width64;
  if (w === 4) return Feature.Width256;
  return 0;
}

/** Feature bits needed by a list of types and an optional result (locals, import signatures). */
export function typeFeatures(types: readonly ValueType[], result: ValueType | undefined): number {
  let f = result ? widthFeature(result.width) : 0;
  for (const t of types) f |= widthFeature(t.width);
  return f;
}

const FEATURE_LABELS: ReadonlyArray<[number, string]> = [
  [Feature.Width64, "64-bit support"],
  [Feature.Width256, "256-bit support"],
  [Feature.Storage, "storage"],
  [Feature.NodeCalls, "node calls"],
];

export function featureLabel(bits: number): string {
  return FEATURE_LABELS.filter(([b]) => bits & b)
    .map(([, l]) => l)
    .join(", ");
}

function bitsLabel(w: number): string {
  return `${widthBits(w as WidthCode)}-bit`;
}

function signedRel16(code: Uint8Array, at: number): number {
  const u = (code[at]! << 8) | code[at + 1]!;
  return u >= 0x8000 ? u - 0x10000 : u;
}

/** Checkpoints per function: 64 in TypeScript; a device can use fewer (the answers do not change). */
const CHECKPOINTS = 64;

/**
 * Answers "does an instruction start at offset T?" with O(1) memory. One
 * walker steps through the code from 0 instruction by instruction (bytes that
 * are not opcodes count as one byte: the linear pass rejects them when it gets
 * there) and only moves forward, as far as the furthest target asked about.
 * While walking it records, for each of CHECKPOINTS equal slices of the code,
 * the first instruction start at or after the slice's start; a target behind
 * the walker is then answered by walking from its slice's checkpoint, at most
 * one slice.
 */
export class InstructionStarts {
  private frontier = 0;
  private readonly stride: number;
  private readonly checkpoints: number[] = [0];

  constructor(private readonly code: Uint8Array) {
    this.stride = Math.max(1, Math.ceil(code.length / CHECKPOINTS));
  }

  private sizeAt(p: number): number {
    const info = OPCODE_BY_BYTE[this.code[p]!];
    return info ? 1 + immediateSize(info) : 1;
  }

  private advance(): void {
    const next = this.frontier + this.sizeAt(this.frontier);
    for (let k = Math.floor(this.frontier / this.stride) + 1; k < CHECKPOINTS && k * this.stride <= next; k++) this.checkpoints[k] = next;
    this.frontier = next;
  }

  /** `target` must lie inside the code. */
  isStart(target: number): boolean {
    if (target >= this.frontier) {
      while (this.frontier < target) this.advance();
      return this.frontier === target;
    }
    // The walker has passed the slice's start, so its checkpoint is recorded.
    let p = this.checkpoints[Math.floor(target / this.stride)]!;
    while (p < target) p += this.sizeAt(p);
    return p === target;
  }
}

type Step = VerifyError | undefined;

class CodePass {
  private readonly widths: WidthCode[] = [];
  private stackBytes = 0;
  peak = 0;
  features = 0;
  private mode: WidthCode = 0;
  private starts: InstructionStarts | undefined;

  constructor(
    private readonly fn: IrFunction,
    private readonly image: Image,
    private readonly options: CodeCheckOptions,
  ) {}

  fail(pc: number, rule: string, message: string): VerifyError {
    return { offset: this.options.codeBase + pc, rule, message: `function ${this.fn.name}: ${message}` };
  }

  /** Runs the whole pass; returns the first error, if any. */
  run(): Step {
    const code = this.fn.code;
    if (code.length === 0) return this.fail(0, "fallthrough", "has no code");
    let pc = 0;
    let lastStart = 0;
    let previous: OpcodeInfo | undefined;
    while (pc < code.length) {
      const info = OPCODE_BY_BYTE[code[pc]!];
      if (!info) return this.fail(pc, "opcode", `byte 0x${code[pc]!.toString(16).padStart(2, "0")} is not an opcode`);
      if (previous?.terminal && info.byte !== Op.JUMPDEST)
        return this.fail(pc, "unreachable", `${info.name} after ${previous.name} can never run (only a JUMPDEST may follow a terminal instruction)`);
      const size = 1 + immediateSize(info);
      if (pc + size > code.length)
        return this.fail(pc, "truncated", `${info.name} needs ${size - 1} immediate byte(s), the code has ${code.length - pc - 1} left`);
      this.options.observe?.(pc, this.mode, this.widths);
      const err = this.step(info, pc);
      if (err) return err;
      if (info.terminal) this.clearStack();
      previous = info;
      lastStart = pc;
      pc += size;
    }
    if (!previous!.terminal)
      return this.fail(lastStart, "fallthrough", `the last instruction ${previous!.name} is not STOP, RETF, RJUMP or INVALID`);
    return undefined;
  }

  private useFeature(pc: number, bit: number, what: string): Step {
    this.features |= bit;
    if (this.options.allowedFeatures & bit) return undefined;
    return this.fail(pc, "feature", `${what} needs ${featureLabel(bit)}, which the header does not declare`);
  }

  private clearStack(): void {
    this.widths.length = 0;
    this.stackBytes = 0;
  }

  private underflow(pc: number, info: OpcodeInfo, count: number): Step {
    if (this.widths.length >= count) return undefined;
    return this.fail(pc, "underflow", `${info.name} needs ${count} value${count === 1 ? "" : "s"}, stack has ${this.widths.length}`);
  }

  /** Checks that the value `depth` below the top (0 = top) has width `w`. */
  private expectWidth(pc: number, info: OpcodeInfo, depth: number, w: WidthCode, what: string): Step {
    const actual = this.widths[this.widths.length - 1 - depth]!;
    if (actual === w) return undefined;
    return this.fail(pc, "width", `${info.name} ${what} must be ${bitsLabel(w)}, it is ${bitsLabel(actual)}`);
  }

  /** Underflow and width checks for values listed top first, then pops them. */
  private popWidths(pc: number, info: OpcodeInfo, ws: readonly WidthCode[], what: (i: number) => string): Step {
    const err = this.underflow(pc, info, ws.length);
    if (err) return err;
    for (let i = 0; i < ws.length; i++) {
      const e = this.expectWidth(pc, info, i, ws[i]!, what(i));
      if (e) return e;
    }
    this.drop(ws.length);
    return undefined;
  }

  private drop(n: number): void {
    for (let i = 0; i < n; i++) this.stackBytes -= widthBytes(this.widths.pop()!);
  }

  private push(pc: number, info: OpcodeInfo, w: WidthCode): Step {
    this.widths.push(w);
    this.stackBytes += widthBytes(w);
    if (this.stackBytes > this.peak) this.peak = this.stackBytes;
    if (this.stackBytes <= this.options.stackLimit) return undefined;
    const limit = this.options.stackLimitDeclared ? `the declared maxStack ${this.options.stackLimit}` : `the ${MAX_STACK_LIMIT}-byte limit`;
    return this.fail(pc, "max-stack", `${info.name} grows the operand stack to ${this.stackBytes} bytes, above ${limit}`);
  }

  private classWidth(c: OperandClass): WidthCode {
    return c === "W" ? this.mode : c === "B" ? BOOL_WIDTH : ADDRESS_WIDTH;
  }

  private classLabel(c: OperandClass, i: number): string {
    const name = c === "W" ? "value" : c === "B" ? "condition" : "address";
    return `operand ${i + 1} (${name})`;
  }

  /** The table-driven case: fixed pops and pushes by operand class. */
  private generic(info: OpcodeInfo, pc: number): Step {
    if (info.byte === Op.SLOAD || info.byte === Op.SSTORE) {
      const e = this.useFeature(pc, Feature.Storage, info.name);
      if (e) return e;
    }
    const err = this.popWidths(
      pc,
      info,
      info.pops.map((c) => this.classWidth(c)),
      (i) => this.classLabel(info.pops[i]!, i),
    );
    if (err) return err;
    for (const c of info.pushes) {
      const e = this.push(pc, info, this.classWidth(c));
      if (e) return e;
    }
    return undefined;
  }

  private step(info: OpcodeInfo, pc: number): Step {
    const code = this.fn.code;
    const imm = code[pc + 1] ?? 0;
    switch (info.special) {
      case undefined:
        return this.generic(info, pc);
      case "push": {
        const n = immediateSize(info);
        if (n > widthBytes(this.mode))
          return this.fail(pc, "push-width", `${info.name} pushes ${n} bytes in ${bitsLabel(this.mode)} mode (at most ${widthBytes(this.mode)})`);
        return this.push(pc, info, this.mode);
      }
      case "dup":
      case "swap": {
        const n = info.special === "dup" ? info.byte - Op.DUP1 + 1 : info.byte - Op.SWAP1 + 2;
        const err = this.underflow(pc, info, n);
        if (err) return err;
        for (let i = 0; i < n; i++) {
          const e = this.expectWidth(pc, info, i, this.mode, `value ${i + 1}`);
          if (e) return e;
        }
        return info.special === "dup" ? this.push(pc, info, this.mode) : undefined;
      }
      case "mode": {
        this.mode = (info.byte - Op.MODE8) as WidthCode;
        const f = widthFeature(this.mode);
        return f ? this.useFeature(pc, f, info.name) : undefined;
      }
      case "convert":
        return this.convert(info, pc, imm);
      case "local-get":
      case "local-set": {
        const err = this.checkLocal(pc, info, imm);
        if (err) return err;
        if (info.special === "local-get") return this.push(pc, info, this.mode);
        return this.popWidths(pc, info, [this.mode], () => "value");
      }
      case "syscall":
      case "nodecall":
        return this.callImport(info, pc, imm);
      case "callf": {
        const callee = this.image.functions[imm];
        if (!callee) return this.fail(pc, "call", `CALLF ${imm}: the image has ${this.image.functions.length} function(s)`);
        return this.call(info, pc, callee.locals.slice(0, callee.paramCount), callee.result, `CALLF ${callee.name}`);
      }
      case "retf":
        return this.ret(info, pc);
      case "jump":
      case "jumpi":
        return this.jump(info, pc);
      case "jumpdest":
        if (this.widths.length !== 0) return this.fail(pc, "jump-stack", `JUMPDEST reached with ${this.widths.length} value(s) on the stack`);
        this.mode = 0;
        return undefined;
    }
  }

  private convert(info: OpcodeInfo, pc: number, w: number): Step {
    if (!isWidthCode(w)) return this.fail(pc, "convert", `${info.name} ${w}: not a width code (0-4)`);
    const widens = info.byte !== Op.TRUNC;
    if (widens ? w <= this.mode : w >= this.mode)
      return this.fail(pc, "convert", `${info.name} from ${bitsLabel(this.mode)} to ${bitsLabel(w)} does not ${widens ? "widen" : "narrow"}`);
    for (const f of [widthFeature(this.mode), widthFeature(w)]) {
      const e = f ? this.useFeature(pc, f, `${info.name} ${bitsLabel(this.mode)} to ${bitsLabel(w)}`) : undefined;
      if (e) return e;
    }
    const err = this.popWidths(pc, info, [this.mode], () => "value");
    return err ?? this.push(pc, info, w);
  }

  private checkLocal(pc: number, info: OpcodeInfo, offset: number): Step {
    // Walk the locals summing widths: O(1) RAM, as on the device.
    let at = 0;
    for (const t of this.fn.locals) {
      if (at === offset) {
        if (t.width === this.mode) return undefined;
        return this.fail(pc, "local", `${info.name} ${offset}: the local there is ${bitsLabel(t.width)}, the mode is ${bitsLabel(this.mode)}`);
      }
      if (at > offset) break;
      at += widthBytes(t.width);
    }
    return this.fail(pc, "local", `${info.name} ${offset}: no local starts at frame offset ${offset}`);
  }

  private callImport(info: OpcodeInfo, pc: number, index: number): Step {
    const imp = this.image.imports[index];
    if (!imp) return this.fail(pc, "import", `${info.name} ${index}: the image has ${this.image.imports.length} import(s)`);
    const wantKind = info.special === "syscall" ? 0 : 1;
    if (imp.kind !== wantKind)
      return this.fail(pc, "import", `${info.name} ${index}: ${imp.name} is a ${imp.kind === 0 ? "syscall" : "node call"} import`);
    if (info.special === "nodecall") {
      const e = this.useFeature(pc, Feature.NodeCalls, "NCALL");
      if (e) return e;
    }
    return this.call(info, pc, imp.params, imp.result, `${info.name} ${imp.name}`);
  }

  /** CALLF, SYSCALL, NCALL: pops the parameters (last on top), pushes the result. */
  private call(info: OpcodeInfo, pc: number, params: readonly ValueType[], result: ValueType | undefined, what: string): Step {
    const n = params.length;
    const err = this.underflow(pc, info, n);
    if (err) return err;
    for (let i = 0; i < n; i++) {
      const p = params[n - 1 - i]!;
      const actual = this.widths[this.widths.length - 1 - i]!;
      if (actual !== p.width)
        return this.fail(pc, "width", `${what} parameter ${n - i} must be ${bitsLabel(p.width)}, it is ${bitsLabel(actual)}`);
    }
    this.drop(n);
    return result ? this.push(pc, info, result.width) : undefined;
  }

  private ret(info: OpcodeInfo, pc: number): Step {
    const result = this.fn.result;
    const want = result ? 1 : 0;
    if (this.widths.length !== want) {
      const shape = result ? `exactly one ${bitsLabel(result.width)} result` : "an empty stack (void function)";
      return this.fail(pc, "return", `RETF needs ${shape}, stack has ${this.widths.length} value(s)`);
    }
    if (result) return this.expectWidth(pc, info, 0, result.width, "result");
    return undefined;
  }

  private jump(info: OpcodeInfo, pc: number): Step {
    const code = this.fn.code;
    const next = pc + 3;
    const target = next + signedRel16(code, pc + 1);
    if (target < 0 || target >= code.length)
      return this.fail(pc, "jump-target", `${info.name} to ${target} lands outside the function's ${code.length} bytes`);
    if (code[target] !== Op.JUMPDEST)
      return this.fail(pc, "jump-target", `${info.name} to ${target} lands on byte 0x${code[target]!.toString(16).padStart(2, "0")}, not a JUMPDEST`);
    this.starts ??= new InstructionStarts(code);
    if (!this.starts.isStart(target))
      return this.fail(pc, "jump-target", `${info.name} to ${target} lands inside an instruction's immediate`);
    if (info.special === "jumpi") {
      const err = this.popWidths(pc, info, [BOOL_WIDTH], () => "condition");
      if (err) return err;
    }
    if (this.widths.length !== 0) {
      const when = info.special === "jumpi" ? " after popping its condition" : "";
      return this.fail(pc, "jump-stack", `${info.name}${when} leaves ${this.widths.length} value(s) on the stack (it must be empty at a jump)`);
    }
    return undefined;
  }
}

/** Runs the code pass of one function. */
export function checkFunctionCode(fn: IrFunction, image: Image, options: CodeCheckOptions): CodeCheck {
  const pass = new CodePass(fn, image, options);
  const error = pass.run();
  if (error) return { ok: false, error };
  return { ok: true, maxStack: pass.peak, features: pass.features };
}
