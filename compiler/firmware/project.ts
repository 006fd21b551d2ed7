// `alkyvm firmware`: renders a complete PlatformIO project for a board's
// link-device firmware and builds it. The project holds the same sources and
// flags the emulated-board backends build (compiler/engines/firmware-build.ts,
// compiler/firmware/board-firmware.ts):
//
//   platformio.ini          the board's environment (generated block)
//   src/                    the board glue: main, drivers, the device HAL
//   lib/alkyvm/             the VM as a PlatformIO library (library.json, src/)
//   toolchain/              the MSP430's start-up code and linker script for
//                           clang (PlatformIO's msp430-gcc brings its own)
//
// Without PlatformIO on PATH the project is built with the Debian toolchain
// directly, from the project's own files, into .alkyvm/ inside it.

import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import Handlebars from "handlebars";
import type { Board } from "../../boards/boards.js";
import { firmwareSize } from "../engines/elf-size.js";
import {
  buildAvrFirmware,
  buildMsp430Firmware,
  BUILD_ROOT,
  buildDirMode,
  cachedDir,
  contentHash,
  findTool,
  parseBerkeleySize,
  REPO_ROOT,
  requireTool,
  run,
  VM_C_DIR,
} from "../engines/firmware-build.js";
import { writePrivateFile } from "../engines/link-key-build.js";
import { BoardEmulationError } from "../engines/transport.js";
import { boardFirmware, type BoardFirmware, type FirmwareOptions } from "./board-firmware.js";
import { markersFor, mergeGeneratedBlock, writeIfChanged } from "./generated-block.js";

export interface FirmwareProject {
  dir: string;
  /** What it was rendered with (the build uses the same). */
  options: FirmwareOptions;
  /** Files written because their content changed (paths relative to dir). */
  written: string[];
}

export interface BuiltProject {
  elf: string;
  /** The Intel HEX a programmer writes; none for a Linux program. */
  hex: string | undefined;
  /** Bytes of code and constants (flash on an MCU; the program's text and data on Linux) and of static RAM. */
  size: { flash: number; ram: number };
  /** "platformio" when `pio run` built it, else the compiler that did. */
  builtWith: string;
}

function template(name: string): HandlebarsTemplateDelegate {
  return Handlebars.compile(readFileSync(join(REPO_ROOT, "templates", name), "utf8"), { noEscape: true, strict: true });
}

const LIBRARY_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

const isCore = (path: string): boolean => dirname(path) === VM_C_DIR;
/** The AOT runtime (vm-c/aot/) belongs to the VM library, in its own folder: generated apps include "aot/aot.h". */
const isAot = (path: string): boolean => dirname(path) === join(VM_C_DIR, "aot");
/** The AEAD of a sealed link (vm-c/crypto/) likewise: seal.c includes "crypto/chacha20poly1305.h". */
const isCrypto = (path: string): boolean => dirname(path) === join(VM_C_DIR, "crypto");

/** Where each source of the device firmware goes in the project: the VM library or the board glue. */
function placeSource(path: string): string {
  if (isAot(path)) return join("lib", "alkyvm", "src", "aot", basename(path));
  if (isCrypto(path)) return join("lib", "alkyvm", "src", "crypto", basename(path));
  return isCore(path) ? join("lib", "alkyvm", "src", basename(path)) : join("src", basename(path));
}

/** Headers the firmware includes: the VM's, its generated tables, the board's config, the glue's folders'. */
function headersFor(board: Board, fw: BoardFirmware): string[] {
  const headersIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith(".h")).sort().map((f) => join(dir, f));
  const glueDirs = [...new Set(fw.sources.filter((s) => !isCore(s)).map((s) => dirname(s)))];
  // (vm-c/aot/ is one of them in an AOT build: placeHeader puts its header into the library.)
  const config = join(VM_C_DIR, "config");
  // A board config may include another (raspberrypi.h includes native.h).
  const configs = [`${board.id}.h`, ...(board.toolchain.kind === "gcc-linux" ? ["native.h"] : [])].map((f) => join(config, f));
  return [...new Set([...headersIn(VM_C_DIR), ...headersIn(join(VM_C_DIR, "generated")), ...configs, ...glueDirs.flatMap(headersIn)])];
}

function placeHeader(path: string): string {
  const rel = relative(VM_C_DIR, path);
  if (rel.startsWith("generated") || rel.startsWith("config") || rel.startsWith("aot") || rel.startsWith("crypto") || dirname(rel) === ".") return join("lib", "alkyvm", "src", rel);
  return join("src", basename(path));
}

/** The defines and flags of the firmware, as PlatformIO build flags. */
function buildFlags(fw: BoardFirmware): string[] {
  const flags = [...fw.defines.map((d) => `-D${d.replace(/"(.*)"/, `'"$1"'`)}`), ...fw.extraFlags, "-std=c99", "-Wall", "-Wextra"];
  return [...new Set(flags)];
}

