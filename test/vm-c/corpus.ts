// Programs for the differential tests: assembly text (compiler/ir/asm.ts) and
// the commands to run on it. Generated programs cover every value opcode at
// every width with edge and random operands; hand-written ones cover memory,
// storage, calls, faults, fuel, strings, node calls and the clock.

import { assemble } from "../../compiler/ir/asm.js";
import { OPCODES } from "../../compiler/ir/opcodes.js";
import type { CRunOptions } from "./c-vm.js";

export interface Program {
  name: string;
  image: Uint8Array;
  commands: string[];
  options?: CRunOptions;
}

export function assembleOrThrow(name: string, source: string): Uint8Array {
  const r = assemble(source);
  if (!r.ok) throw new Error(`${name}: ${r.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ")}`);
  return r.bytes;
}

// ---------------------------------------------------------------- values

const WIDTHS = [8, 16, 32, 64, 256] as const;

/** A small deterministic generator (xorshift32). */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomBits(next: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(next());
  // Vary the magnitude so that small, medium and full-width values all occur.
  const keep = BigInt(1 + (next() % bits));
  return BigInt.asUintN(bits, v) & ((1n << keep) - 1n);
}

export function edgeValues(bits: number): bigint[] {
  const max = (1n << BigInt(bits)) - 1n;
  const sign = 1n << BigInt(bits - 1);
  return [0n, 1n, 2n, 3n, 7n, 8n, BigInt(bits - 1), BigInt(bits), BigInt(bits + 1), sign - 1n, sign, sign + 1n, max - 1n, max, 0x80n, 0xffn];
}

/** Little-endian hex of an unsigned value at a width (the driver's argument format). */
export function leHex(v: bigint, bits: number): string {
  let x = BigInt.asUintN(bits, v);
  let s = "";
  for (let i = 0; i < bits / 8; i++, x >>= 8n) s += Number(x & 0xffn).toString(16).padStart(2, "0");
  return s;
}

// ---------------------------------------------------------------- generated arithmetic

const BINARY = ["ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR"];
const COMPARE = ["LT", "GT", "SLT", "SGT", "EQ"];
const TERNARY = ["ADDMOD", "MULMOD"];
const UNARY = ["NOT", "ISZERO"];

/** Every value opcode the generated programs cover; the test checks it is every G_ opcode of the table. */
export const VALUE_OPCODES: readonly string[] = [...BINARY, ...COMPARE, ...TERNARY, ...UNARY];

/** One image per width: a public function per value opcode, called with many operand sets. */
export function arithmeticProgram(bits: number, seed: number, casesPerOp: number): Program {
  const u = `uint${bits}`;
  const nb = bits / 8;
  const fns: string[] = [];
  const ops: { name: string; arity: number }[] = [];
  const emit = (op: string, arity: number, result: string): void => {
    const params = Array.from({ length: arity }, () => u).join(", ");
    // The first parameter ends on top: it is the Yellow Paper's a = μs[0].
    const loads = Array.from({ length: arity }, (_, i) => `    LGET ${(arity - 1 - i) * nb}`).join("\n");
    fns.push(`.func public ${op}_${bits}(${params}) -> ${result}\n    MODE${bits}\n${loads}\n    ${op}\n    RETF\n`);
    ops.push({ name: op, arity });
  };
  for (const op of BINARY) emit(op, 2, u);
  for (const op of COMPARE) emit(op, 2, "bool");
  for (const op of TERNARY) emit(op, 3, u);
  emit("NOT", 1, u);
  emit("ISZERO", 1, "bool");
  const source = `.profile test\n.memory 0\n${fns.join("\n")}`;
  const next = prng(seed);
  const edges = edgeValues(bits);
  const pick = (): bigint => {
    const r = next() % 4;
    if (r === 0) return edges[next() % edges.length]!;
    if (r === 1) return BigInt(next() % (bits + 3));
    return randomBits(next, bits);
  };
  const commands: string[] = [];
  ops.forEach((op, index) => {
    // Every pair of edge values (for ADDMOD/MULMOD: with a few moduli), then random operands.
    const moduli = [0n, 1n, 3n, edges[9]!, edges[13]!, edges[10]!];
    for (const a of edges) {
      if (op.arity === 1) commands.push(`call ${index} ${leHex(a, bits)}`);
      else
        for (const b of edges) {
          const rest = op.arity === 3 ? moduli : [undefined];
          for (const n of rest) commands.push(`call ${index} ${[a, b, ...(n === undefined ? [] : [n])].map((v) => leHex(v, bits)).join(" ")}`);
        }
    }
    for (let k = 0; k < casesPerOp; k++) {
      const args = Array.from({ length: op.arity }, pick);
      commands.push(`call ${index} ${args.map((a) => leHex(a, bits)).join(" ")}`);
    }
  });
  return { name: `arithmetic ${bits}-bit`, image: assembleOrThrow(`arith${bits}`, source), commands };
}

