// The TypeScript reference interpreter for Alkyl IR (docs/ir.md §3-4). It runs
// an image the verifier has accepted, so it trusts every static guarantee
// (opcodes, immediates, jump targets, operand widths, max stack) and checks at
// run time only what the verifier cannot prove: memory and storage bounds, the
// instruction budget (fuel) and the call-stack size.
//
// Representation:
// * Each function's code is decoded once into an Int32Array, two slots per
//   instruction: `opcode | width << 8`, then the resolved immediate (constant
//   index for PUSH, local index for LGET/LSET, instruction slot for jumps, n for
//   DUPn/SWAPn, the width code for conversions, the function or import index).
//   PUSHn, DUPn, SWAPn and MODEn are folded into PUSH1, DUP1, SWAP1 and MODE8.
// * The width is resolved at decode time. This is exact for verified code:
//   the mode is 8 at function entry and after every JUMPDEST, jumps land only
//   on JUMPDESTs, and an instruction after a terminal one must be a JUMPDEST,
//   so the mode seen by each instruction is the mode its linear predecessor
//   leaves; after CALLF the caller's mode is the one before the call.
// * The operand stack is one JS array of raws shared by all frames (numbers
//   for widths up to 32 bits, bigints for 64 and 256). A callee's stack starts
//   where the caller's popped parameters were, and RETF leaves exactly the
//   result there, so returning moves nothing. Locals live in a second shared
//   array, one element per local.
//
// Fuel: before each instruction, if the remaining budget is 0 the invocation
// faults with "fuel"; otherwise the budget drops by 1 and the instruction runs.
// So a budget of N runs exactly N instructions; an invocation that ends on its
// N-th instruction succeeds, one that would need an (N+1)-th faults.
//
// Call stack: every active frame, the entry frame included, uses
// 8 + frameSize + maxStack bytes. An entry frame larger than the stack faults
// "stack" before any instruction runs; a CALLF (charged its 1 unit of fuel
// first) faults "stack" when the callee's frame would take the total past the
// stack size.
//
// Node calls: a handler may answer SUSPEND (the Aryl script runner does while
// a chain read is pending); the interpreter then saves its registers and
// returns, and resume(answer) pushes the answer and continues the same
// invocation with the fuel it had left. Nothing else runs in between.
//
// Faults carry the first byte address accessed for memory and storage. A
// string argument of a syscall or node call (parameter kind string) is read
// from its address up to the NUL; if no NUL lies inside memory the fault
// address is memorySize (the first byte past the end), or the string's own
// address if that is already outside memory.

import { FunctionKind, frameSize, localOffsets, stringParamIndexes, type Image, type IrFunction } from "../ir/image.js";
import { immediateSize, Op, OPCODE_BY_BYTE } from "../ir/opcodes.js";
import { ValueKind, widthBytes, type WidthCode } from "../ir/types.js";
import * as arith from "./arith.js";
import { SUSPEND, type FaultKind, type NodeCallHandler, type Raw, type RawArg, type RawEffect, type SyscallHandler } from "./effects.js";
import { loadLE, lowByte, storeLE } from "./little-endian.js";

export interface ReferenceVmOptions {
  /** Instructions one invocation may execute (default 1,000,000). */
  fuel?: number;
  /** Bytes of call stack; each active frame uses 8 + frameSize + maxStack (default 1024). */
  stackSize?: number;
  syscall?: SyscallHandler;
  nodeCall?: NodeCallHandler;
}

export const DEFAULT_FUEL = 1_000_000;
export const DEFAULT_STACK_SIZE = 1024;
/** Fixed per-frame cost on the call stack (return address, frame links) in every engine. */
export const FRAME_OVERHEAD = 8;

const WIDTH_BYTES: readonly number[] = [0, 1, 2, 3, 4].map((w) => widthBytes(w as WidthCode));

interface DecodedFunction {
  code: Int32Array;
  consts: Raw[];
  localWidths: WidthCode[];
  paramCount: number;
  hasResult: boolean;
  /** Call-stack bytes while the function is active. */
  frameBytes: number;
}

