// Finds, in solc's init code, the PUSH immediates that hold the runtime code's
// size and the program's size, so that fusion can make the constructor return a
// longer runtime (the runtime code plus the image container after it).
//
// solc's legacy code generator ends the constructor with
//   PUSH #[$]0  (runtime size)  ...  PUSH [$]0 (runtime offset)  PUSH0  CODECOPY
//   ... ASSIGNIMMUTABLE ...  PUSH #[$]0  PUSH0  RETURN
// and reads constructor arguments from `CODESIZE - PUSHSIZE` (the program size).
// The init code is walked in lockstep with its legacy assembly items: each item
// is one instruction (ASSIGNIMMUTABLE expands to a known sequence), and every
// instruction decoded must agree with its item, so each size field is located
// by what solc says it is, never by its value. Anything unexpected is refused.

import type { AssemblyItem, SolidityContract } from "./solidity.js";

export type SizeRole = "runtime-size" | "program-size";

export interface SizeField {
  /** Offset in the init code of the PUSH immediate (after the opcode byte). */
  offset: number;
  width: number;
  role: SizeRole;
}

export interface InitLayout {
  runtimeOffset: number;
  runtimeSize: number;
  /** Length of the whole init code (solc's PUSHSIZE). */
  programSize: number;
  fields: SizeField[];
}

export type LayoutResult = { ok: true; layout: InitLayout } | { ok: false; message: string };

const PUSH0 = 0x5f;
const PUSH32 = 0x7f;
const INVALID = 0xfe;
/** Opcodes named in the constructor's copy-and-return sequence, checked by name. */
const NAMED_OPCODES: Readonly<Record<string, number>> = {
  JUMPDEST: 0x5b, CODECOPY: 0x39, CODESIZE: 0x38, RETURN: 0xf3, ADD: 0x01, SUB: 0x03, MSTORE: 0x52, POP: 0x50, DUP1: 0x80, DUP2: 0x81,
};

const isPush = (op: number): boolean => op >= PUSH0 && op <= PUSH32;

interface Instruction {
  op: number;
  /** Offset of the opcode byte. */
  at: number;
  /** Offset and width of the PUSH immediate (width 0 for other opcodes). */
  immediate: number;
  width: number;
}

class InitWalker {
  pos = 0;
  constructor(private readonly code: Uint8Array) {}

  /** Decodes the next instruction: its opcode, immediate offset and width. */
  next(): Instruction | undefined {
    if (this.pos >= this.code.length) return undefined;
    const at = this.pos;
    const op = this.code[at]!;
    const width = isPush(op) ? op - PUSH0 : 0;
    if (at + 1 + width > this.code.length) return undefined;
    this.pos = at + 1 + width;
    return { op, at, immediate: at + 1, width };
  }

  value(immediate: number, width: number): bigint {
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(this.code[immediate + i]!);
    return v;
  }
}

/** An item's value as solc writes it for pushes and sub-assembly references (hex digits). */
const hexValue = (item: AssemblyItem): bigint | undefined => (item.value !== undefined && /^[0-9a-fA-F]+$/.test(item.value) ? BigInt("0x" + item.value) : undefined);

const hex = (op: number): string => `0x${op.toString(16).padStart(2, "0")}`;

