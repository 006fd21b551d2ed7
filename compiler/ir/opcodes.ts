// The Alkyl IR opcode table: the single source of truth. The C opcode header,
// the verifier's rules, the assembler, the disassembler and the table in
// docs/ir.md are all derived from this list. Do not restate it elsewhere.
//
// Operand classes: "W" is a value of the current bit mode's width, "B" a boolean
// (8-bit, 0 or 1), "A" a 16-bit memory or storage address. Pops are listed top
// of stack first, as in the Yellow Paper (μs[0], μs[1], ...).

export type OperandClass = "W" | "B" | "A";

export type ImmediateKind =
  | "none"
  /** PUSHn: n big-endian bytes (n = opcode - 0x5F). */
  | "push"
  /** A width code (0..4) as one byte. */
  | "width"
  /** A byte offset into the current function's frame (locals). */
  | "local"
  /** An index into the function table. */
  | "func"
  /** An index into the import table. */
  | "import"
  /** A signed big-endian 16-bit offset relative to the next instruction (EIP-4200). */
  | "rel16";

/** Instructions whose stack effect the verifier computes from more than the table. */
export type SpecialKind =
  | "push"
  | "dup"
  | "swap"
  | "mode"
  | "convert"
  | "local-get"
  | "local-set"
  | "syscall"
  | "nodecall"
  | "callf"
  | "retf"
  | "jump"
  | "jumpi"
  | "jumpdest";

export type Origin = "evm" | "eof" | "alkyl";

export interface OpcodeInfo {
  byte: number;
  name: string;
  immediate: ImmediateKind;
  pops: readonly OperandClass[];
  pushes: readonly OperandClass[];
  /** Ends straight-line flow: the next instruction must be a jump target. */
  terminal: boolean;
  special: SpecialKind | undefined;
  origin: Origin;
  /** One line of semantics for docs and generated headers. */
  doc: string;
}

function op(
  byte: number,
  name: string,
  pops: readonly OperandClass[],
  pushes: readonly OperandClass[],
  doc: string,
  extra: Partial<Pick<OpcodeInfo, "immediate" | "terminal" | "special" | "origin">> = {},
): OpcodeInfo {
  return {
    byte,
    name,
    immediate: extra.immediate ?? "none",
    pops,
    pushes,
    terminal: extra.terminal ?? false,
    special: extra.special,
    origin: extra.origin ?? "evm",
    doc,
  };
}

const W = "W" as const;
const B = "B" as const;
const A = "A" as const;

function pushOps(): OpcodeInfo[] {
  const out: OpcodeInfo[] = [
    op(0x5f, "PUSH0", [], [W], "push 0 at the current width", { special: "push" }),
  ];
  for (let n = 1; n <= 32; n++) {
    out.push(
      op(0x5f + n, `PUSH${n}`, [], [W], `push the next ${n} byte(s), big-endian, zero-extended; n must not exceed the width`, {
        immediate: "push",
        special: "push",
      }),
    );
  }
  return out;
}

function dupSwapOps(): OpcodeInfo[] {
  const out: OpcodeInfo[] = [];
  for (let n = 1; n <= 16; n++) {
    out.push(op(0x7f + n, `DUP${n}`, [], [], `push a copy of the ${n}th value; the top ${n} values must all be W wide`, { special: "dup" }));
  }
  for (let n = 1; n <= 16; n++) {
    out.push(op(0x8f + n, `SWAP${n}`, [], [], `exchange the top and the ${n + 1}th value; the top ${n + 1} values must all be W wide`, { special: "swap" }));
  }
  return out;
}

function modeOps(): OpcodeInfo[] {
  return [8, 16, 32, 64, 256].map((bits, code) =>
    op(0xc0 + code, `MODE${bits}`, [], [], `set the bit mode (width W) of the following code to ${bits} bits`, {
      special: "mode",
      origin: "alkyl",
    }),
  );
}

