// Builds the link devices with an app compiled ahead of time into them
// (docs/aot.md): the device firmware plus the app's generated C
// (compiler/aot/) and vm-c/aot/aot_runtime.c, with device.c's invocations
// routed through alky_aot_call_run.
//
// * Host (backend c-aot): the device of buildHostDevice. The VM core is
//   compiled once into objects (cached by content hash); each app then costs
//   one compile of its own C file and a link, cached by the hash of the
//   generated C.
// * Arduino Uno (backend avr-aot): the firmware of buildUnoDevice, same
//   sources, configuration and flags less -flto (one avr-gcc run per app), cached
//   by the hash of everything including the generated C.
// * MSP430G2553 (backend msp430-aot): the firmware of buildMsp430Device, same
//   sources, configuration and flags (-Oz -flto), fuel charged out of line.

import { existsSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { emitC } from "../aot/emit-c.js";
import { decodeImage, Feature, FEATURE_NAMES } from "../ir/image.js";
import {
  BUILD_ROOT,
  cachedDir,
  contentHash,
  DEVICE_HAL_SOURCE,
  DEVICE_INCLUDE_DIRS,
  buildAvrFirmware,
  buildMsp430Firmware,
  deviceCoreSources,
  headersOf,
  HOST_DEVICE_FLAGS,
  requireTool,
  run,
  msp430DeviceFirmware,
  VM_C_DIR,
  unoDeviceFirmware,
  type BuiltFirmware,
  type FirmwareSources,
  type ToolchainOptions,
} from "./firmware-build.js";
import { BoardEmulationError } from "./transport.js";

export const AOT_DIR = join(VM_C_DIR, "aot");
const AOT_RUNTIME_SOURCE = join(AOT_DIR, "aot_runtime.c");
/** device.c runs invocations through the AOT runtime's dispatcher. */
const CALL_RUN_HOOK = "ALKY_DEVICE_CALL_RUN=alky_aot_call_run";

function hostAotFlags(): string[] {
  return [...HOST_DEVICE_FLAGS, `-DALKY_CONFIG_HEADER="config/native.h"`, `-D${CALL_RUN_HOOK}`, `-I${VM_C_DIR}`];
}

/** The objects of everything but the app: VM core, device, HAL, host port, AOT runtime. */
function coreObjects(gcc: string): string[] {
  const flags = hostAotFlags();
  const sources = [...deviceCoreSources(), DEVICE_HAL_SOURCE, join(VM_C_DIR, "port", "host", "main.c"), AOT_RUNTIME_SOURCE];
  const hash = contentHash([gcc, ...flags], [...sources, ...headersOf([...DEVICE_INCLUDE_DIRS, AOT_DIR])]);
  const outDir = join(BUILD_ROOT, "firmware", "host-aot", `core-${hash}`);
  const objects = sources.map((src, i) => `${i}-${basename(src)}.o`);
  cachedDir(outDir, (tmp) => {
    sources.forEach((src, i) => run(gcc, [...flags, "-c", src, "-o", join(tmp, objects[i]!)], `gcc (${basename(src)})`));
  });
  return objects.map((o) => join(outDir, o));
}

/**
 * The host link device running `bytes` (an encoded, verified image) as
 * native code: the path of its executable. Loading another image over the
 * link still works; that one is interpreted.
 */
export function buildHostAotDevice(bytes: Uint8Array, options: ToolchainOptions = {}): string {
  const generated = emitC(bytes);
  if (!generated.ok) throw new BoardEmulationError("build-failed", `AOT translation failed: ${generated.message}`);
  return buildHostAotDeviceFromC(generated.text, options);
}

/** The host link device with a given generated app file (emitC's text); cached by its hash. */
export function buildHostAotDeviceFromC(appC: string, options: ToolchainOptions = {}): string {
  const gcc = requireTool("gcc", "host C compiler", options);
  const objects = coreObjects(gcc);
  const flags = hostAotFlags();
  const hash = contentHash([gcc, ...flags, ...objects, appC], []);
  const outDir = join(BUILD_ROOT, "firmware", "host-aot", `app-${hash}`);
  cachedDir(outDir, (tmp) => {
    const source = join(tmp, "app.c");
    writeFileSync(source, appC);
    run(gcc, [...flags, source, ...objects, "-o", join(tmp, "alky_device")], "gcc (AOT app)");
  });
  const exe = join(outDir, "alky_device");
  if (!existsSync(exe)) throw new BoardEmulationError("build-failed", `the AOT device was not built: ${exe}`);
  return exe;
}

/**
 * The Uno device's flags less -flto. avr-gcc 5.4 miscompiles the AOT firmware
 * when the whole of it is optimised at once: a 32-bit add of a constant to a
 * register below r16 (the fuel charge `fuel -= 59`) takes a scratch register
 * for the constant (insn addsi3/3), and the register chosen still holds a
 * value in use: the X pointer to a global (`ldi r27,59` between `ld r18,X+;
 * ld r19,X; sbiw r26,1` and `st X,r18`: a write to 0x3b03, conformance case
 * eval_order), or a call's argument r24 = 0 (case incdec: the second OutI8
 * went out as import 8). Both need what LTO brings (the VM's address as a
 * constant, constant propagation into alky_aot_import); compiled one file
 * at a time the firmware passes the corpus and the random programs.
 */
function unoAotFlags(extraFlags: readonly string[]): string[] {
  return extraFlags.filter((f) => f !== "-flto");
}

/** The Arduino Uno link device running `bytes` (an encoded, verified image) as native code: its ELF and sizes. */
export function buildUnoAotDevice(bytes: Uint8Array, options: ToolchainOptions = {}): BuiltFirmware {
  refuseMissingFeatures(bytes, UNO_LACKS, "Uno");
  const generated = emitC(bytes);
  if (!generated.ok) throw new BoardEmulationError("build-failed", `AOT translation failed: ${generated.message}`);
  return buildUnoAotDeviceFromC(generated.text, options);
}

/**
 * The Uno link device (buildUnoDevice's sources, configuration and flags) with
 * a given generated app file; the file is kept under build/firmware/avr-aot/
 * by its hash, and the firmware is cached by buildAvrFirmware's content hash.
 */
export function buildUnoAotDeviceFromC(appC: string, options: ToolchainOptions = {}): BuiltFirmware {
  const base = unoDeviceFirmware();
  return buildAvrFirmware({ ...withAotApp(base, appC, "avr-aot", "uno_aot_device", []), extraFlags: unoAotFlags(base.extraFlags) }, options);
}

/**
 * A link device's sources with the AOT runtime and a generated app file,
 * which is kept under build/firmware/<dir>/ by its hash (the firmware itself
 * is cached by its builder's content hash).
 */
function withAotApp<T extends FirmwareSources & Required<Pick<FirmwareSources, "sources" | "includeDirs" | "defines">>>(
  base: T,
  appC: string,
  dir: string,
  name: string,
  defines: readonly string[],
): T {
  const srcDir = join(BUILD_ROOT, "firmware", dir, `app-${contentHash([appC], [])}`);
  cachedDir(srcDir, (tmp) => writeFileSync(join(tmp, "app.c"), appC));
  return {
    ...base,
    name,
    sources: [...base.sources, AOT_RUNTIME_SOURCE, join(srcDir, "app.c")],
    includeDirs: [...base.includeDirs, AOT_DIR],
    defines: [...base.defines, CALL_RUN_HOOK, ...defines],
  };
}

/** A fuel charge is a call on the MSP430 (aot.h): under half the code of the inline 32-bit compare and subtract. */
const MSP430_AOT_CHARGE_CALL = "ALKY_AOT_CHARGE_CALL=1";

/**
 * What the MSP430 firmware is built without (vm-c/config/lpmsp430g2553.h:
 * ALKY_WITH_W64, ALKY_WITH_W256, ALKY_WITH_STORAGE 0). The interpreter
 * firmware refuses such an image at LOAD; its AOT code cannot even be linked
 * (no 64/256-bit routines, no storage HAL), so the build says so instead.
 */
const MSP430_LACKS = Feature.Width64 | Feature.Width256 | Feature.Storage;
/** What the Uno firmware is built without (vm-c/config/uno.h: ALKY_WITH_W64, ALKY_WITH_W256 0). */
const UNO_LACKS = Feature.Width64 | Feature.Width256;

/** Throws the build error naming the features an image needs that a board's firmware is built without. */
function refuseMissingFeatures(bytes: Uint8Array, lacks: number, board: string): void {
  const decoded = decodeImage(bytes);
  const missing = decoded.ok ? FEATURE_NAMES.filter(([bit]) => decoded.value.image.features & lacks & bit).map(([, name]) => name) : [];
  if (missing.length) {
    throw new BoardEmulationError("build-failed", `the app needs ${missing.join(", ")}, which the ${board} firmware is built without: its AOT code cannot be built in (docs/aot.md)`);
  }
}

/** The MSP430G2553 link device running `bytes` (an encoded, verified image) as native code: its ELF and sizes. */
export function buildMsp430AotDevice(bytes: Uint8Array, options: ToolchainOptions = {}): BuiltFirmware {
  refuseMissingFeatures(bytes, MSP430_LACKS, "MSP430");
  const generated = emitC(bytes);
  if (!generated.ok) throw new BoardEmulationError("build-failed", `AOT translation failed: ${generated.message}`);
  return buildMsp430AotDeviceFromC(generated.text, options);
}

/**
 * The MSP430G2553 link device (buildMsp430Device's sources, configuration and
 * flags: -Oz -flto, which clang compiles correctly here; the configuration
 * leaves the verifier out of an AOT build, docs/aot.md) with a given
 * generated app file and fuel charges out of line, kept under
 * build/firmware/msp430-aot/ by its hash; the firmware is cached by
 * buildMsp430Firmware's content hash.
 */
export function buildMsp430AotDeviceFromC(appC: string, options: ToolchainOptions = {}): BuiltFirmware {
  return buildMsp430Firmware(withAotApp(msp430DeviceFirmware(), appC, "msp430-aot", "msp430_aot_device", [MSP430_AOT_CHARGE_CALL]), options);
}