/** ZEXT/SEXT/TRUNC between every pair of widths. */
export function conversionProgram(seed: number): Program {
  const fns: string[] = [];
  const calls: { index: number; from: number }[] = [];
  for (const from of WIDTHS)
    for (const to of WIDTHS) {
      if (from === to) continue;
      for (const op of from < to ? ["ZEXT", "SEXT"] : ["TRUNC"]) {
        fns.push(`.func public ${op}_${from}_${to}(uint${from}) -> uint${to}\n    MODE${from}\n    LGET 0\n    ${op} ${to}\n    RETF\n`);
        calls.push({ index: calls.length, from });
      }
    }
  const next = prng(seed);
  const commands: string[] = [];
  for (const c of calls) {
    for (const v of [...edgeValues(c.from), randomBits(next, c.from), randomBits(next, c.from)]) commands.push(`call ${c.index} ${leHex(v, c.from)}`);
  }
  return { name: "conversions", image: assembleOrThrow("conversions", `.profile test\n.memory 0\n${fns.join("\n")}`), commands };
}

/** PUSHn of every size that fits, DUPn and SWAPn of every depth, at every width. */
export function stackProgram(): Program {
  const fns: string[] = [];
  for (const bits of WIDTHS) {
    const nb = bits / 8;
    for (let n = 0; n <= Math.min(nb, 32); n++) {
      const imm = Array.from({ length: n }, (_, i) => ((i * 37 + n * 11 + 0x81) & 0xff).toString(16).padStart(2, "0")).join("");
      fns.push(`.func public push${n}_${bits}() -> uint${bits}\n    MODE${bits}\n    ${n === 0 ? "PUSH0" : `PUSH${n} 0x${imm}`}\n    RETF\n`);
    }
    for (let n = 1; n <= 16; n++) {
      const pushes = Array.from({ length: 17 }, (_, i) => `    PUSH1 ${i + 1}`).join("\n");
      // DUPn then fold everything with XOR-and-multiply so the order of values matters.
      const fold = Array.from({ length: 17 }, () => "    PUSH1 3\n    MUL\n    XOR").join("\n");
      fns.push(`.func public dup${n}_${bits}() -> uint${bits}\n    MODE${bits}\n${pushes}\n    DUP${n}\n${fold}\n    RETF\n`);
      fns.push(`.func public swap${n}_${bits}() -> uint${bits}\n    MODE${bits}\n${pushes}\n    SWAP${n}\n${fold.split("\n").slice(3).join("\n")}\n    RETF\n`);
    }
  }
  const source = `.profile test\n.memory 0\n${fns.join("\n")}`;
  const count = (source.match(/^\.func /gm) ?? []).length;
  return { name: "stack", image: assembleOrThrow("stack", source), commands: Array.from({ length: count }, (_, i) => `call ${i}`) };
}

/** Opcode names of the table whose stack effect is fixed (G_ kinds), to check the corpus covers them. */
export function tableValueOpcodes(): string[] {
  const memory = new Set(["MLOAD", "MSTORE", "MSTORE8", "SLOAD", "SSTORE", "POP", "STOP", "INVALID"]);
  return OPCODES.filter((o) => o.special === undefined && !memory.has(o.name)).map((o) => o.name);
}

/**
 * MLOAD, MSTORE, MSTORE8, SLOAD, SSTORE and LSET/LGET at every width, at
 * addresses around both ends of memory and storage (40 bytes each), so faults
 * and their addresses are compared at every access size.
 */
export function memoryProgram(seed: number): Program {
  const fns: string[] = [];
  const commands: string[] = [];
  const next = prng(seed);
  const size = 40;
  for (const bits of WIDTHS) {
    const u = `uint${bits}`;
    const nb = bits / 8;
    const base = fns.length;
    // store(addr, v): the value through a local (LSET/LGET at this width), then MSTORE / MSTORE8 / SSTORE
    for (const op of ["MSTORE", "MSTORE8", "SSTORE"])
      fns.push(`.func public ${op}_${bits}(uint16, ${u})\n.locals ${u}\n    MODE${bits}\n    LGET 2\n    LSET ${2 + nb}\n    LGET ${2 + nb}\n    MODE16\n    LGET 0\n    MODE${bits}\n    ${op}\n    RETF\n`);
    for (const op of ["MLOAD", "SLOAD"]) fns.push(`.func public ${op}_${bits}(uint16) -> ${u}\n    MODE16\n    LGET 0\n    MODE${bits}\n    ${op}\n    RETF\n`);
    const addrs = [0, 1, size - nb - 1, size - nb, size - nb + 1, size - 1, size, size + 1, 0xffff - nb, 0xffff];
    for (const a of addrs) {
      const v = leHex(randomBits(next, bits) | 1n, bits);
      const at = leHex(BigInt(a & 0xffff), 16);
      commands.push(`call ${base} ${at} ${v}`, `call ${base + 1} ${at} ${v}`, `call ${base + 2} ${at} ${v}`, `call ${base + 3} ${at}`, `call ${base + 4} ${at}`);
    }
    commands.push(`mem 0 ${size}`, `storage 0 ${size}`);
  }
  commands.push("reset", `mem 0 ${size}`, `storage 0 ${size}`);
  const source = `.profile test\n.memory ${size}\n.storage ${size}\n${fns.join("\n")}`;
  return { name: "memory and storage at every width", image: assembleOrThrow("memory", source), commands };
}