/** Locates the runtime code and the size fields in the init code of a contract, or says why fusion cannot. */
export function locateSizeFields(c: SolidityContract): LayoutResult {
  const code = c.bytecode;
  const walker = new InitWalker(code);
  const fields: SizeField[] = [];
  const runtimeOffsets: bigint[] = [];
  const sizeValues: Record<SizeRole, bigint[]> = { "runtime-size": [], "program-size": [] };
  const refuse = (message: string): LayoutResult => ({ ok: false, message: `contract ${c.name}: ${message}` });

  /** The next instruction if it matches the assembly item (a given opcode, any push, any non-push), else why not. */
  const expectOp = (item: string, want: number | "push" | "plain"): Instruction | string => {
    const ins = walker.next();
    if (!ins) return `init code ends inside assembly item ${item}`;
    const ok = want === "push" ? isPush(ins.op) : want === "plain" ? !isPush(ins.op) : ins.op === want;
    if (!ok) return `init code byte ${ins.at} is ${hex(ins.op)}, which does not match assembly item ${item}`;
    return ins;
  };

  for (const item of c.initAssembly) {
    const name = item.name;
    if (name === "tag") continue;
    if (name === "PUSHLIB" || name === "PUSHDEPLOYADDRESS" || name.startsWith("VERBATIM"))
      return refuse(`init code uses ${name}, which fusion does not support (libraries and verbatim code)`);
    if (name === "ASSIGNIMMUTABLE") {
      const n = c.immutableReferences[item.value ?? ""]?.length ?? 0;
      const seq: (number | "push")[] = [];
      for (let k = 0; k < n; k++) {
        if (k !== n - 1) seq.push(NAMED_OPCODES.DUP2!, NAMED_OPCODES.DUP2!);
        seq.push("push", NAMED_OPCODES.ADD!, NAMED_OPCODES.MSTORE!);
      }
      if (n === 0) seq.push(NAMED_OPCODES.POP!, NAMED_OPCODES.POP!);
      for (const want of seq) {
        const ins = expectOp(name, want);
        if (typeof ins === "string") return refuse(ins);
      }
      continue;
    }
    if (name.startsWith("PUSH")) {
      const ins = expectOp(name, "push");
      if (typeof ins === "string") return refuse(ins);
      const value = walker.value(ins.immediate, ins.width);
      const subZero = hexValue(item) === 0n;
      if (name === "PUSH" && value !== hexValue(item))
        return refuse(`init code byte ${ins.at} pushes ${value}, assembly item PUSH says ${item.value}`);
      if (name === "PUSHSIZE" || (name === "PUSH #[$]" && subZero)) {
        const role: SizeRole = name === "PUSHSIZE" ? "program-size" : "runtime-size";
        if (ins.width === 0) return refuse(`init code byte ${ins.at}: the ${role} is pushed with PUSH0`);
        fields.push({ offset: ins.immediate, width: ins.width, role });
        sizeValues[role].push(value);
      }
      if (name === "PUSH [$]" && subZero) runtimeOffsets.push(value);
      continue;
    }
    const named = NAMED_OPCODES[name];
    const ins = expectOp(name, named ?? "plain");
    if (typeof ins === "string") return refuse(ins);
  }

  const allSame = (vs: bigint[]): bigint | undefined => (vs.length > 0 && vs.every((v) => v === vs[0]) ? vs[0] : undefined);
  const runtimeOffset = allSame(runtimeOffsets);
  const runtimeSize = allSame(sizeValues["runtime-size"]);
  if (runtimeOffset === undefined || runtimeSize === undefined)
    return refuse("init code does not copy one runtime code (no single PUSH [$]0 / PUSH #[$]0 in its assembly)");
  const end = walker.pos;
  if (!(end === Number(runtimeOffset) || (end + 1 === Number(runtimeOffset) && code[end] === INVALID)))
    return refuse(`init code assembly ends at byte ${end} but the runtime code starts at ${runtimeOffset}`);
  const R = Number(runtimeOffset);
  const S = Number(runtimeSize);
  if (S !== c.deployedBytecode.length) return refuse(`init code copies ${S} bytes of runtime code, solc's runtime code has ${c.deployedBytecode.length}`);
  if (R + S !== code.length)
    return refuse("init code carries data after the runtime code (e.g. a contract created by the constructor), which fusion does not support");
  for (let i = 0; i < S; i++)
    if (code[R + i] !== c.deployedBytecode[i]) return refuse(`the runtime code inside the init code differs from solc's runtime code at byte ${i}`);
  const programSizes = sizeValues["program-size"];
  if (programSizes.some((v) => v !== BigInt(code.length)))
    return refuse(`init code's program size (${programSizes.join(", ")}) is not its length (${code.length})`);
  return { ok: true, layout: { runtimeOffset: R, runtimeSize: S, programSize: code.length, fields } };
}

/** The init code with every size field grown by `extra` bytes; refuses a field too narrow for its new value. */
export function growSizeFields(code: Uint8Array, layout: InitLayout, extra: number): { ok: true; code: Uint8Array } | { ok: false; message: string } {
  const out = Uint8Array.from(code);
  for (const f of layout.fields) {
    const value = (f.role === "runtime-size" ? layout.runtimeSize : layout.programSize) + extra;
    if (value >= 2 ** (8 * f.width))
      return { ok: false, message: `the ${f.role} ${value} does not fit the init code's ${f.width}-byte field at byte ${f.offset}` };
    for (let i = 0, v = value; i < f.width; i++, v = Math.floor(v / 256)) out[f.offset + f.width - 1 - i] = v % 256;
  }
  return { ok: true, code: out };
}
