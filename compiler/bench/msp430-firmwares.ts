// The three MSP430G2553 firmwares of a benchmark kernel (bench/firmware/),
// as for the Uno (avr-firmwares.ts): native C, AOT code and the interpreter,
// built by buildMsp430Firmware with clang and ld.lld and the same flags for
// all three, the LaunchPad device's (-Oz -flto -fno-jump-tables), and run
// under mspdebug's simulator (mspdebug-bench.ts). The board has 8/16/32-bit
// arithmetic only and 512 bytes of RAM: a kernel at 64 or 256 bits, or one
// whose firmware does not fit, is not measured there.

import { join } from "node:path";
import { AOT_DIR } from "../engines/aot-build.js";
import { buildMsp430Firmware, DEVICE_INCLUDE_DIRS, MSP430_CFLAGS, MSP430_PORT_DIR, msp430DeviceFirmware, type ToolchainOptions } from "../engines/firmware-build.js";
import { BENCH_FIRMWARE_DIR, kernelGeneratedDir, nativeBenchFirmware, vmCoreSources, type BenchFirmware } from "./avr-firmwares.js";
import { msp430ObjectFunctionBytes } from "./code-size.js";
import type { BenchKernel, CompiledKernel } from "./kernels.js";

/** The VM stack of the bench firmwares: the deepest kernel (heap sort's sift-down) needs about 60 bytes. */
const BENCH_STACK_BYTES = 96;

export function msp430BenchFlags(): string[] {
  return [...msp430DeviceFirmware().extraFlags];
}

export interface Msp430BenchFirmwares {
  native: BenchFirmware;
  aot: BenchFirmware;
  interp: BenchFirmware;
}

/** Why a kernel is not measured on the MSP430, or undefined if it is. */
export function msp430Unsupported(kernel: BenchKernel): string | undefined {
  return kernel.width > 32 ? `${kernel.width}-bit arithmetic is not in the MSP430 build` : undefined;
}

const MARKER_SOURCE = join(BENCH_FIRMWARE_DIR, "bench_msp430.c");

export function buildMsp430BenchFirmwares(kernel: BenchKernel, compiled: CompiledKernel, memorySize: number, options: ToolchainOptions = {}): Msp430BenchFirmwares {
  const flags = msp430BenchFlags();
  const native = buildMsp430Firmware(nativeBenchFirmware(kernel, flags, [MARKER_SOURCE]), options);
  const gen = kernelGeneratedDir("lpmsp430g2553", kernel, compiled, false);
  const vmIncludes = [...DEVICE_INCLUDE_DIRS, AOT_DIR, BENCH_FIRMWARE_DIR, gen];
  const vmDefines = ['ALKY_CONFIG_HEADER="bench_msp430.h"', `ALKY_MEMORY_SIZE=${Math.max(1, memorySize)}`, `ALKY_STACK_SIZE=${BENCH_STACK_BYTES}`];
  const vmFirmware = (name: string, sources: string[], defines: string[]) =>
    buildMsp430Firmware(
      {
        name,
        sources: [...vmCoreSources(), ...sources, join(BENCH_FIRMWARE_DIR, "bench_vm.c"), MARKER_SOURCE],
        includeDirs: vmIncludes,
        defines: [...vmDefines, ...defines],
        extraFlags: flags,
      },
      options,
    );
  const interp = vmFirmware(`bench_interp_${kernel.name}`, [], []);
  // The device's AOT build charges fuel through one out-of-line routine (aot-build.ts).
  const aot = vmFirmware(`bench_aot_${kernel.name}`, [join(AOT_DIR, "aot_runtime.c"), join(gen, "app.c")], ["BENCH_AOT", "ALKY_AOT_CHARGE_CALL=1"]);
  const sizeFlags = (includes: string[], defines: string[]) => [...MSP430_CFLAGS, ...flags, ...defines.map((d) => `-D${d}`), ...[MSP430_PORT_DIR, ...includes].map((d) => `-I${d}`)];
  return {
    native: { elf: native.elf, kernelBytes: msp430ObjectFunctionBytes(kernel.cFile, sizeFlags([], []), options) },
    aot: { elf: aot.elf, kernelBytes: msp430ObjectFunctionBytes(join(gen, "app.c"), sizeFlags(vmIncludes, [...vmDefines, "ALKY_AOT_CHARGE_CALL=1"]), options) },
    interp: { elf: interp.elf, kernelBytes: compiled.bytes.length },
  };
}
