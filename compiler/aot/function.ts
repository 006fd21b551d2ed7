// Translates one verified IR function into one C function (docs/aot.md).
//
// * The verifier's pass (verify-code.ts, `observe`) gives the mode and the
//   operand widths before every instruction, so each stack slot becomes a C
//   variable named by its depth and width (`s0_u8`, `s1_u32`, `s2_u256`), and
//   an instruction becomes an assignment between them.
// * Frame locals are C variables `l0`, `l1`, ... (the parameters are the C
//   function's parameters); the result is written through `result`.
// * Jumps land only on JUMPDESTs with an empty stack, so they are `goto`s to
//   labels named by the target's IR offset; CALLF is a C call whose status
//   (a fault, or STOP) unwinds the caller.
// * Fuel is charged once per segment, exactly: see `segments` below.

import { FunctionKind, frameSize, localOffsets, type Image, type IrFunction } from "../ir/image.js";
import { immediateSize, Op, OPCODE_BY_BYTE, type OpcodeInfo } from "../ir/opcodes.js";
import { widthBytes, type WidthCode } from "../ir/types.js";
import { checkFunctionCode, MAX_STACK_LIMIT } from "../ir/verify-code.js";
import { FEATURE_MASK } from "../ir/image.js";
import { FRAME_OVERHEAD } from "../vm/reference.js";

export const C_TYPE = ["uint8_t", "uint16_t", "uint32_t", "uint64_t", "alky_u256"] as const;
const SUFFIX = ["u8", "u16", "u32", "u64", "u256"] as const;
const BITS = [8, 16, 32, 64, 256] as const;

/** One instruction with what the verifier knew before it. */
interface Insn {
  pc: number;
  info: OpcodeInfo;
  size: number;
  mode: WidthCode;
  widths: WidthCode[];
}

/** Instructions with an effect a trace can see, or that can fault or call: each ends a fuel segment. */
const EFFECTFUL = new Set<number>([
  Op.MLOAD, Op.MSTORE, Op.MSTORE8, Op.SLOAD, Op.SSTORE, Op.SYSCALL, Op.NCALL, Op.CALLF, Op.STOP, Op.RETF, Op.INVALID,
]);