interface DecodedImport {
  paramWidths: WidthCode[];
  /** Which parameters are strings (addresses of NUL-terminated bytes in memory). */
  paramIsString: boolean[];
  /** Result width, or -1 for void. */
  resultWidth: number;
}

/** An invocation waiting at a node call: the interpreter's registers, restored by resume(). */
interface SuspendedRun {
  fn: DecodedFunction;
  ip: number;
  lp: number;
  sp: number;
  fuel: number;
  stackUsed: number;
  savedFn: DecodedFunction[];
  savedIp: number[];
  savedLp: number[];
  /** Width of the node call's result, or -1 for void. */
  resultWidth: number;
}

/** Thrown only for images that break the verifier's guarantees (a toolchain bug, never user input). */
function unverified(message: string): never {
  throw new Error(`reference VM: image was not verified: ${message}`);
}

function readPush(bytes: Uint8Array, at: number, n: number, w: WidthCode): Raw {
  if (arith.isNarrow(w)) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + bytes[at + i]!;
    return v;
  }
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/**
 * PUSHn, DUPn, SWAPn and MODEn differ only by their immediate (already decoded
 * into the second slot) or not at all at run time, so each family is folded
 * into one opcode and the dispatch switch stays dense.
 */
function canonicalOpcode(op: number): number {
  if (op >= Op.PUSH0 && op <= 0x7f) return Op.PUSH1;
  if (op >= Op.DUP1 && op <= 0x8f) return Op.DUP1;
  if (op >= Op.SWAP1 && op <= 0x9f) return Op.SWAP1;
  if (op >= Op.MODE8 && op <= 0xc4) return Op.MODE8;
  return op;
}

function decodeFunction(fn: IrFunction): DecodedFunction {
  const bytes = fn.code;
  const localIndexAt = new Map(localOffsets(fn.locals).map((offset, index) => [offset, index]));
  // First pass: the instruction slot of every instruction start, for jumps.
  const slotAt = new Int32Array(bytes.length).fill(-1);
  let count = 0;
  for (let pc = 0; pc < bytes.length; ) {
    const info = OPCODE_BY_BYTE[bytes[pc]!] ?? unverified(`byte 0x${bytes[pc]!.toString(16)} at ${pc} is not an opcode`);
    slotAt[pc] = 2 * count++;
    pc += 1 + immediateSize(info);
  }
  const code = new Int32Array(2 * count);
  const consts: Raw[] = [];
  let mode: WidthCode = 0;
  let slot = 0;
  for (let pc = 0; pc < bytes.length; slot += 2) {
    const op = bytes[pc]!;
    const info = OPCODE_BY_BYTE[op]!;
    const size = immediateSize(info);
    const next = pc + 1 + size;
    if (next > bytes.length) unverified(`truncated immediate at ${pc}`);
    let imm = 0;
    let modeAfter: WidthCode = mode;
    switch (info.special) {
      case "push":
        imm = consts.length;
        consts.push(readPush(bytes, pc + 1, size, mode));
        break;
      case "dup":
        imm = op - 0x7f;
        break;
      case "swap":
        imm = op - 0x8f;
        break;
      case "mode":
        modeAfter = (op - Op.MODE8) as WidthCode;
        break;
      case "jumpdest":
        modeAfter = 0;
        break;
      case "convert":
        imm = bytes[pc + 1]!;
        break;
      case "local-get":
      case "local-set":
        imm = localIndexAt.get(bytes[pc + 1]!) ?? unverified(`no local at frame offset ${bytes[pc + 1]} (at ${pc})`);
        break;
      case "jump":
      case "jumpi": {
        const rel = ((bytes[pc + 1]! << 8) | bytes[pc + 2]!) << 16 >> 16;
        const target = next + rel;
        imm = (target >= 0 && target < bytes.length ? slotAt[target]! : -1);
        if (imm < 0) unverified(`jump at ${pc} to ${target} is not an instruction`);
        break;
      }
      case "callf":
      case "syscall":
      case "nodecall":
        imm = bytes[pc + 1]!;
        break;
      default:
        break;
    }
    code[slot] = canonicalOpcode(op) | (mode << 8);
    code[slot + 1] = imm;
    mode = modeAfter;
    pc = next;
  }
  const localWidths = fn.locals.map((t) => t.width);
  return {
    code,
    consts,
    localWidths,
    paramCount: fn.paramCount,
    hasResult: fn.result !== undefined,
    frameBytes: FRAME_OVERHEAD + frameSize(fn.locals) + fn.maxStack,
  };
}

