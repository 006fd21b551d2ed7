// The benchmark kernels of bench/kernels/ (bench/kernels/README.md): each a
// C file (uint32_t bench_<name>(void)) and an Alkyl app (public Run()) that
// compute the same checksum. This module lists them, names their width and
// compiles their Alkyl side.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileAlkyl, formatDiagnostic } from "../compile.js";
import { REPO_ROOT } from "../engines/firmware-build.js";
import { profileByName } from "../profiles/profiles.js";

export const KERNELS_DIR = join(REPO_ROOT, "bench", "kernels");

export interface BenchKernel {
  name: string;
  /** The width of the kernel's arithmetic (bench/kernels/README.md). */
  width: number;
  cFile: string;
  alkylFile: string;
}

/** Widths of the application kernels, whose names do not end in it (md5 ends in a 5). */
const APPLICATION_WIDTHS: Record<string, number> = { xxtea: 32, md5: 32, rc5: 32, fft: 16, outlier: 16, crc16: 16 };

function widthOf(name: string): number | undefined {
  if (name in APPLICATION_WIDTHS) return APPLICATION_WIDTHS[name];
  const m = /^(?:add|mul|cmp|assign|bubble|heap|bsearch)(8|16|32|64|256)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Every kernel with both a C and an Alkyl file, by name (numbers in names by value: add8 before add16). */
export function listKernels(dir = KERNELS_DIR): BenchKernel[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".c") && existsSync(join(dir, f.slice(0, -2) + ".alkyl")))
    .map((f) => f.slice(0, -2))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((name) => {
      const width = widthOf(name);
      if (width === undefined) throw new Error(`bench/kernels/${name}: no width known for this kernel (compiler/bench/kernels.ts)`);
      return { name, width, cFile: join(dir, `${name}.c`), alkylFile: join(dir, `${name}.alkyl`) };
    });
}

export type KernelSelection = { ok: true; kernels: BenchKernel[] } | { ok: false; message: string };

/** The kernels named in `names` (all when empty), in the catalogue's order; an unknown name is an error. */
export function selectKernels(all: readonly BenchKernel[], names: readonly string[]): KernelSelection {
  if (names.length === 0) return { ok: true, kernels: [...all] };
  const known = new Set(all.map((k) => k.name));
  const unknown = names.find((n) => !known.has(n));
  if (unknown !== undefined) return { ok: false, message: `unknown kernel '${unknown}' (known: ${all.map((k) => k.name).join(", ")})` };
  const wanted = new Set(names);
  return { ok: true, kernels: all.filter((k) => wanted.has(k.name)) };
}

export interface CompiledKernel {
  bytes: Uint8Array;
  /** Index of the public function Run() in the image. */
  runIndex: number;
  /** Bytes of app memory the image declares. */
  memorySize: number;
}

/** The kernel's Alkyl app compiled for the test profile, as an image and the index of Run(). */
export function compileKernel(kernel: BenchKernel): CompiledKernel {
  const source = readFileSync(kernel.alkylFile, "utf8");
  const result = compileAlkyl(source, kernel.alkylFile, { profile: profileByName("test")! });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n"));
  const runIndex = result.image.functions.findIndex((f) => f.name === "Run");
  if (runIndex < 0) throw new Error(`${kernel.alkylFile}: no function Run()`);
  return { bytes: result.bytes, runIndex, memorySize: result.image.memorySize };
}
