// Builds the host C VM driver (vm-c/host/alky_run.c) with gcc and runs it.
// The binary is cached under build/vm-c/ by a hash of the C sources and flags,
// so test files share one build and a change to any source rebuilds it.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const VM_DIR = join(ROOT, "vm-c");
const BUILD_DIR = join(ROOT, "build", "vm-c");

/** Host build: all features, big arena and memory so any test image fits. */
const HOST_FLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-DALKY_STACK_SIZE=16384", "-DALKY_MEMORY_SIZE=65535"];

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

let cached: string | undefined;

/** Path of the host driver, built if its sources changed. Throws (with the setup hint) without gcc. */
export function hostDriver(): string {
  if (cached && existsSync(cached)) return cached;
  requireTool("gcc");
  const sources = cSources(VM_DIR);
  const hash = createHash("sha256");
  hash.update(HOST_FLAGS.join(" "));
  for (const s of sources) hash.update(s.slice(VM_DIR.length)).update(readFileSync(s));
  const exe = join(BUILD_DIR, `alky_run-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(exe)) {
    mkdirSync(BUILD_DIR, { recursive: true });
    const tmp = `${exe}.${process.pid}.tmp`;
    const units = sources.filter((s) => s.endsWith(".c") && (dirname(s) === VM_DIR || s.endsWith("alky_run.c")));
    const cc = spawnSync("gcc", [...HOST_FLAGS, `-I${VM_DIR}`, ...units, "-o", tmp], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(`gcc failed:\n${cc.stderr}`);
    renameSync(tmp, exe);
  }
  cached = exe;
  return exe;
}

export interface CRunOptions {
  /** Profile id the device runs, or "none" for no profile checks (default: the image's own). */
  profile?: number | "none";
  fuel?: number;
  stackSize?: number;
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
  const r = spawnSync(hostDriver(), [...optionArgs(options), file], { input: commands.join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r.stdout.split("\n").filter((l) => l !== "");
}

/** Verifies each image with the C verifier: "ok", "verify <rule> <offset>" or "refuse <status>" per image. */
export function verifyC(images: readonly Uint8Array[], options: CRunOptions = {}): string[] {
  const r = spawnSync(hostDriver(), ["-V", ...optionArgs(options)], {
    input: images.map((b) => (b.length === 0 ? "-" : hex(b))).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return r.stdout.split("\n").filter((l) => l !== "");
}
