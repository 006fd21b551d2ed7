// One benchmark kernel on a board: its three firmwares built (native C, AOT
// code, interpreter), each run on the board's simulator, the results checked
// to agree, and the cycles and code sizes as one row. The Uno runs under
// simavr (avr-firmwares.ts, simavr-bench.ts), the MSP430G2553 under
// mspdebug's simulator (msp430-firmwares.ts, mspdebug-bench.ts).

import type { ToolchainOptions } from "../engines/firmware-build.js";
import { buildUnoBenchFirmwares, type BenchFirmware } from "./avr-firmwares.js";
import { compileKernel, type BenchKernel } from "./kernels.js";
import { runMspdebugBench } from "./mspdebug-bench.js";
import { buildMsp430BenchFirmwares } from "./msp430-firmwares.js";
import type { KernelResult } from "./report.js";
import { buildSimavrBenchHarness, runBenchFirmware, type BenchRun } from "./simavr-bench.js";

/** A variant failed or the variants disagree: the benchmark has no valid number for the kernel. */
export class BenchResultError extends Error {}

const VARIANTS = ["native", "aot", "interp"] as const;
type Variant = (typeof VARIANTS)[number];

/** The row of a kernel from its three runs, after checking that they ran to the end and agree. */
function kernelResult(kernel: BenchKernel, firmwares: Record<Variant, BenchFirmware>, run: (v: Variant) => BenchRun): KernelResult {
  const runs = VARIANTS.map((v) => ({ variant: v, ...run(v) }));
  const failed = runs.find((r) => r.status !== 0);
  if (failed) throw new BenchResultError(`${kernel.name}: the ${failed.variant} firmware ended with VM status ${failed.status}`);
  if (runs.some((r) => r.result !== runs[0]!.result)) {
    throw new BenchResultError(`${kernel.name}: the variants disagree: ${runs.map((r) => `${r.variant} ${r.result}`).join(", ")}`);
  }
  const [native, aot, interp] = runs;
  // The AOT code charges fuel exactly as the interpreter does (docs/aot.md).
  if (aot!.instructions !== interp!.instructions) {
    throw new BenchResultError(`${kernel.name}: the AOT code used ${aot!.instructions} fuel, the interpreter ${interp!.instructions}`);
  }
  return {
    kernel: kernel.name,
    width: kernel.width,
    native_cycles: native!.cycles,
    aot_cycles: aot!.cycles,
    interp_cycles: interp!.cycles,
    native_bytes: firmwares.native.kernelBytes,
    aot_bytes: firmwares.aot.kernelBytes,
    interp_bytes: firmwares.interp.kernelBytes,
    irInstructions: interp!.instructions ?? 0,
  };
}

export function benchUnoKernel(kernel: BenchKernel, options: ToolchainOptions = {}): KernelResult {
  const firmwares = buildUnoBenchFirmwares(kernel, compileKernel(kernel), options);
  const harnessPath = buildSimavrBenchHarness(options);
  return kernelResult(kernel, firmwares, (v) => runBenchFirmware(firmwares[v].elf, `${kernel.name} (${v})`, { ...options, harnessPath }));
}

export function benchMsp430Kernel(kernel: BenchKernel, options: ToolchainOptions = {}): KernelResult {
  const compiled = compileKernel(kernel);
  const firmwares = buildMsp430BenchFirmwares(kernel, compiled, compiled.memorySize, options);
  return kernelResult(kernel, firmwares, (v) => runMspdebugBench(firmwares[v].elf, `${kernel.name} (${v})`, options));
}
