// `alkyvm firmware`: renders a complete PlatformIO project for a board's
// link-device firmware and builds it. The project holds the same sources and
// flags the emulated-board backends build (compiler/engines/firmware-build.ts):
//
//   platformio.ini          the board's environment (generated block)
//   src/                    the board glue: main, drivers, the device HAL
//   lib/alkyvm/             the VM as a PlatformIO library (library.json, src/)
//
// Without PlatformIO on PATH the project is built with the Debian toolchain
// directly, from the project's own files, into .alkyvm/ inside it.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import Handlebars from "handlebars";
import type { Board } from "../../boards/boards.js";
import { firmwareSize, type FirmwareSize } from "../engines/elf-size.js";
import { buildAvrFirmware, findTool, REPO_ROOT, unoDeviceFirmware, VM_C_DIR } from "../engines/firmware-build.js";
import { BoardEmulationError } from "../engines/transport.js";
import { markersFor, mergeGeneratedBlock, writeIfChanged } from "./generated-block.js";

export interface FirmwareProject {
  dir: string;
  /** Files written because their content changed (paths relative to dir). */
  written: string[];
}

export interface BuiltProject {
  elf: string;
  hex: string;
  size: FirmwareSize;
  /** "platformio" when `pio run` built it, "toolchain" for the direct build. */
  builtWith: "platformio" | "toolchain";
}

function template(name: string): HandlebarsTemplateDelegate {
  return Handlebars.compile(readFileSync(join(REPO_ROOT, "templates", name), "utf8"), { noEscape: true, strict: true });
}

const LIBRARY_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** Where each source of the device firmware goes in the project: the VM library or the board glue. */
function placeSource(path: string): string {
  const rel = relative(VM_C_DIR, path);
  if (!rel.startsWith("..") && dirname(rel) === ".") return join("lib", "alkyvm", "src", rel);
  return join("src", basename(path));
}

/** Headers the firmware includes: the VM's, its generated tables, the board's config, the port's. */
function headersFor(board: Board, sources: readonly string[]): string[] {
  const vmHeaders = readdirSync(VM_C_DIR).filter((f) => f.endsWith(".h")).map((f) => join(VM_C_DIR, f));
  const generated = readdirSync(join(VM_C_DIR, "generated")).map((f) => join(VM_C_DIR, "generated", f));
  const portHeaders = sources.filter((s) => s.endsWith(".c")).map((s) => s.replace(/\.c$/, ".h")).filter((h) => existsSync(h) && dirname(h) !== VM_C_DIR);
  return [...vmHeaders, ...generated, join(VM_C_DIR, "config", `${board.id}.h`), ...portHeaders];
}

function placeHeader(path: string): string {
  const rel = relative(VM_C_DIR, path);
  if (rel.startsWith("generated") || rel.startsWith("config") || dirname(rel) === ".") return join("lib", "alkyvm", "src", rel);
  return join("src", basename(path));
}

/** The defines and flags of the firmware, as PlatformIO build flags. */
function buildFlags(defines: readonly string[], extraFlags: readonly string[]): string[] {
  return [...defines.map((d) => `-D${d.replace(/"(.*)"/, `'"$1"'`)}`), ...extraFlags, "-std=c99", "-Wall", "-Wextra"];
}