const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, "0")}`;

/** Names of the IR's functions in C: `alky_aot_<name>`, made unique. */
export function cFunctionNames(image: Image, reserved: readonly string[]): string[] {
  const taken = new Set(reserved);
  return image.functions.map((fn, i) => {
    let name = `alky_aot_${fn.name}`;
    if (taken.has(name)) name = `${name}_${i}`;
    while (taken.has(name)) name = `${name}_`;
    taken.add(name);
    return name;
  });
}

function decode(fn: IrFunction, image: Image): Insn[] {
  const shapes = new Map<number, { mode: WidthCode; widths: WidthCode[] }>();
  const checked = checkFunctionCode(fn, image, {
    codeBase: 0,
    stackLimit: MAX_STACK_LIMIT,
    stackLimitDeclared: false,
    allowedFeatures: FEATURE_MASK,
    observe: (pc, mode, widths) => shapes.set(pc, { mode, widths: [...widths] }),
  });
  if (!checked.ok) throw new Error(`function ${fn.name}: not verified: ${checked.error.rule}: ${checked.error.message}`);
  const out: Insn[] = [];
  for (let pc = 0; pc < fn.code.length; ) {
    const info = OPCODE_BY_BYTE[fn.code[pc]!]!;
    const size = 1 + immediateSize(info);
    const shape = shapes.get(pc)!;
    out.push({ pc, info, size, mode: shape.mode, widths: shape.widths });
    pc += size;
  }
  return out;
}

function jumpTarget(fn: IrFunction, insn: Insn): number {
  const rel = ((fn.code[insn.pc + 1]! << 8) | fn.code[insn.pc + 2]!) << 16 >> 16;
  return insn.pc + 3 + rel;
}

/** The C text of one function and its prototype. */
export interface CFunction {
  prototype: string;
  text: string;
}

export interface FunctionContext {
  image: Image;
  index: number;
  /** C names of all functions (CALLF targets). */
  names: readonly string[];
  /** Image offset of the function's code, for the header comment. */
  codeOffset: number;
}

/** The call-stack bytes a function's frame takes in every engine. */
export function frameBytes(fn: IrFunction): number {
  return FRAME_OVERHEAD + frameSize(fn.locals) + fn.maxStack;
}

export function signature(fn: IrFunction, name: string): string {
  const params = fn.locals.slice(0, fn.paramCount).map((t, i) => `${C_TYPE[t.width]} l${i}`);
  const result = fn.result ? [`${C_TYPE[fn.result.width]} *result`] : [];
  return `static alky_status ${name}(${["alky_vm *vm", ...params, ...result].join(", ")})`;
}

const KIND_NAMES = ["helper", "public", "event"];

export function translateFunction(ctx: FunctionContext): CFunction {
  return new FunctionTranslator(ctx).run();
}

class FunctionTranslator {
  private readonly fn: IrFunction;
  private readonly insns: Insn[];
  /** Declared variables: name -> C type and initialiser. */
  private readonly vars = new Map<string, string>();
  private readonly read = new Set<string>();
  private readonly targets = new Set<number>();
  private readonly body: string[] = [];
  private usesStatus = false;
  private usesBytes = false;

  constructor(private readonly ctx: FunctionContext) {
    this.fn = ctx.image.functions[ctx.index]!;
    this.insns = decode(this.fn, ctx.image);
    for (const insn of this.insns) if (insn.info.special === "jump" || insn.info.special === "jumpi") this.targets.add(jumpTarget(this.fn, insn));
  }

  /** A stack slot as a value that is read. */
  private get(depth: number, w: WidthCode): string {
    const name = this.slot(depth, w);
    this.read.add(name);
    return name;
  }

  /** A stack slot as an assignment target. */
  private slot(depth: number, w: WidthCode): string {
    const name = `s${depth}_${SUFFIX[w]}`;
    if (!this.vars.has(name)) this.vars.set(name, `${C_TYPE[w]} ${name} = ${w === 4 ? "{{0}}" : "0"};`);
    return name;
  }

  private local(i: number, reading: boolean): string {
    const name = `l${i}`;
    if (reading) this.read.add(name);
    return name;
  }

  private temp(w: WidthCode): string {
    const name = `t_${SUFFIX[w]}`;
    if (!this.vars.has(name)) this.vars.set(name, `${C_TYPE[w]} ${name};`);
    this.read.add(name);
    return name;
  }

  run(): CFunction {
    const fn = this.fn;
    const name = this.ctx.names[this.ctx.index]!;
    this.translateBody();
    const sig = signature(fn, name);
    const lines: string[] = [];
    const kind = KIND_NAMES[fn.kind] ?? "helper";
    lines.push(`/* ${kind} ${fn.name}: IR function ${this.ctx.index}, code at image offset ${this.ctx.codeOffset} (${fn.code.length} bytes), frame ${frameBytes(fn)} bytes. */`);
    lines.push(`${sig} {`);
    lines.push("    ALKY_AOT_FUEL_LOCAL");
    for (let i = fn.paramCount; i < fn.locals.length; i++) {
      const w = fn.locals[i]!.width;
      lines.push(`    ${C_TYPE[w]} l${i} = ${w === 4 ? "{{0}}" : "0"};`);
    }
    for (const decl of this.vars.values()) lines.push(`    ${decl}`);
    if (this.usesStatus) lines.push("    alky_status st;");
    if (this.usesBytes) lines.push("    uint8_t bytes[32];");
    const unused = [...fn.locals.keys()].map((i) => `l${i}`).filter((n) => !this.read.has(n));
    for (const v of this.vars.keys()) if (!this.read.has(v)) unused.push(v);
    if (fn.result && !this.read.has("result")) unused.push("result");
    if (unused.length) lines.push(`    ${unused.map((n) => `(void)${n};`).join(" ")}`);
    lines.push("", ...this.body);
    lines.push("}");
    return { prototype: `${sig};`, text: lines.join("\n") };
  }

  /**
   * Fuel (docs/ir.md §3: checked before each instruction) is charged once per
   * segment: a run that starts at a leader (function entry, JUMPDEST, after
   * RJUMPI or CALLF) or after an effectful instruction, and ends at the next
   * one. So only a segment's last instruction can have an effect (a trace
   * line, a write, a fault, a call); the others are pure. When the budget is
   * smaller than the segment, the interpreter would run out before that last
   * instruction, having shown nothing: faulting at the segment's start gives
   * exactly its outcome. How the budget is held is aot.h's choice per build:
   * a local `fuel` the compiler keeps in registers, stored to vm->fuel before
   * calls, imports and returns and reloaded after calls (the default), or
   * vm->fuel itself charged by one out-of-line alky_rt_charge per segment
   * where code size matters more (the MSP430); the generated C is the same.
   */
  private segments(): Map<number, number> {
    const lengths = new Map<number, number>();
    let start = -1;
    let afterBoundary = true;
    for (const insn of this.insns) {
      const op = insn.info.byte;
      if (afterBoundary || op === Op.JUMPDEST) {
        start = insn.pc;
        lengths.set(start, 0);
      }
      lengths.set(start, lengths.get(start)! + 1);
      afterBoundary = op === Op.RJUMPI || insn.info.terminal || EFFECTFUL.has(op);
    }
    return lengths;
  }

  private translateBody(): void {
    const segments = this.segments();
    for (const insn of this.insns) {
      if (this.targets.has(insn.pc)) this.body.push(`pc_${insn.pc.toString(16).padStart(4, "0")}:`);
      const length = segments.get(insn.pc);
      if (length !== undefined) this.body.push(`    if (ALKY_AOT_CHARGE(${length})) return ALKY_FAULT_FUEL; /* segment of ${length} */`);
      this.body.push(`    /* ${hex4(insn.pc)} ${this.describe(insn)} */`, ...this.instruction(insn).map((l) => `    ${l}`));
    }
  }

  private describe(insn: Insn): string {
    const { info, pc } = insn;
    const code = this.fn.code;
    const imm = code[pc + 1]!;
    switch (info.immediate) {
      case "push": {
        const bytes = [...code.subarray(pc + 1, pc + insn.size)].map((b) => b.toString(16).padStart(2, "0")).join("");
        return `${info.name} 0x${bytes}`;
      }
      case "width":
        return `${info.name} ${BITS[imm as WidthCode] ?? imm}`;
      case "local":
        return `${info.name} ${imm}`;
      case "func":
        return `${info.name} ${this.ctx.image.functions[imm]!.name}`;
      case "import":
        return `${info.name} ${this.ctx.image.imports[imm]!.name}`;
      case "rel16":
        return `${info.name} ${hex4(jumpTarget(this.fn, insn))}`;
      default:
        return BITS[insn.mode] !== 8 && !info.special && info.pops.includes("W") ? `${info.name} (${BITS[insn.mode]}-bit)` : info.name;
    }
  }

  /** C statements of one instruction. */
  private instruction(insn: Insn): string[] {
    const { info } = insn;
    const w = insn.mode;
    const n = insn.widths.length;
    const op = info.byte;
    switch (info.special) {
      case undefined:
        return this.generic(op, w, n);
      case "push":
        return [`${this.slot(n, w)} = ${this.constant(insn)};`];
      case "dup": {
        const k = op - Op.DUP1 + 1;
        return [`${this.slot(n, w)} = ${this.get(n - k, w)};`];
      }
      case "swap": {
        const k = op - Op.SWAP1 + 1;
        const t = this.temp(w);
        const top = this.get(n - 1, w);
        const other = this.get(n - 1 - k, w);
        return [`${t} = ${top};`, `${top} = ${other};`, `${other} = ${t};`];
      }
      case "mode":
      case "jumpdest":
        return [];
      case "convert":
        return [this.convert(op, w, this.fn.code[insn.pc + 1]! as WidthCode, n)];
      case "local-get":
        return [`${this.slot(n, w)} = ${this.local(this.localIndex(insn), true)};`];
      case "local-set":
        return [`${this.local(this.localIndex(insn), false)} = ${this.get(n - 1, w)};`];
      case "syscall":
      case "nodecall":
        return this.callImport(insn, n);
      case "callf":
        return this.callFunction(insn, n);
      case "retf":
        if (!this.fn.result) return ["ALKY_AOT_FUEL_SAVE();", "return ALKY_OK;"];
        this.read.add("result");
        return [`*result = ${this.get(0, this.fn.result.width)};`, "ALKY_AOT_FUEL_SAVE();", "return ALKY_OK;"];
      case "jump":
        return [`goto pc_${jumpTarget(this.fn, insn).toString(16).padStart(4, "0")};`];
      case "jumpi":
        return [`if (${this.get(n - 1, 0)}) goto pc_${jumpTarget(this.fn, insn).toString(16).padStart(4, "0")};`];
    }
  }

  private localIndex(insn: Insn): number {
    const offset = this.fn.code[insn.pc + 1]!;
    return localOffsets(this.fn.locals).indexOf(offset);
  }

  private constant(insn: Insn): string {
    const bytes = [...this.fn.code.subarray(insn.pc + 1, insn.pc + insn.size)];
    let v = 0n;
    for (const b of bytes) v = (v << 8n) | BigInt(b);
    const w = insn.mode;
    if (w === 4) {
      if (bytes.length <= 8) return `alky_rt_u256(UINT64_C(0x${v.toString(16)}), 0)`;
      return `alky_rt_push256("${bytes.map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("")}", ${bytes.length})`;
    }
    if (w === 3) return `UINT64_C(0x${v.toString(16)})`;
    if (w === 2) return `0x${v.toString(16)}u`;
    return `0x${v.toString(16)}`;
  }

  /** Table-driven opcodes: arithmetic, comparisons, bitwise, POP, memory and storage. */
  private generic(op: number, w: WidthCode, n: number): string[] {
    switch (op) {
      case Op.STOP:
        return ["ALKY_AOT_FUEL_SAVE();", "return ALKY_AOT_STOPPED;"];
      case Op.INVALID:
        return ["return ALKY_FAULT_TRAP;"];
      case Op.POP:
        return [];
      case Op.MLOAD:
      case Op.SLOAD:
        return this.load(op, w, n);
      case Op.MSTORE:
      case Op.MSTORE8:
      case Op.SSTORE:
        return this.store(op, w, n);
      case Op.ISZERO:
        return [`${this.slot(n - 1, 0)} = ${w === 4 ? `alky_rt_iszero256(&${this.get(n - 1, w)})` : `(uint8_t)(${this.get(n - 1, w)} == 0)`};`];
      case Op.NOT: {
        const a = this.get(n - 1, w);
        if (w === 4) return [`${a} = alky_rt_not256(${a});`];
        return [`${a} = ${w === 3 ? `~${a}` : `(${C_TYPE[w]})~${a}`};`];
      }
      case Op.ADDMOD:
      case Op.MULMOD: {
        const a = this.get(n - 1, w);
        const b = this.get(n - 2, w);
        const m = this.get(n - 3, w);
        const name = op === Op.ADDMOD ? "ADDMOD" : "MULMOD";
        if (w === 4) return [`alky_rt_modop256(ALKY_OP_${name}, &${m}, &${b}, &${a});`];
        if (w === 3) return [`${m} = alky_rt_modop64(ALKY_OP_${name}, ${a}, ${b}, ${m});`];
        return [`${m} = (${C_TYPE[w]})alky_rt_${name.toLowerCase()}(${a}, ${b}, ${m});`];
      }
      case Op.LT:
      case Op.GT:
      case Op.SLT:
      case Op.SGT:
      case Op.EQ:
        return [this.compare(op, w, n)];
      default:
        return [this.binary(op, w, n)];
    }
  }

  private compare(op: number, w: WidthCode, n: number): string {
    const a = this.get(n - 1, w);
    const b = this.get(n - 2, w);
    const r = this.slot(n - 2, 0);
    const name = OPCODE_BY_BYTE[op]!.name;
    if (w === 4) return `${r} = alky_rt_compare256(ALKY_OP_${name}, &${a}, &${b});`;
    const nb = widthBytes(w);
    switch (op) {
      case Op.LT:
        return `${r} = (uint8_t)(${a} < ${b});`;
      case Op.GT:
        return `${r} = (uint8_t)(${a} > ${b});`;
      case Op.EQ:
        return `${r} = (uint8_t)(${a} == ${b});`;
      case Op.SLT:
        return w === 3 ? `${r} = alky_rt_slt64(${a}, ${b});` : `${r} = alky_rt_slt(${a}, ${b}, ${nb});`;
      default: // SGT: b < a
        return w === 3 ? `${r} = alky_rt_slt64(${b}, ${a});` : `${r} = alky_rt_slt(${b}, ${a}, ${nb});`;
    }
  }

  /** W W -> W with a = top; the result replaces b. */
  private binary(op: number, w: WidthCode, n: number): string {
    const a = this.get(n - 1, w);
    const b = this.get(n - 2, w);
    const name = OPCODE_BY_BYTE[op]!.name;
    if (w === 4) return `alky_rt_binop256(ALKY_OP_${name}, &${b}, &${a});`;
    const T = C_TYPE[w];
    const bits = BITS[w];
    const nb = widthBytes(w);
    const wide = w === 3;
    // Narrow values promote to int: compute in uint32_t so nothing overflows a signed int.
    const u = (x: string): string => (wide || w === 2 ? x : `(uint32_t)${x}`);
    const cast = (x: string): string => (wide ? x : `(${T})(${x})`);
    switch (op) {
      case Op.ADD:
        return `${b} = ${cast(`${u(a)} + ${b}`)};`;
      case Op.SUB:
        return `${b} = ${cast(`${u(a)} - ${b}`)};`;
      case Op.MUL:
        return `${b} = ${cast(`${u(a)} * ${b}`)};`;
      case Op.AND:
        return `${b} = ${cast(`${a} & ${b}`)};`;
      case Op.OR:
        return `${b} = ${cast(`${a} | ${b}`)};`;
      case Op.XOR:
        return `${b} = ${cast(`${a} ^ ${b}`)};`;
      case Op.DIV:
        return `${b} = ${b} ? ${cast(`${a} / ${b}`)} : 0;`;
      case Op.MOD:
        return `${b} = ${b} ? ${cast(`${a} % ${b}`)} : 0;`;
      case Op.SHL:
        return `${b} = ${a} >= ${bits} ? 0 : ${cast(`${u(b)} << ${a}`)};`;
      case Op.SHR:
        return `${b} = ${a} >= ${bits} ? 0 : ${cast(`${b} >> ${a}`)};`;
      default: {
        if (wide) return `${b} = alky_rt_big64(ALKY_OP_${name}, ${a}, ${b});`;
        const helper = { [Op.SDIV]: "sdiv", [Op.SMOD]: "smod", [Op.SIGNEXTEND]: "signextend", [Op.BYTE]: "byte", [Op.SAR]: "sar" }[op];
        if (op === Op.EXP) return `${b} = (${T})alky_small_exp(${a}, ${b});`;
        if (!helper) throw new Error(`AOT: no translation for opcode ${name}`);
        return `${b} = (${T})alky_small_${helper}(${a}, ${b}, ${nb});`;
      }
    }
  }

  private convert(op: number, from: WidthCode, to: WidthCode, n: number): string {
    const a = this.get(n - 1, from);
    const r = this.slot(n - 1, to);
    if (op === Op.TRUNC) {
      if (from === 4) return `${r} = (${C_TYPE[to]})alky_rt_get64(${a}.b);`;
      return `${r} = (${C_TYPE[to]})${a};`;
    }
    if (op === Op.ZEXT) return to === 4 ? `${r} = alky_rt_u256(${a}, 0);` : `${r} = (${C_TYPE[to]})${a};`;
    // SEXT: flip the sign bit, subtract it (two's complement at the wider width).
    const sign = `0x${(1n << BigInt(BITS[from] - 1)).toString(16)}u`;
    const wide = to >= 3;
    const via = wide ? "uint64_t" : "uint32_t";
    const extended = from === 3 ? a : `(((${via})${a} ^ ${sign}) - ${sign})`;
    if (to === 4) return `${r} = alky_rt_sext256(${extended});`;
    return `${r} = (${C_TYPE[to]})${extended};`;
  }

  private fault(kind: "MEMORY" | "STORAGE", addr: string, limit: number): string {
    const action = `{ vm->fault_addr = ${addr}; return ALKY_FAULT_${kind}; }`;
    return limit < 0 ? `${action} /* always outside */` : `if (${addr} > ${limit}) ${action}`;
  }

  private load(op: number, w: WidthCode, n: number): string[] {
    const addr = this.get(n - 1, 1);
    const nb = widthBytes(w);
    const storage = op === Op.SLOAD;
    const size = storage ? this.ctx.image.storageSize : this.ctx.image.memorySize;
    const lines = [this.fault(storage ? "STORAGE" : "MEMORY", addr, size - nb)];
    // The address slot (u16) is read before the result slot (maybe the same variable) is written.
    const r = this.slot(n - 1, w);
    if (storage) {
      if (w === 4) return [...lines, `alky_hal_storage_read(vm, ${addr}, ${r}.b, 32);`];
      this.usesBytes = true;
      return [...lines, `alky_hal_storage_read(vm, ${addr}, bytes, ${nb});`, `${r} = ${this.decodeLE(w, "bytes")};`];
    }
    return [...lines, `${r} = ${this.decodeLE(w, "vm->memory", addr)};`];
  }

  private store(op: number, w: WidthCode, n: number): string[] {
    const addr = this.get(n - 1, 1);
    const v = this.get(n - 2, w);
    if (op === Op.MSTORE8) {
      const low = w === 4 ? `${v}.b[0]` : w === 0 ? v : `(uint8_t)${v}`;
      return [this.fault("MEMORY", addr, this.ctx.image.memorySize - 1), `vm->memory[${addr}] = ${low};`];
    }
    const nb = widthBytes(w);
    if (op === Op.SSTORE) {
      const lines = [this.fault("STORAGE", addr, this.ctx.image.storageSize - nb)];
      if (w === 4) return [...lines, `alky_hal_storage_write(vm, ${addr}, ${v}.b, 32);`];
      if (w === 0) return [...lines, `alky_hal_storage_write(vm, ${addr}, &${v}, 1);`];
      this.usesBytes = true;
      return [...lines, this.encodeLE(w, "bytes", undefined, v), `alky_hal_storage_write(vm, ${addr}, bytes, ${nb});`];
    }
    return [this.fault("MEMORY", addr, this.ctx.image.memorySize - nb), this.encodeLE(w, "vm->memory", addr, v)];
  }

  /** A little-endian value of width w read from base[offset]. */
  private decodeLE(w: WidthCode, base: string, offset?: string | number): string {
    if (w === 0) return `${base}[${offset ?? 0}]`;
    return `alky_rt_get${BITS[w]}(${offset === undefined ? base : `${base} + ${offset}`})`;
  }

  /** Writes v little-endian at base[offset]. */
  private encodeLE(w: WidthCode, base: string, offset: string | number | undefined, v: string): string {
    if (w === 0) return `${base}[${offset ?? 0}] = ${v};`;
    return `alky_rt_put${BITS[w]}(${offset === undefined ? base : `${base} + ${offset}`}, ${v});`;
  }

  private callImport(insn: Insn, n: number): string[] {
    const index = this.fn.code[insn.pc + 1]!;
    const imp = this.ctx.image.imports[index]!;
    const k = imp.params.length;
    const lines: string[] = [];
    let off = 0;
    imp.params.forEach((t, i) => {
      lines.push(this.encodeLE(t.width, "vm->stack", off, this.get(n - k + i, t.width)));
      off += widthBytes(t.width);
    });
    this.usesStatus = true;
    const opName = insn.info.byte === Op.SYSCALL ? "ALKY_OP_SYSCALL" : "ALKY_OP_NCALL";
    lines.push("ALKY_AOT_FUEL_SAVE();", `st = alky_aot_import(vm, ${opName}, ${index}, ${off}); /* ${imp.name} */`, "if (st != ALKY_OK) return st;");
    if (imp.result) lines.push(`${this.slot(n - k, imp.result.width)} = ${this.decodeLE(imp.result.width, "vm->stack")};`);
    return lines;
  }

  private callFunction(insn: Insn, n: number): string[] {
    const index = this.fn.code[insn.pc + 1]!;
    const callee = this.ctx.image.functions[index]!;
    const k = callee.paramCount;
    const args = callee.locals.slice(0, k).map((t, i) => this.get(n - k + i, t.width));
    if (callee.result) args.push(`&${this.slot(n - k, callee.result.width)}`);
    const bytes = frameBytes(callee);
    this.usesStatus = true;
    return [
      `if ((uint32_t)vm->frame_end + ${bytes} > vm->stack_limit) return ALKY_FAULT_STACK;`,
      `vm->frame_end = (uint16_t)(vm->frame_end + ${bytes});`,
      "ALKY_AOT_FUEL_SAVE();",
      `st = ${this.ctx.names[index]}(${["vm", ...args].join(", ")});`,
      "if (st != ALKY_OK) return st;",
      "ALKY_AOT_FUEL_LOAD();",
      `vm->frame_end = (uint16_t)(vm->frame_end - ${bytes});`,
    ];
  }
}

/** Whether a function can be an invocation's entry (public or event); helpers are entered only by CALLF. */
export function isEntry(fn: IrFunction): boolean {
  return fn.kind === FunctionKind.Public || fn.kind === FunctionKind.Event;
}
