// Code size of one translation unit inside a linked firmware: the functions
// the ELF's symbol table attributes to that source file. The linker keeps a
// file's local symbols after the STT_FILE symbol naming it, so static
// functions are found by file; global functions are named by the caller
// (bench_<name>, alky_aot_app_invoke). Read with avr-readelf -s (binutils).
// Library routines the code calls (libgcc's multiply and divide, the VM's
// shared 256-bit routines) are not counted.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { requireTool, run, type ToolchainOptions } from "../engines/firmware-build.js";

interface ElfSymbol {
  size: number;
  type: string;
  bind: string;
  name: string;
  /** The source file of a local symbol (the last FILE symbol before it). */
  file: string | undefined;
}

/** Symbols from `readelf -sW` output, in table order. */
export function parseSymbols(readelfOutput: string): ElfSymbol[] {
  const symbols: ElfSymbol[] = [];
  let file: string | undefined;
  for (const line of readelfOutput.split("\n")) {
    // Num: Value Size Type Bind Vis Ndx Name
    const m = /^\s*\d+:\s+[0-9a-f]+\s+(\d+|0x[0-9a-f]+)\s+(\w+)\s+(\w+)\s+\w+\s+\S+\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, size, type, bind, name] = m;
    if (type === "FILE") {
      file = name;
      continue;
    }
    symbols.push({ size: Number(size), type: type!, bind: bind!, name: name!.trim(), file: bind === "LOCAL" ? file : undefined });
  }
  return symbols;
}

/** Bytes of the functions of source file `file` (its local functions and the named globals). */
export function functionBytes(symbols: readonly ElfSymbol[], file: string, globals: readonly string[]): number {
  const wanted = new Set(globals);
  let total = 0;
  const seen = new Set<string>();
  for (const s of symbols) {
    if (s.type !== "FUNC") continue;
    const mine = s.bind === "LOCAL" ? s.file === file : wanted.has(s.name);
    if (!mine || seen.has(`${s.bind}:${s.name}`)) continue;
    seen.add(`${s.bind}:${s.name}`);
    total += s.size;
  }
  return total;
}

function readelfFunctionBytes(readelf: string, elf: string, file: string, globals: readonly string[]): number {
  const symbols = parseSymbols(run(readelf, ["-sW", elf], "readelf"));
  const missing = globals.filter((g) => !symbols.some((s) => s.name === g && s.type === "FUNC"));
  if (missing.length > 0) throw new Error(`${elf}: no function ${missing.join(", ")}`);
  return functionBytes(symbols, file, globals);
}

/** The code size of source file `file` (base name) in the AVR firmware `elf` (avr-readelf). */
export function avrFunctionBytes(elf: string, file: string, globals: readonly string[], options: ToolchainOptions = {}): number {
  return readelfFunctionBytes(requireTool("avr-readelf", "Debian binutils-avr", options), elf, file, globals);
}

/**
 * The code size of one C file compiled alone for the MSP430 (clang, `flags`
 * less -flto): the sum of its functions. The bench firmwares are linked with
 * -flto, which inlines across files and leaves no per-file symbols, so the
 * kernel's size is taken before link-time optimisation.
 */
export function msp430ObjectFunctionBytes(source: string, flags: readonly string[], options: ToolchainOptions = {}): number {
  const clang = requireTool("clang", "MSP430 compiler, Debian clang", options);
  const readelf = requireTool("llvm-readelf", "Debian llvm", options);
  const dir = mkdtempSync(join(tmpdir(), "alkyvm-size-"));
  try {
    const obj = join(dir, "kernel.o");
    run(clang, [...flags.filter((f) => f !== "-flto"), "-c", source, "-o", obj], `clang (${basename(source)})`);
    return parseSymbols(run(readelf, ["-sW", obj], "llvm-readelf"))
      .filter((s) => s.type === "FUNC")
      .reduce((n, s) => n + s.size, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
