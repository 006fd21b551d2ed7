// Builds what the emulated boards run, straight from the Debian toolchains
// (docs/boards-emulation.md): AVR firmware with avr-gcc, MSP430 firmware with
// clang + ld.lld and the port's own start-up code, and the simavr harness
// with gcc. Every output is cached under build/ by a hash of its inputs and
// flags, so a test file or a later run reuses it and any change rebuilds it.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withLinkKey } from "./link-key-build.js";
import { BoardEmulationError } from "./transport.js";

/** The checkout's root (the folder holding vm-c/), from src/ or from dist/. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "vm-c")) && existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the AlkyVM checkout (no vm-c/ above this module)");
    dir = up;
  }
}

export const REPO_ROOT = findRepoRoot();
export const AVR_PORT_DIR = join(REPO_ROOT, "vm-c", "port", "avr");
export const MSP430_PORT_DIR = join(REPO_ROOT, "vm-c", "port", "msp430");
export const SIMAVR_HARNESS_SOURCE = join(REPO_ROOT, "scripts", "harness", "simavr_uart.c");
export const BUILD_ROOT = join(REPO_ROOT, "build");

const SETUP_HINT = "run scripts/setup.sh";

export interface ToolchainOptions {
  /** PATH to search for the tools (default: the process's PATH). */
  pathEnv?: string;
}

