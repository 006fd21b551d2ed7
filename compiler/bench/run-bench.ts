// One benchmark kernel on the Arduino Uno: its three firmwares built
// (avr-firmwares.ts), each run under simavr (simavr-bench.ts), the results
// checked to agree, and the cycles and code sizes as one row.

import type { ToolchainOptions } from "../engines/firmware-build.js";
import { buildUnoBenchFirmwares } from "./avr-firmwares.js";
import { compileKernel, type BenchKernel } from "./kernels.js";
import type { KernelResult } from "./report.js";
import { buildSimavrBenchHarness, runBenchFirmware } from "./simavr-bench.js";

/** A variant failed or the variants disagree: the benchmark has no valid number for the kernel. */
export class BenchResultError extends Error {}

const VARIANTS = ["native", "aot", "interp"] as const;

export function benchUnoKernel(kernel: BenchKernel, options: ToolchainOptions = {}): KernelResult {
  const compiled = compileKernel(kernel);
  const firmwares = buildUnoBenchFirmwares(kernel, compiled, options);
  const harnessPath = buildSimavrBenchHarness(options);
  const runs = VARIANTS.map((v) => ({ variant: v, ...runBenchFirmware(firmwares[v].elf, `${kernel.name} (${v})`, { ...options, harnessPath }) }));
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