export const OPCODES: readonly OpcodeInfo[] = [
  op(0x00, "STOP", [], [], "end the invocation", { terminal: true }),
  op(0x01, "ADD", [W, W], [W], "a + b mod 2^W"),
  op(0x02, "MUL", [W, W], [W], "a * b mod 2^W"),
  op(0x03, "SUB", [W, W], [W], "a - b mod 2^W"),
  op(0x04, "DIV", [W, W], [W], "a / b unsigned, 0 if b = 0"),
  op(0x05, "SDIV", [W, W], [W], "a / b signed, truncated toward zero, 0 if b = 0; -2^(W-1) / -1 = -2^(W-1)"),
  op(0x06, "MOD", [W, W], [W], "a mod b unsigned, 0 if b = 0"),
  op(0x07, "SMOD", [W, W], [W], "a mod b signed (sign of a), 0 if b = 0"),
  op(0x08, "ADDMOD", [W, W, W], [W], "(a + b) mod N without overflow, 0 if N = 0"),
  op(0x09, "MULMOD", [W, W, W], [W], "(a * b) mod N without overflow, 0 if N = 0"),
  op(0x0a, "EXP", [W, W], [W], "a ^ b mod 2^W"),
  op(0x0b, "SIGNEXTEND", [W, W], [W], "extend the sign of byte b (0 = least significant) of x; x if b >= W/8 - 1"),
  op(0x10, "LT", [W, W], [B], "a < b unsigned"),
  op(0x11, "GT", [W, W], [B], "a > b unsigned"),
  op(0x12, "SLT", [W, W], [B], "a < b signed"),
  op(0x13, "SGT", [W, W], [B], "a > b signed"),
  op(0x14, "EQ", [W, W], [B], "a = b"),
  op(0x15, "ISZERO", [W], [B], "a = 0"),
  op(0x16, "AND", [W, W], [W], "bitwise a & b"),
  op(0x17, "OR", [W, W], [W], "bitwise a | b"),
  op(0x18, "XOR", [W, W], [W], "bitwise a ^ b"),
  op(0x19, "NOT", [W], [W], "bitwise ~a"),
  op(0x1a, "BYTE", [W, W], [W], "byte i of x counting from the most significant (0), 0 if i >= W/8"),
  op(0x1b, "SHL", [W, W], [W], "value << shift, 0 if shift >= W"),
  op(0x1c, "SHR", [W, W], [W], "value >> shift (logical), 0 if shift >= W"),
  op(0x1d, "SAR", [W, W], [W], "value >> shift (arithmetic); shift >= W gives 0 or all ones"),
  op(0x50, "POP", [W], [], "discard the top value"),
  op(0x51, "MLOAD", [A], [W], "load W/8 bytes, little-endian, from memory at the address"),
  op(0x52, "MSTORE", [A, W], [], "store the value's W/8 bytes, little-endian, to memory at the address"),
  op(0x53, "MSTORE8", [A, W], [], "store the value's low byte to memory at the address"),
  op(0x54, "SLOAD", [A], [W], "load W/8 bytes, little-endian, from storage at the address"),
  op(0x55, "SSTORE", [A, W], [], "store the value's W/8 bytes, little-endian, to storage at the address"),
  op(0x5b, "JUMPDEST", [], [], "jump target: the operand stack must be empty; resets the mode to 8 bits", {
    special: "jumpdest",
  }),
  ...pushOps(),
  ...dupSwapOps(),
  ...modeOps(),
  op(0xc8, "ZEXT", [W], [], "zero-extend the top from W to the wider immediate width", {
    immediate: "width",
    special: "convert",
    origin: "alkyl",
  }),
  op(0xc9, "SEXT", [W], [], "sign-extend the top from W to the wider immediate width", {
    immediate: "width",
    special: "convert",
    origin: "alkyl",
  }),
  op(0xca, "TRUNC", [W], [], "keep the low bits of the top, from W to the narrower immediate width", {
    immediate: "width",
    special: "convert",
    origin: "alkyl",
  }),
  op(0xd0, "LGET", [], [W], "push the W-wide local at the frame offset", {
    immediate: "local",
    special: "local-get",
    origin: "alkyl",
  }),
  op(0xd1, "LSET", [W], [], "pop into the W-wide local at the frame offset", {
    immediate: "local",
    special: "local-set",
    origin: "alkyl",
  }),
  op(0xd8, "SYSCALL", [], [], "call the device syscall import: pops its arguments (last on top), pushes its result", {
    immediate: "import",
    special: "syscall",
    origin: "alkyl",
  }),
  op(0xd9, "NCALL", [], [], "call the Aryl node function import: pops its arguments, blocks for the answer, pushes it", {
    immediate: "import",
    special: "nodecall",
    origin: "alkyl",
  }),
  op(0xe0, "RJUMP", [], [], "jump by the relative offset; the stack must be empty", {
    immediate: "rel16",
    special: "jump",
    terminal: true,
    origin: "eof",
  }),
  op(0xe1, "RJUMPI", [B], [], "pop a boolean, jump by the relative offset if it is non-zero; the stack must then be empty", {
    immediate: "rel16",
    special: "jumpi",
    origin: "eof",
  }),
  op(0xe3, "CALLF", [], [], "call the function: pops its parameters (last on top), pushes its result", {
    immediate: "func",
    special: "callf",
    origin: "eof",
  }),
  op(0xe4, "RETF", [], [], "return: the stack must hold exactly the function's result (or nothing)", {
    special: "retf",
    terminal: true,
    origin: "eof",
  }),
  op(0xfe, "INVALID", [], [], "fault the invocation (error trap)", { terminal: true }),
];

