// Builds the host C VM driver (vm-c/host/alky_run.c) with gcc and runs it.
// The binary is cached under build/vm-c/ by a hash of the C sources and flags,
// so test files share one build and a change to any source rebuilds it.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const VM_DIR = join(ROOT, "vm-c");
const BUILD_DIR = join(ROOT, "build", "vm-c");

/**
 * Host build: all features, big arena and memory so any test image fits.
 * ALKY_VM_C_SANITIZE=1 adds AddressSanitizer and UBSan (aborting on the first
 * report), for a run of the whole suite under the sanitizers.
 */
const HOST_FLAGS = [
  "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-DALKY_STACK_SIZE=16384", "-DALKY_MEMORY_SIZE=65535",
  ...(process.env.ALKY_VM_C_SANITIZE ? ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"] : []),
];

function cSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...cSources(path));
    else if (/\.[ch]$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

export function requireTool(tool: string): void {
  const probe = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) throw new Error(`${tool} is not installed: run scripts/setup.sh`);
}

/** Builds of the driver the tests use: the full host build, and variants with features switched off. */
export const BUILDS = {
  full: [] as string[],
  /** No 64/256-bit: the native 32-bit path does every operation at widths 8..32. */
  narrow: ["-DALKY_WITH_W64=0", "-DALKY_WITH_W256=0"],
  /** The load-time verifier compiled out (images trusted). */
  trusting: ["-DALKY_WITH_VERIFY=0"],
  /** Computed-goto dispatch instead of the switch. */
  jumptable: ["-DALKY_USE_COMPUTED_GOTO=1"],
} as const;
export type Build = keyof typeof BUILDS;

const cached = new Map<Build, string>();

/** Path of the host driver, built if its sources changed. Throws (with the setup hint) without gcc. */
export function hostDriver(build: Build = "full"): string {
  const known = cached.get(build);
  if (known && existsSync(known)) return known;
  requireTool("gcc");
  const flags = [...HOST_FLAGS, ...BUILDS[build]];
  const sources = cSources(VM_DIR);
  const hash = createHash("sha256");
  hash.update(flags.join(" "));
  for (const s of sources) hash.update(s.slice(VM_DIR.length)).update(readFileSync(s));
  const variant = process.env.ALKY_VM_C_SANITIZE ? `${build}-sanitize` : build;
  const dir = join(BUILD_DIR, variant);
  const exe = join(dir, `alky_run-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    // Older builds of this variant are stale: their sources changed.
    for (const old of readdirSync(dir)) if (/^alky_run-[0-9a-f]{16}$/.test(old)) rmSync(join(dir, old), { force: true });
    const tmp = `${exe}.${process.pid}.tmp`;
    const units = sources.filter((s) => s.endsWith(".c") && (dirname(s) === VM_DIR || s.endsWith("alky_run.c")));
    const cc = spawnSync("gcc", [...flags, `-I${VM_DIR}`, ...units, "-o", tmp], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}`);
    renameSync(tmp, exe);
  }
  cached.set(build, exe);
  return exe;
}

export interface CRunOptions {
  /** Profile id the device runs, or "none" for no profile checks (default: the image's own). */
  profile?: number | "none";
  fuel?: number;
  stackSize?: number;
  /** Which build of the driver runs (default "full"). */
  build?: Build;
}

function optionArgs(o: CRunOptions): string[] {
  const args: string[] = [];
  if (o.profile !== undefined) args.push("-p", String(o.profile));
  if (o.fuel !== undefined) args.push("-f", String(o.fuel));
  if (o.stackSize !== undefined) args.push("-s", String(o.stackSize));
  return args;
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

/** Runs the driver on an image with command lines; returns its output lines (a rejection is one "verify ..." line). */
export function runC(image: Uint8Array, commands: readonly string[], options: CRunOptions = {}): string[] {
  const dir = join(BUILD_DIR, "images");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash("sha256").update(image).digest("hex").slice(0, 16)}.alky`);
  if (!existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, image);
    renameSync(tmp, file);
  }
  const r = spawnSync(hostDriver(options.build), [...optionArgs(options), file], { input: commands.join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  // A refused image ends the driver before it reads its commands: EPIPE is expected then.
  if (r.error && (r.error as NodeJS.ErrnoException).code !== "EPIPE") throw r.error;
  if (r.stderr) throw new Error(`alky_run wrote to stderr:\n${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

/** Verifies each image with the C verifier: "ok", "verify <rule> <offset>" or "refuse <status>" per image. */
export function verifyC(images: readonly Uint8Array[], options: CRunOptions = {}): string[] {
  const r = spawnSync(hostDriver(options.build), ["-V", ...optionArgs(options)], {
    input: images.map((b) => (b.length === 0 ? "-" : hex(b))).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  if (r.stderr) throw new Error(`alky_run wrote to stderr:\n${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}