export class ReferenceVm {
  readonly memory: Uint8Array;
  readonly storage: Uint8Array;
  private readonly memoryView: DataView;
  private readonly storageView: DataView;
  private readonly functions: DecodedFunction[];
  private readonly imports: DecodedImport[];
  private readonly fuel: number;
  private readonly stackSize: number;
  private readonly syscall: SyscallHandler | undefined;
  private readonly nodeCall: NodeCallHandler | undefined;
  /** Operand stack and locals, shared by all frames and reused across invocations. */
  private readonly stack: Raw[] = [];
  private readonly locals: Raw[] = [];
  private suspendedRun: SuspendedRun | undefined;

  constructor(
    private readonly image: Image,
    options: ReferenceVmOptions = {},
  ) {
    this.memory = new Uint8Array(image.memorySize);
    this.storage = new Uint8Array(image.storageSize);
    this.memoryView = new DataView(this.memory.buffer);
    this.storageView = new DataView(this.storage.buffer);
    this.functions = image.functions.map(decodeFunction);
    this.imports = image.imports.map((imp) => ({
      paramWidths: imp.params.map((t) => t.width),
      paramIsString: imp.params.map((t) => t.kind === ValueKind.String),
      resultWidth: imp.result === undefined ? -1 : imp.result.width,
    }));
    this.fuel = options.fuel ?? DEFAULT_FUEL;
    this.stackSize = options.stackSize ?? DEFAULT_STACK_SIZE;
    this.syscall = options.syscall;
    this.nodeCall = options.nodeCall;
    this.reset();
  }

  /** Re-initialises memory from the data section (a device reset); storage is kept. */
  reset(): void {
    this.memory.fill(0);
    this.memory.set(this.image.data);
  }

  /**
   * Runs function `functionIndex`. Scalars are converted to the parameter's
   * width; a Uint8Array for a string parameter of a public function is copied,
   * NUL-terminated, into that parameter's buffer, and the parameter receives the
   * buffer's address. Returns the syscalls in order, then a "return" effect
   * (functions with a result that returned normally) or one "fault" effect.
   */
  invoke(functionIndex: number, args: RawArg[]): RawEffect[] {
    if (this.suspendedRun) throw new Error("reference VM: an invocation is suspended at a node call; resume it first");
    const irFn = this.image.functions[functionIndex];
    const fn = this.functions[functionIndex];
    if (irFn === undefined || fn === undefined) throw new RangeError(`no function ${functionIndex}`);
    if (args.length !== fn.paramCount) throw new RangeError(`function ${irFn.name} takes ${fn.paramCount} arguments, got ${args.length}`);
    const stringParams = stringParamIndexes(irFn);
    for (let i = 0; i < fn.paramCount; i++) {
      const arg = args[i]!;
      const w = fn.localWidths[i]!;
      if (arg instanceof Uint8Array) {
        const k = stringParams.indexOf(i);
        const buffer = irFn.kind === FunctionKind.Public && k >= 0 ? irFn.stringBuffers[k] : undefined;
        if (buffer === undefined) throw new TypeError(`parameter ${i} of ${irFn.name} is not a string parameter of a public function`);
        if (arg.length >= buffer.capacity) throw new RangeError(`string of ${arg.length} bytes does not fit the ${buffer.capacity}-byte buffer of parameter ${i}`);
        this.memory.set(arg, buffer.address);
        this.memory[buffer.address + arg.length] = 0;
        this.locals[i] = arith.toRaw(w, buffer.address);
      } else {
        this.locals[i] = arith.toRaw(w, arg);
      }
    }
    for (let i = fn.paramCount; i < fn.localWidths.length; i++) this.locals[i] = arith.zeroOf(fn.localWidths[i]!);
    const effects: RawEffect[] = [];
    if (fn.frameBytes > this.stackSize) effects.push({ kind: "fault", fault: "stack" });
    else this.run(fn, effects, undefined);
    return effects;
  }