/** Opcode info by byte value; undefined for bytes that are not opcodes. */
export const OPCODE_BY_BYTE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  for (const info of OPCODES) {
    if (table[info.byte]) throw new Error(`duplicate opcode byte 0x${info.byte.toString(16)}`);
    table[info.byte] = info;
  }
  return table;
})();

export const OPCODE_BY_NAME: ReadonlyMap<string, OpcodeInfo> = new Map(OPCODES.map((o) => [o.name, o]));

export function opcode(name: string): number {
  const info = OPCODE_BY_NAME.get(name);
  if (!info) throw new Error(`unknown opcode ${name}`);
  return info.byte;
}

/** Number of immediate bytes following the opcode byte. */
export function immediateSize(info: OpcodeInfo): number {
  switch (info.immediate) {
    case "none":
      return 0;
    case "push":
      return info.byte - 0x5f;
    case "rel16":
      return 2;
    default:
      return 1;
  }
}

/** Named byte values for code that emits or matches instructions. */
export const Op = {
  STOP: 0x00, ADD: 0x01, MUL: 0x02, SUB: 0x03, DIV: 0x04, SDIV: 0x05, MOD: 0x06, SMOD: 0x07,
  ADDMOD: 0x08, MULMOD: 0x09, EXP: 0x0a, SIGNEXTEND: 0x0b,
  LT: 0x10, GT: 0x11, SLT: 0x12, SGT: 0x13, EQ: 0x14, ISZERO: 0x15,
  AND: 0x16, OR: 0x17, XOR: 0x18, NOT: 0x19, BYTE: 0x1a, SHL: 0x1b, SHR: 0x1c, SAR: 0x1d,
  POP: 0x50, MLOAD: 0x51, MSTORE: 0x52, MSTORE8: 0x53, SLOAD: 0x54, SSTORE: 0x55,
  JUMPDEST: 0x5b, PUSH0: 0x5f, PUSH1: 0x60, DUP1: 0x80, SWAP1: 0x90,
  MODE8: 0xc0, ZEXT: 0xc8, SEXT: 0xc9, TRUNC: 0xca, LGET: 0xd0, LSET: 0xd1,
  SYSCALL: 0xd8, NCALL: 0xd9, RJUMP: 0xe0, RJUMPI: 0xe1, CALLF: 0xe3, RETF: 0xe4, INVALID: 0xfe,
} as const;