/** The `key = value` lines of the board's environment (absent settings left out). */
function envSettings(board: Board, fw: BoardFirmware): { key: string; value: string }[] {
  const pio = board.platformio;
  const settings: [string, string | number | undefined][] = [
    ["platform", pio.platform],
    ["board", pio.board],
    ["upload_protocol", pio.uploadProtocol],
    ["upload_speed", pio.uploadSpeed],
    ["monitor_speed", pio.monitorSpeed],
    ["lib_deps", "alkyvm"],
  ];
  const lines = settings.filter(([, v]) => v !== undefined).map(([key, value]) => ({ key, value: ` ${value}` }));
  lines.splice(lines.length - 1, 0, { key: "build_flags", value: buildFlags(fw).map((f) => `\n    ${f}`).join("") });
  return lines;
}

/** Renders (or refreshes) the project for `board` in `dir`. */
export function renderProject(board: Board, dir: string, options: FirmwareOptions = {}): FirmwareProject {
  const pio = board.platformio;
  const fw = boardFirmware(board, options);
  const root = resolve(dir);
  const written: string[] = [];
  const put = (rel: string, content: string | Uint8Array): void => {
    if (writeIfChanged(join(root, rel), content)) written.push(rel);
  };
  const iniPath = join(root, "platformio.ini");
  const ini = template("platformio.ini.hbs")({ boardName: board.name, env: pio.env, settings: envSettings(board, fw) });
  put("platformio.ini", mergeGeneratedBlock(existsSync(iniPath) ? readFileSync(iniPath, "utf8") : undefined, ini, markersFor(";")));
  put(
    join("lib", "alkyvm", "library.json"),
    template("library.json.hbs")({
      version: LIBRARY_VERSION,
      platformList: JSON.stringify(pio.platform),
      flagList: ["-std=c99", "-Isrc"].map((f) => JSON.stringify(f)).join(", "),
    }),
  );
  // The board's main file carries a generated block, so a user's additions around it stay.
  const cMarkers = markersFor("//");
  for (const source of fw.sources) {
    const rel = placeSource(source);
    const text = readFileSync(source, "utf8");
    if (basename(source) === "main.c" && rel.startsWith("src")) {
      const path = join(root, rel);
      put(rel, mergeGeneratedBlock(existsSync(path) ? readFileSync(path, "utf8") : undefined, text, cMarkers));
    } else put(rel, text);
  }
  for (const header of headersFor(board, fw)) put(placeHeader(header), readFileSync(header));
  for (const file of fw.toolchainFiles) put(join("toolchain", basename(file)), readFileSync(file));
  for (const file of fw.generated) {
    if (!file.secret) put(join("src", file.name), file.text);
    else if (writeSecretIfChanged(join(root, "include", file.name), file.text)) written.push(join("include", file.name));
  }
  return { dir: root, written, options };
}

/** A secret file (the link key's header): mode 0600 in a 0700 folder, written atomically; true if written. */
function writeSecretIfChanged(path: string, text: string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  if (existsSync(path) && readFileSync(path, "utf8") === text) return false;
  writePrivateFile(path, text);
  return true;
}

/** The project's C files in build order: the library's, then the board glue. */
function projectSources(dir: string): string[] {
  const list = (sub: string): string[] =>
    (existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)) : [])
      .filter((f) => f.endsWith(".c"))
      .sort()
      .map((f) => join(dir, sub, f));
  return [...list(join("lib", "alkyvm", "src")), ...list(join("lib", "alkyvm", "src", "aot")), ...list(join("lib", "alkyvm", "src", "crypto")), ...list("src")];
}

/** A build of the project's own files with the board's Debian toolchain: ELF, HEX (MCUs), sizes, compiler. */
function buildWithToolchain(board: Board, project: FirmwareProject): { elf: string; hex: string | undefined; size: BuiltProject["size"]; compiler: string } {
  const fw = boardFirmware(board, project.options);
  const sources = projectSources(project.dir);
  const includeDirs = [join(project.dir, "lib", "alkyvm", "src"), join(project.dir, "src"), ...(fw.private ? [join(project.dir, "include")] : [])];
  const firmware = { name: "firmware", sources, includeDirs, defines: fw.defines, extraFlags: fw.extraFlags, ...(fw.private ? { private: true } : {}) };
  switch (board.toolchain.kind) {
    case "avr-gcc": {
      const built = buildAvrFirmware(firmware);
      return { elf: built.elf, hex: intelHex(built.elf, "avr-objcopy", "Debian binutils-avr", ["-R", ".eeprom", "-R", ".fuse", "-R", ".lock", "-R", ".signature"]), size: firmwareSize(built.elf, board.memory!), compiler: "avr-gcc" };
    }
    case "clang-msp430": {
      const built = buildMsp430Firmware(firmware);
      return { elf: built.elf, hex: intelHex(built.elf, "llvm-objcopy", "Debian llvm", []), size: firmwareSize(built.elf, board.memory!), compiler: "clang" };
    }
    case "gcc-linux":
      return buildLinuxProgram(board, firmware);
  }
}