  /**
   * Whether the last invoke() or resume() stopped at a node call whose handler
   * answered SUSPEND. Until resume() the VM accepts no other invocation.
   */
  get suspended(): boolean {
    return this.suspendedRun !== undefined;
  }

  /**
   * Continues the suspended invocation with the node call's answer (undefined:
   * the call failed, which faults "trap" as a synchronous failure does). Returns
   * the effects from here on, as invoke() does; it may suspend again.
   */
  resume(answer: Raw | undefined): RawEffect[] {
    const state = this.suspendedRun;
    if (!state) throw new Error("reference VM: no invocation is suspended");
    this.suspendedRun = undefined;
    const effects: RawEffect[] = [];
    if (answer === undefined) {
      effects.push({ kind: "fault", fault: "trap" });
      return effects;
    }
    if (state.resultWidth >= 0) this.stack[state.sp++] = arith.toRaw(state.resultWidth as WidthCode, answer);
    this.run(state.fn, effects, state);
    return effects;
  }

  /** Reads a string argument: the bytes from `addr` up to the NUL, or the first out-of-bounds address read. */
  private readString(addr: number): Uint8Array | number {
    const size = this.memory.length;
    if (addr >= size) return addr;
    const nul = this.memory.indexOf(0, addr);
    return nul < 0 ? size : this.memory.slice(addr, nul);
  }

