// One 256-bit ADD and one 256-bit MUL of the VM's arithmetic (alky_big_binop
// of vm-c/arith256.c: what the interpreter's 256-bit ADD and MUL and the AOT
// code's 256-bit helpers run), each timed alone on the Uno under simavr
// (bench/firmware/bench_op256.c), for the comparison with the paper's
// BigNumber figures (1159 and 2666 cycles). The operands are the kernels'
// LCG outputs; the result is checked against BigInt arithmetic.

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

/** a and b as bench_op256.c draws them: 8 LCG outputs each, least significant word first. */
function operands(): [bigint, bigint] {
  let s = 1;
  const next = (): bigint => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return BigInt(s);
  };
  const value = (): bigint => {
    let x = 0n;
    for (let k = 0; k < 8; k++) x |= next() << BigInt(32 * k);
    return x;
  };
  const a = value();
  return [a, value()];
}

export function expectedOp256Result(op: Op256): number {
  const [a, b] = operands();
  return Number(BigInt.asUintN(32, op === "add" ? a + b : a * b));
}

export interface Op256Result {
  op: Op256;
  cycles: number;
}

export function benchOp256(op: Op256, options: ToolchainOptions = {}): Op256Result {
  const fw = buildAvrFirmware(
    {
      name: `bench_op256_${op}`,
      sources: [...vmCoreSources(), join(BENCH_FIRMWARE_DIR, "bench_op256.c")],
      includeDirs: [...DEVICE_INCLUDE_DIRS, BENCH_FIRMWARE_DIR],
      defines: ['ALKY_CONFIG_HEADER="bench_uno.h"', `BENCH_OP=ALKY_OP_${op.toUpperCase()}`],
      extraFlags: unoBenchFlags(),
    },
    options,
  );
  const r = runBenchFirmware(fw.elf, `256-bit ${op}`, options);
  const expected = expectedOp256Result(op);
  if (r.result !== expected) throw new BenchResultError(`256-bit ${op}: the firmware computed ${r.result}, BigInt ${expected}`);
  return { op, cycles: r.cycles };
}
