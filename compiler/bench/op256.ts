// One 256-bit ADD and one 256-bit MUL of the VM's arithmetic (alky_big_binop
// of vm-c/arith256.c: what the interpreter's 256-bit ADD and MUL and the AOT
// code's 256-bit helpers run), each timed alone on the Uno under simavr
// (bench/firmware/bench_op256.c), for the comparison with the paper's
// BigNumber figures (1159 and 2666 cycles). The operands are the kernels'
// LCG outputs, either full 256-bit values or only their lowest 32-bit word
// (small values in 256-bit words, which the VM's MUL handles by skipping
// leading zero bytes); the result is checked against BigInt arithmetic.

import { join } from "node:path";
import { buildAvrFirmware, DEVICE_INCLUDE_DIRS, type ToolchainOptions } from "../engines/firmware-build.js";
import { BENCH_FIRMWARE_DIR, unoBenchFlags, vmCoreSources } from "./avr-firmwares.js";
import { BenchResultError } from "./run-bench.js";
import { runBenchFirmware } from "./simavr-bench.js";

export type Op256 = "add" | "mul";

/** The paper's cycles for the BigNumber library on the AVR (Table I, "Big Number"). */
export const BIGNUMBER_CYCLES: Record<Op256, number> = { add: 1159, mul: 2666 };

/** The target: at least this many times faster than BigNumber. */
export const BIGNUMBER_SPEEDUP_TARGET = 5;

/** Full 256-bit operands, or 32-bit values in 256-bit words. */
export type Operands = "full" | "small";

const OPERAND_WORDS: Record<Operands, number> = { full: 8, small: 1 };

/** a and b as bench_op256.c draws them: 8 LCG outputs each, least significant word first, the words above `words` cleared. */
function operands(words: number): [bigint, bigint] {
  let s = 1;
  const next = (): bigint => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return BigInt(s);
  };
  const value = (): bigint => {
    let x = 0n;
    for (let k = 0; k < 8; k++) {
      const w = next();
      if (k < words) x |= w << BigInt(32 * k);
    }
    return x;
  };
  const a = value();
  return [a, value()];
}

/** What bench_op256.c reports: the XOR of the eight 32-bit words of a op b (mod 2^256). */
export function expectedOp256Result(op: Op256, kind: Operands = "full"): number {
  const [a, b] = operands(OPERAND_WORDS[kind]);
  const r = BigInt.asUintN(256, op === "add" ? a + b : a * b);
  let folded = 0n;
  for (let k = 0; k < 8; k++) folded ^= (r >> BigInt(32 * k)) & 0xffffffffn;
  return Number(folded);
}

export interface Op256Result {
  op: Op256;
  operands: Operands;
  cycles: number;
}

export function benchOp256(op: Op256, kind: Operands = "full", options: ToolchainOptions = {}): Op256Result {
  const fw = buildAvrFirmware(
    {
      name: `bench_op256_${op}_${kind}`,
      sources: [...vmCoreSources(), join(BENCH_FIRMWARE_DIR, "bench_op256.c")],
      includeDirs: [...DEVICE_INCLUDE_DIRS, BENCH_FIRMWARE_DIR],
      defines: ['ALKY_CONFIG_HEADER="bench_uno.h"', `BENCH_OP=ALKY_OP_${op.toUpperCase()}`, `BENCH_OPERAND_WORDS=${OPERAND_WORDS[kind]}`],
      extraFlags: unoBenchFlags(),
    },
    options,
  );
  const what = `256-bit ${op} (${kind} operands)`;
  const r = runBenchFirmware(fw.elf, what, options);
  const expected = expectedOp256Result(op, kind);
  if (r.result !== expected) throw new BenchResultError(`${what}: the firmware computed ${r.result}, BigInt ${expected}`);
  return { op, operands: kind, cycles: r.cycles };
}