/** Renders (or refreshes) the project for `board` in `dir`. */
export function renderProject(board: Board, dir: string): FirmwareProject {
  const pio = board.platformio;
  if (board.id !== "uno" || !pio) {
    throw new BoardEmulationError(
      "build-failed",
      `alkyvm firmware does not support board '${board.id}' yet: the Uno is supported; the LaunchPad needs its USCI_A0 UART driver (the emulated MSP430 uses a RAM mailbox)`,
    );
  }
  const spec = unoDeviceFirmware();
  const root = resolve(dir);
  const written: string[] = [];
  const put = (rel: string, content: string | Uint8Array): void => {
    if (writeIfChanged(join(root, rel), content)) written.push(rel);
  };
  const iniMarkers = markersFor(";");
  const iniPath = join(root, "platformio.ini");
  const ini = template("platformio.ini.hbs")({
    boardName: board.name,
    env: pio.env,
    platform: pio.platform,
    piBoard: pio.board,
    buildFlags: buildFlags(spec.defines, spec.extraFlags),
    uploadProtocol: pio.uploadProtocol,
    uploadSpeed: pio.uploadSpeed,
    monitorSpeed: pio.monitorSpeed,
  });
  put("platformio.ini", mergeGeneratedBlock(existsSync(iniPath) ? readFileSync(iniPath, "utf8") : undefined, ini, iniMarkers));
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
  for (const source of spec.sources) {
    const rel = placeSource(source);
    const text = readFileSync(source, "utf8");
    if (basename(source) === "main.c" && rel.startsWith("src")) {
      const path = join(root, rel);
      put(rel, mergeGeneratedBlock(existsSync(path) ? readFileSync(path, "utf8") : undefined, text, cMarkers));
    } else put(rel, text);
  }
  for (const header of headersFor(board, spec.sources)) put(placeHeader(header), readFileSync(header));
  return { dir: root, written };
}

/** The project's C files in build order: the library's, then the board glue. */
function projectSources(dir: string): string[] {
  const list = (sub: string): string[] =>
    readdirSync(join(dir, sub))
      .filter((f) => f.endsWith(".c"))
      .sort()
      .map((f) => join(dir, sub, f));
  return [...list(join("lib", "alkyvm", "src")), ...list("src")];
}

/** Builds a rendered project: `pio run` when PlatformIO is installed, else avr-gcc with the same flags. */
export function buildProject(board: Board, project: FirmwareProject): BuiltProject {
  const out = join(project.dir, ".alkyvm");
  const elf = join(out, "firmware.elf");
  const hex = join(out, "firmware.hex");
  const pio = findTool("pio");
  let builtWith: BuiltProject["builtWith"];
  if (pio) {
    const r = spawnSync(pio, ["run", "-d", project.dir], { encoding: "utf8" });
    if (r.status !== 0) throw new BoardEmulationError("build-failed", `pio run failed:\n${r.stdout}${r.stderr}`);
    const pioOut = join(project.dir, ".pio", "build", board.platformio!.env);
    writeIfChanged(elf, readFileSync(join(pioOut, "firmware.elf")));
    writeIfChanged(hex, readFileSync(join(pioOut, "firmware.hex")));
    builtWith = "platformio";
  } else {
    const spec = unoDeviceFirmware();
    const built = buildAvrFirmware({
      name: "firmware",
      sources: projectSources(project.dir),
      includeDirs: [join(project.dir, "lib", "alkyvm", "src"), join(project.dir, "src")],
      defines: spec.defines,
      extraFlags: spec.extraFlags,
    });
    writeIfChanged(elf, readFileSync(built.elf));
    // Only what a programmer writes to flash: code, constants, .data's initial values.
    const objcopy = findTool("avr-objcopy");
    if (!objcopy) throw new BoardEmulationError("toolchain-missing", "avr-objcopy (Debian binutils-avr) is not installed: run scripts/setup.sh");
    const cachedHex = join(dirname(built.elf), "firmware.hex");
    if (!existsSync(cachedHex)) {
      const r = spawnSync(objcopy, ["-O", "ihex", "-R", ".eeprom", "-R", ".fuse", "-R", ".lock", "-R", ".signature", built.elf, cachedHex], { encoding: "utf8" });
      if (r.status !== 0) throw new BoardEmulationError("build-failed", `avr-objcopy failed: ${r.stderr}`);
    }
    copyFileSync(cachedHex, hex);
    builtWith = "toolchain";
  }
  return { elf, hex, size: firmwareSize(elf, board.memory!), builtWith };
}