  /** The interpreter loop: no recursion, frames live in explicit arrays. */
  private run(entry: DecodedFunction, effects: RawEffect[], resumed: SuspendedRun | undefined): void {
    const stack = this.stack;
    const locals = this.locals;
    const memory = this.memory;
    const memoryView = this.memoryView;
    const memorySize = memory.length;
    const storage = this.storage;
    const storageView = this.storageView;
    const storageSize = storage.length;
    const functions = this.functions;
    const stackSize = this.stackSize;
    const fault = (kind: FaultKind, address?: number): void => {
      effects.push(address === undefined ? { kind: "fault", fault: kind } : { kind: "fault", fault: kind, address });
    };

    // Saved caller state, one entry per active frame below the current one.
    const savedFn: DecodedFunction[] = resumed?.savedFn ?? [];
    const savedIp: number[] = resumed?.savedIp ?? [];
    const savedLp: number[] = resumed?.savedLp ?? [];

    let fn = entry;
    let code = fn.code;
    let consts = fn.consts;
    let ip = resumed?.ip ?? 0;
    let lp = resumed?.lp ?? 0;
    let sp = resumed?.sp ?? 0;
    let fuel = resumed?.fuel ?? this.fuel;
    let stackUsed = resumed?.stackUsed ?? fn.frameBytes;

    for (;;) {
      if (fuel === 0) return fault("fuel");
      fuel--;
      const word = code[ip]!;
      const imm = code[ip + 1]!;
      ip += 2;
      const w = (word >>> 8) as WidthCode;
      switch (word & 0xff) {
        case Op.STOP:
          return;

        // Arithmetic, comparisons, bitwise: a = top (popped), b = next (replaced).
        case Op.ADD: { const a = stack[--sp]!; stack[sp - 1] = arith.add(w, a, stack[sp - 1]!); break; }
        case Op.MUL: { const a = stack[--sp]!; stack[sp - 1] = arith.mul(w, a, stack[sp - 1]!); break; }
        case Op.SUB: { const a = stack[--sp]!; stack[sp - 1] = arith.sub(w, a, stack[sp - 1]!); break; }
        case Op.DIV: { const a = stack[--sp]!; stack[sp - 1] = arith.div(w, a, stack[sp - 1]!); break; }
        case Op.SDIV: { const a = stack[--sp]!; stack[sp - 1] = arith.sdiv(w, a, stack[sp - 1]!); break; }
        case Op.MOD: { const a = stack[--sp]!; stack[sp - 1] = arith.mod(w, a, stack[sp - 1]!); break; }
        case Op.SMOD: { const a = stack[--sp]!; stack[sp - 1] = arith.smod(w, a, stack[sp - 1]!); break; }
        case Op.ADDMOD: {
          const a = stack[--sp]!;
          const b = stack[--sp]!;
          stack[sp - 1] = arith.addmod(w, a, b, stack[sp - 1]!);
          break;
        }
        case Op.MULMOD: {
          const a = stack[--sp]!;
          const b = stack[--sp]!;
          stack[sp - 1] = arith.mulmod(w, a, b, stack[sp - 1]!);
          break;
        }
        case Op.EXP: { const a = stack[--sp]!; stack[sp - 1] = arith.exp(w, a, stack[sp - 1]!); break; }
        case Op.SIGNEXTEND: { const a = stack[--sp]!; stack[sp - 1] = arith.signextend(w, a, stack[sp - 1]!); break; }
        case Op.LT: { const a = stack[--sp]!; stack[sp - 1] = arith.lt(w, a, stack[sp - 1]!); break; }
        case Op.GT: { const a = stack[--sp]!; stack[sp - 1] = arith.gt(w, a, stack[sp - 1]!); break; }
        case Op.SLT: { const a = stack[--sp]!; stack[sp - 1] = arith.slt(w, a, stack[sp - 1]!); break; }
        case Op.SGT: { const a = stack[--sp]!; stack[sp - 1] = arith.sgt(w, a, stack[sp - 1]!); break; }
        case Op.EQ: { const a = stack[--sp]!; stack[sp - 1] = arith.eq(w, a, stack[sp - 1]!); break; }
        case Op.ISZERO: stack[sp - 1] = arith.iszero(w, stack[sp - 1]!); break;
        case Op.AND: { const a = stack[--sp]!; stack[sp - 1] = arith.and(w, a, stack[sp - 1]!); break; }
        case Op.OR: { const a = stack[--sp]!; stack[sp - 1] = arith.or(w, a, stack[sp - 1]!); break; }
        case Op.XOR: { const a = stack[--sp]!; stack[sp - 1] = arith.xor(w, a, stack[sp - 1]!); break; }
        case Op.NOT: stack[sp - 1] = arith.not(w, stack[sp - 1]!); break;
        case Op.BYTE: { const a = stack[--sp]!; stack[sp - 1] = arith.byte(w, a, stack[sp - 1]!); break; }
        case Op.SHL: { const a = stack[--sp]!; stack[sp - 1] = arith.shl(w, a, stack[sp - 1]!); break; }
        case Op.SHR: { const a = stack[--sp]!; stack[sp - 1] = arith.shr(w, a, stack[sp - 1]!); break; }
        case Op.SAR: { const a = stack[--sp]!; stack[sp - 1] = arith.sar(w, a, stack[sp - 1]!); break; }

        case Op.POP:
          sp--;
          break;

        // Memory and storage: the 16-bit address is on top.
        case Op.MLOAD: {
          const addr = stack[sp - 1] as number;
          if (addr + WIDTH_BYTES[w]! > memorySize) return fault("memory", addr);
          stack[sp - 1] = loadLE(memory, memoryView, addr, w);
          break;
        }
        case Op.MSTORE: {
          const addr = stack[--sp] as number;
          const value = stack[--sp]!;
          if (addr + WIDTH_BYTES[w]! > memorySize) return fault("memory", addr);
          storeLE(memory, memoryView, addr, w, value);
          break;
        }
        case Op.MSTORE8: {
          const addr = stack[--sp] as number;
          const value = stack[--sp]!;
          if (addr >= memorySize) return fault("memory", addr);
          memory[addr] = lowByte(value);
          break;
        }
        case Op.SLOAD: {
          const addr = stack[sp - 1] as number;
          if (addr + WIDTH_BYTES[w]! > storageSize) return fault("storage", addr);
          stack[sp - 1] = loadLE(storage, storageView, addr, w);
          break;
        }
        case Op.SSTORE: {
          const addr = stack[--sp] as number;
          const value = stack[--sp]!;
          if (addr + WIDTH_BYTES[w]! > storageSize) return fault("storage", addr);
          storeLE(storage, storageView, addr, w, value);
          break;
        }

        case Op.JUMPDEST:
          break;

        case Op.MODE8: // every MODEn; modes are resolved at decode time (see the header comment)
          break;

        case Op.ZEXT: stack[sp - 1] = arith.zext(w, imm as WidthCode, stack[sp - 1]!); break;
        case Op.SEXT: stack[sp - 1] = arith.sext(w, imm as WidthCode, stack[sp - 1]!); break;
        case Op.TRUNC: stack[sp - 1] = arith.trunc(w, imm as WidthCode, stack[sp - 1]!); break;

        case Op.LGET:
          stack[sp++] = locals[lp + imm]!;
          break;
        case Op.LSET:
          locals[lp + imm] = stack[--sp]!;
          break;

        case Op.SYSCALL:
        case Op.NCALL: {
          const imp = this.imports[imm]!;
          const n = imp.paramWidths.length;
          const args: RawArg[] = new Array<RawArg>(n);
          for (let i = n - 1; i >= 0; i--) {
            const v = stack[--sp]!;
            if (imp.paramIsString[i]) {
              const s = this.readString(v as number);
              if (typeof s === "number") return fault("memory", s);
              args[i] = s;
            } else {
              args[i] = v;
            }
          }
          let result: Raw | undefined | typeof SUSPEND;
          if ((word & 0xff) === Op.SYSCALL) {
            effects.push({ kind: "syscall", importIndex: imm, args });
            result = this.syscall?.(imm, args);
            if (imp.resultWidth >= 0 && result === undefined) result = 0;
          } else {
            // A node call blocks for the answer; none (timeout, failure, no node)
            // traps. A void node call's handler answers any value to acknowledge.
            result = this.nodeCall?.(imm, args);
            if (result === undefined) return fault("trap");
            if (result === SUSPEND) {
              this.suspendedRun = { fn, ip, lp, sp, fuel, stackUsed, savedFn, savedIp, savedLp, resultWidth: imp.resultWidth };
              return;
            }
          }
          if (imp.resultWidth >= 0) stack[sp++] = arith.toRaw(imp.resultWidth as WidthCode, result!);
          break;
        }

        case Op.RJUMP:
          ip = imm;
          break;
        case Op.RJUMPI:
          if (stack[--sp] !== 0) ip = imm;
          break;

        case Op.CALLF: {
          const callee = functions[imm]!;
          stackUsed += callee.frameBytes;
          if (stackUsed > stackSize) return fault("stack");
          const calleeLp = lp + fn.localWidths.length;
          const widths = callee.localWidths;
          for (let i = callee.paramCount - 1; i >= 0; i--) locals[calleeLp + i] = stack[--sp]!;
          for (let i = callee.paramCount; i < widths.length; i++) locals[calleeLp + i] = arith.zeroOf(widths[i]!);
          savedFn.push(fn);
          savedIp.push(ip);
          savedLp.push(lp);
          fn = callee;
          code = fn.code;
          consts = fn.consts;
          ip = 0;
          lp = calleeLp;
          break;
        }
        case Op.RETF: {
          if (savedFn.length === 0) {
            if (fn.hasResult) effects.push({ kind: "return", value: stack[sp - 1]! });
            return;
          }
          // The result (if any) already sits where the caller expects it.
          stackUsed -= fn.frameBytes;
          fn = savedFn.pop()!;
          ip = savedIp.pop()!;
          lp = savedLp.pop()!;
          code = fn.code;
          consts = fn.consts;
          break;
        }

        case Op.INVALID:
          return fault("trap");

        case Op.PUSH1:
          stack[sp++] = consts[imm]!;
          break;
        case Op.DUP1:
          stack[sp] = stack[sp - imm]!;
          sp++;
          break;
        case Op.SWAP1: {
          const top = stack[sp - 1]!;
          stack[sp - 1] = stack[sp - 1 - imm]!;
          stack[sp - 1 - imm] = top;
          break;
        }

        default:
          unverified(`opcode 0x${(word & 0xff).toString(16)} has no handler`);
      }
    }
  }
}