/** Only what a programmer writes to flash: code, constants, .data's initial values, vectors. */
function intelHex(elf: string, tool: string, pkg: string, dropSections: string[]): string {
  const objcopy = requireTool(tool, pkg, {});
  const hex = join(dirname(elf), "firmware.hex");
  if (!existsSync(hex)) run(objcopy, ["-O", "ihex", ...dropSections, elf, hex], tool);
  return hex;
}

/** The Linux program, with the board's cross compiler when it is installed, else the native gcc; cached by content hash. */
function buildLinuxProgram(board: Board, firmware: { sources: string[]; includeDirs: string[]; defines: string[]; extraFlags: string[]; private?: boolean }) {
  const cross = board.toolchain.crossCompiler && findTool(board.toolchain.crossCompiler);
  const cc = cross ?? requireTool(board.toolchain.compiler, "host C compiler", {});
  const sizeTool = cross ? cross.replace(/gcc$/, "size") : requireTool("size", "Debian binutils", {});
  const flags = [...firmware.extraFlags, ...firmware.defines.map((d) => `-D${d}`), ...firmware.includeDirs.map((d) => `-I${d}`)];
  const headers = firmware.includeDirs.flatMap((d) => readdirSync(d, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".h")).map((f) => join(d, f)));
  const outDir = join(BUILD_ROOT, "firmware", "linux", `${board.id}-${contentHash([cc, ...flags], [...firmware.sources, ...headers])}`);
  cachedDir(
    outDir,
    (tmp) => {
      run(cc, [...flags, ...firmware.sources, "-o", join(tmp, "alky_device")], `${basename(cc)} (${board.id} link device)`);
    },
    buildDirMode(firmware),
  );
  const elf = join(outDir, "alky_device");
  return { elf, hex: undefined, size: linuxProgramSize(elf, sizeTool), compiler: basename(cc) };
}

/** A Linux program's code and constants (text + data) and static RAM (data + bss). */
function linuxProgramSize(program: string, sizeTool: string): BuiltProject["size"] {
  const sizes = parseBerkeleySize(run(sizeTool, [program], basename(sizeTool)));
  return { flash: sizes.text + sizes.data, ram: sizes.data + sizes.bss };
}

/** Builds a rendered project: `pio run` when PlatformIO is installed, else the Debian toolchain with the same flags. */
export function buildProject(board: Board, project: FirmwareProject): BuiltProject {
  const out = join(project.dir, ".alkyvm");
  const isLinux = board.toolchain.kind === "gcc-linux";
  const elf = join(out, isLinux ? "alky_device" : "firmware.elf");
  const hex = isLinux ? undefined : join(out, "firmware.hex");
  const pio = findTool("pio");
  if (pio) {
    const r = spawnSync(pio, ["run", "-d", project.dir], { encoding: "utf8" });
    if (r.status !== 0) throw new BoardEmulationError("build-failed", `pio run failed:\n${r.stdout}${r.stderr}`);
    const pioOut = join(project.dir, ".pio", "build", board.platformio.env);
    writeIfChanged(elf, readFileSync(join(pioOut, isLinux ? "program" : "firmware.elf")));
    if (hex) writeIfChanged(hex, readFileSync(join(pioOut, "firmware.hex")));
    if (isLinux) chmodSync(elf, 0o755);
    keepPrivate(board, project, out, elf, hex);
    const size = board.memory ? firmwareSize(elf, board.memory) : linuxProgramSize(elf, requireTool("size", "Debian binutils", {}));
    return { elf, hex, size, builtWith: "platformio" };
  }
  const built = buildWithToolchain(board, project);
  writeIfChanged(elf, readFileSync(built.elf));
  if (isLinux) chmodSync(elf, 0o755);
  if (hex && built.hex) copyFileSync(built.hex, hex);
  keepPrivate(board, project, out, elf, hex);
  return { elf, hex, size: built.size, builtWith: built.compiler };
}

/** A firmware holding a link key is its owner's only: the output folder 0700, the ELF and HEX without group or other access. */
function keepPrivate(board: Board, project: FirmwareProject, out: string, elf: string, hex: string | undefined): void {
  if (!boardFirmware(board, project.options).private) return;
  chmodSync(out, 0o700);
  chmodSync(elf, board.toolchain.kind === "gcc-linux" ? 0o700 : 0o600);
  if (hex && existsSync(hex)) chmodSync(hex, 0o600);
}

/** Why a built firmware does not fit its board (one line), or undefined when it fits; Linux boards have no limits. */
export function sizeProblem(board: Board, size: BuiltProject["size"]): string | undefined {
  const flashMax = board.flashBytes;
  const ramMax = board.ramBytes;
  if ((flashMax === undefined || size.flash <= flashMax) && (ramMax === undefined || size.ram <= ramMax)) return undefined;
  return `the firmware does not fit the ${board.name}: flash ${size.flash} of ${flashMax} bytes, static RAM ${size.ram} of ${ramMax} bytes`;
}