/** Absolute path of an executable on PATH, or undefined. */
export function findTool(name: string, options: ToolchainOptions = {}): string | undefined {
  for (const dir of (options.pathEnv ?? process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export function requireTool(name: string, purpose: string, options: ToolchainOptions): string {
  const path = findTool(name, options);
  if (!path) throw new BoardEmulationError("toolchain-missing", `${name} (${purpose}) is not installed: ${SETUP_HINT}`);
  return path;
}

export function run(tool: string, args: string[], what: string): string {
  const r = spawnSync(tool, args, { encoding: "utf8" });
  if (r.error) throw new BoardEmulationError("toolchain-missing", `${basename(tool)} did not start (${r.error.message}): ${SETUP_HINT}`);
  if (r.status !== 0) throw new BoardEmulationError("build-failed", `${what} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export function headersOf(dirs: readonly string[]): string[] {
  // Subfolders too: a source includes "config/uno.h" from an include folder,
  // and a header edit there must change the build's hash.
  const found = new Set<string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".h")) found.add(path);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return [...found];
}

export function contentHash(parts: readonly string[], files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p).update("\0");
  for (const f of files) hash.update(f.replace(REPO_ROOT, "")).update("\0").update(readFileSync(f));
  return hash.digest("hex").slice(0, 16);
}

/**
 * Runs produce(tmpDir) and moves its result into place as outDir, unless outDir
 * exists already. The rename makes concurrent builders (parallel test files)
 * safe: one of them wins, the others find the finished directory.
 */
export function cachedDir(outDir: string, produce: (tmpDir: string) => void, mode?: number): void {
  if (existsSync(outDir)) return;
  const tmp = `${outDir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  mkdirSync(tmp, mode === undefined ? {} : { mode });
  if (mode !== undefined) chmodSync(tmp, mode); // whatever the umask
  try {
    produce(tmp);
    try {
      renameSync(tmp, outDir);
    } catch (e) {
      if (!existsSync(outDir)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface FirmwareSources {
  /** Names the cache directory (build/firmware/<board>/<name>-<hash>). */
  name: string;
  /** C (and, for the MSP430, assembly) files of the firmware itself. */
  sources: readonly string[];
  includeDirs?: readonly string[];
  /** Preprocessor definitions, e.g. "ALKY_UART_RX_SIZE=128". */
  defines?: readonly string[];
  /** Further compiler flags (e.g. -mcall-prologues), after the board's own. */
  extraFlags?: readonly string[];
  /** The build holds a secret (a link key): its folder is readable by its owner only. */
  private?: boolean;
}

/** Mode of a build folder: 0700 for a build holding a secret, else the umask's default. */
export function buildDirMode(firmware: Pick<FirmwareSources, "private">): number | undefined {
  return firmware.private ? 0o700 : undefined;
}

export interface FirmwareSizes {
  /** Code and constants in flash. */
  text: number;
  /** Initialised RAM (its initial values also take flash). */
  data: number;
  bss: number;
}

export interface BuiltFirmware {
  elf: string;
  sizes: FirmwareSizes;
}

export function parseBerkeleySize(output: string): FirmwareSizes {
  const row = output
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .find((cells) => /^\d+$/.test(cells[0] ?? ""));
  if (!row) throw new BoardEmulationError("build-failed", `cannot read the size report:\n${output}`);
  return { text: Number(row[0]), data: Number(row[1]), bss: Number(row[2]) };
}

/** A toolchain's base flags, then the firmware's own flags, defines and include folders. */
function compilerFlags(base: readonly string[], firmware: FirmwareSources, includeDirs: readonly string[]): string[] {
  return [...base, ...(firmware.extraFlags ?? []), ...(firmware.defines ?? []).map((d) => `-D${d}`), ...includeDirs.map((d) => `-I${d}`)];
}

const AVR_FLAGS = [
  "-mmcu=atmega328p",
  "-Os",
  "-DF_CPU=16000000UL",
  "-std=c99",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-ffunction-sections",
  "-fdata-sections",
  "-Wl,--gc-sections",
];

/** Builds an ATmega328P firmware (16 MHz). vm-c/port/avr is on the include path; list its .c files you use. */
export function buildAvrFirmware(firmware: FirmwareSources, options: ToolchainOptions = {}): BuiltFirmware {
  const cc = requireTool("avr-gcc", "AVR compiler, Debian gcc-avr", options);
  const size = requireTool("avr-size", "Debian binutils-avr", options);
  const includeDirs = [AVR_PORT_DIR, ...(firmware.includeDirs ?? [])];
  const flags = compilerFlags(AVR_FLAGS, firmware, includeDirs);
  const sources = firmware.sources.map((s) => resolve(s));
  const hash = contentHash([cc, ...flags], [...sources, ...headersOf(includeDirs)]);
  const outDir = join(BUILD_ROOT, "firmware", "avr", `${firmware.name}-${hash}`);
  cachedDir(
    outDir,
    (tmp) => {
      run(cc, [...flags, ...sources, "-o", join(tmp, `${firmware.name}.elf`)], `avr-gcc (${firmware.name})`);
    },
    buildDirMode(firmware),
  );
  const elf = join(outDir, `${firmware.name}.elf`);
  return { elf, sizes: parseBerkeleySize(run(size, [elf], "avr-size")) };
}

export const MSP430_CFLAGS = [
  "--target=msp430",
  "-mmcu=msp430g2553",
  "-Os",
  "-ffreestanding",
  "-nostdlib",
  "-std=c99",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-ffunction-sections",
  "-fdata-sections",
];

/** The start-up code and helpers every MSP430 firmware links (vm-c/port/msp430). */
export const MSP430_RUNTIME_SOURCES = [join(MSP430_PORT_DIR, "crt0.S"), join(MSP430_PORT_DIR, "mspabi.c")];
export const MSP430_LINKER_SCRIPT = join(MSP430_PORT_DIR, "msp430g2553.ld");

/**
 * Builds an MSP430G2553 firmware with clang and ld.lld: the port's crt0 and
 * __mspabi_* helpers are added, vm-c/port/msp430 is on the include path
 * (list mailbox.c / flash.c yourself when you use them; define
 * ALKY_MSP430_SIM=1 for flash erase under mspdebug's simulator).
 */
export function buildMsp430Firmware(firmware: FirmwareSources, options: ToolchainOptions = {}): BuiltFirmware {
  const cc = requireTool("clang", "MSP430 compiler, Debian clang", options);
  const ld = requireTool("ld.lld", "MSP430 linker, Debian lld", options);
  const size = requireTool("llvm-size", "Debian llvm", options);
  const includeDirs = [MSP430_PORT_DIR, ...(firmware.includeDirs ?? [])];
  const flags = compilerFlags(MSP430_CFLAGS, firmware, includeDirs);
  const sources = [...MSP430_RUNTIME_SOURCES, ...firmware.sources.map((s) => resolve(s))];
  const ldFlags = ["-m", "msp430elf", "-T", MSP430_LINKER_SCRIPT, "--gc-sections"];
  const hash = contentHash([cc, ld, ...flags, ...ldFlags], [...sources, MSP430_LINKER_SCRIPT, ...headersOf(includeDirs)]);
  const outDir = join(BUILD_ROOT, "firmware", "msp430", `${firmware.name}-${hash}`);
  cachedDir(outDir, (tmp) => {
    const objects = sources.map((src, i) => {
      const obj = join(tmp, `${i}-${basename(src)}.o`);
      run(cc, [...flags, "-c", src, "-o", obj], `clang (${basename(src)})`);
      return obj;
    });
    run(ld, [...ldFlags, ...objects, "-o", join(tmp, `${firmware.name}.elf`)], `ld.lld (${firmware.name})`);
  });
  const elf = join(outDir, `${firmware.name}.elf`);
  return { elf, sizes: parseBerkeleySize(run(size, [elf], "llvm-size")) };
}

/** Path of the simavr harness binary, built with gcc on first use. */
export function buildSimavrHarness(options: ToolchainOptions = {}): string {
  const gcc = requireTool("gcc", "host C compiler", options);
  const pkgConfig = requireTool("pkg-config", "Debian pkg-config", options);
  const probe = spawnSync(pkgConfig, ["--cflags", "--libs", "simavr"], { encoding: "utf8" });
  if (probe.status !== 0) {
    throw new BoardEmulationError("toolchain-missing", `libsimavr (Debian libsimavr-dev) is not installed: ${SETUP_HINT}`);
  }
  if (!existsSync("/usr/include/libelf.h") && spawnSync(pkgConfig, ["--exists", "libelf"]).status !== 0) {
    throw new BoardEmulationError("toolchain-missing", `libelf (Debian libelf-dev) is not installed: ${SETUP_HINT}`);
  }
  const simavrFlags = probe.stdout.trim().split(/\s+/).filter(Boolean);
  const flags = ["-O2", "-Wall", "-Wextra", "-Werror", ...simavrFlags, "-lelf"];
  const hash = contentHash([gcc, ...flags], [SIMAVR_HARNESS_SOURCE]);
  const outDir = join(BUILD_ROOT, "harness", `simavr_uart-${hash}`);
  cachedDir(outDir, (tmp) => {
    // Libraries after the source: the linker resolves left to right.
    run(gcc, ["-O2", "-Wall", "-Wextra", "-Werror", SIMAVR_HARNESS_SOURCE, ...simavrFlags, "-lelf", "-o", join(tmp, "simavr_uart")], "gcc (simavr harness)");
  });
  return join(outDir, "simavr_uart");
}

// ---- The link-device firmwares (vm-c/device.c over each board's port) ----

export const VM_C_DIR = join(REPO_ROOT, "vm-c");
export const DEVICE_HAL_SOURCE = join(VM_C_DIR, "port", "device_hal.c");
/** Folders whose headers a device firmware includes (hashed for the cache). */
export const DEVICE_INCLUDE_DIRS = [VM_C_DIR, join(VM_C_DIR, "config"), join(VM_C_DIR, "generated")];

/** The VM core, the link codec, the request handler and the app store: every C file at the top of vm-c/. */
export function deviceCoreSources(): string[] {
  return readdirSync(VM_C_DIR)
    .filter((f) => f.endsWith(".c"))
    .sort()
    .map((f) => join(VM_C_DIR, f));
}

const configHeader = (name: string): string => `ALKY_CONFIG_HEADER="config/${name}.h"`;

export const HOST_DEVICE_FLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2"];

/**
 * The host link device (vm-c/port/host/main.c, board "native"), built with
 * gcc: the path of an executable that speaks the link protocol on stdin and
 * stdout (`--store FILE` keeps its app store in FILE across restarts).
 * `defines` (NAME=VALUE) override the config's, e.g. the store's sizes.
 */
export function buildHostDevice(options: DeviceBuildOptions & { defines?: readonly string[] } = {}): string {
  const gcc = requireTool("gcc", "host C compiler", options);
  const base: FirmwareSources & { sources: string[]; includeDirs: string[]; defines: string[] } = { name: "alky_device", sources: [...deviceCoreSources(), DEVICE_HAL_SOURCE, join(VM_C_DIR, "port", "host", "main.c")], includeDirs: [], defines: [...(options.defines ?? [])] };
  const firmware = options.linkKey ? withLinkKey(base, options.linkKey) : base;
  const flags = [...HOST_DEVICE_FLAGS, `-D${configHeader("native")}`, `-I${VM_C_DIR}`, ...compilerFlags([], firmware, firmware.includeDirs)];
  const hash = contentHash([gcc, ...flags], [...firmware.sources, ...headersOf([...DEVICE_INCLUDE_DIRS, ...firmware.includeDirs])]);
  const outDir = join(BUILD_ROOT, "firmware", "host", `${firmware.name}-${hash}`);
  cachedDir(
    outDir,
    (tmp) => {
      run(gcc, [...flags, ...firmware.sources, "-o", join(tmp, "alky_device")], "gcc (host link device)");
    },
    buildDirMode(firmware),
  );
  return join(outDir, "alky_device");
}

export interface DeviceBuildOptions extends ToolchainOptions {
  /** Seal the device's link with this 32-byte key (docs/link.md §2.1); without it the link is plain. */
  linkKey?: Uint8Array;
}

/**
 * Size options of the Uno device firmware (docs/performance.md, "Compiler
 * flags"): with link-time optimisation, small functions kept out of line and
 * five passes that grow code on the AVR switched off (300 bytes less;
 * -fno-gcse 60 more at 51a71bd, -fno-tree-loop-im 30 more at 703fe5a; the
 * interpreter's benchmark kernels run no slower: the dispatch loop has its
 * own options, ALKY_LOOP_OPTIONS in vm_config.h).
 */
const UNO_DEVICE_FLAGS = ["-mcall-prologues", "-mstrict-X", "-flto", "-mrelax", "-fno-inline-small-functions", "-fno-tree-dominator-opts", "-fno-move-loop-invariants", "-fno-ipa-sra", "-fno-gcse", "-fno-tree-loop-im"];

/**
 * The Arduino Uno link device (vm-c/port/avr/main.c: USART0 at 115200, app
 * store in EEPROM, verifier on), built with avr-gcc: its ELF and sizes.
 */
export function buildUnoDevice(options: DeviceBuildOptions = {}): BuiltFirmware {
  return buildAvrFirmware(options.linkKey ? withLinkKey(unoDeviceFirmware(), options.linkKey) : unoDeviceFirmware(), options);
}

/** What buildUnoDevice compiles, and how (also what `alkyvm firmware --board uno` puts in a project). */
export function unoDeviceFirmware(): Required<Pick<FirmwareSources, "name" | "sources" | "includeDirs" | "defines" | "extraFlags">> {
  return {
    name: "uno_device",
    sources: [...deviceCoreSources(), DEVICE_HAL_SOURCE, ...["main.c", "uart.c", "eeprom.c"].map((f) => join(AVR_PORT_DIR, f))],
    includeDirs: DEVICE_INCLUDE_DIRS,
    defines: [configHeader("uno")],
    extraFlags: UNO_DEVICE_FLAGS,
  };
}

/**
 * clang 14 miscompiles the range check of the interpreter's switch jump table
 * for the MSP430 (`tst.b` then `jlo`: TST always sets carry, so every opcode
 * from 0x80 up lands in the default case and traps). Without jump tables the
 * switch becomes a compare tree, which is correct and here even smaller.
 * -Oz with link-time optimisation (ld.lld runs it on the bitcode objects)
 * makes the firmware about 2 KB smaller than -Os one file at a time
 * (docs/performance.md).
 */
const MSP430_DEVICE_FLAGS = ["-fno-jump-tables", "-Oz", "-flto"];

/**
 * The MSP430G2553 link device (vm-c/port/msp430/main.c) for mspdebug's
 * simulator: the RAM mailbox as transport, the app store in main flash,
 * built with clang and ld.lld: its ELF and sizes. It verifies every image
 * before it is stored, as the Uno does (docs/link.md §7).
 */
export function buildMsp430Device(options: ToolchainOptions = {}): BuiltFirmware {
  return buildMsp430Firmware(msp430DeviceFirmware(), options);
}

/** What buildMsp430Device compiles, and how (also the base of the msp430-aot firmware, aot-build.ts). */
export function msp430DeviceFirmware(): Required<Pick<FirmwareSources, "name" | "sources" | "includeDirs" | "defines" | "extraFlags">> {
  return {
    name: "msp430_device",
    sources: [...deviceCoreSources(), DEVICE_HAL_SOURCE, ...["main.c", "mailbox.c", "flash.c"].map((f) => join(MSP430_PORT_DIR, f))],
    includeDirs: DEVICE_INCLUDE_DIRS,
    defines: [configHeader("lpmsp430g2553"), "ALKY_MSP430_SIM=1", "ALKY_MAILBOX_RX_CAP=8", "ALKY_MAILBOX_TX_CAP=8"],
    extraFlags: MSP430_DEVICE_FLAGS,
  };
}
