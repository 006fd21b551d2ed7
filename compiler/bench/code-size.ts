// Code size of one translation unit inside a linked firmware: the functions
// the ELF's symbol table attributes to that source file. The linker keeps a
// file's local symbols after the STT_FILE symbol naming it, so static
// functions are found by file; global functions are named by the caller
// (bench_<name>, alky_aot_app_invoke). Read with avr-readelf -s (binutils).
// Library routines the code calls (libgcc's multiply and divide, the VM's
// shared 256-bit routines) are not counted.

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

/** The code size of source file `file` (base name) in the AVR firmware `elf`. */
export function avrFunctionBytes(elf: string, file: string, globals: readonly string[], options: ToolchainOptions = {}): number {
  const readelf = requireTool("avr-readelf", "Debian binutils-avr", options);
  const symbols = parseSymbols(run(readelf, ["-sW", elf], "avr-readelf"));
  const missing = globals.filter((g) => !symbols.some((s) => s.name === g && s.type === "FUNC"));
  if (missing.length > 0) throw new Error(`${elf}: no function ${missing.join(", ")}`);
  return functionBytes(symbols, file, globals);
}
