// Builds the libFuzzer target over the C VM (scripts/fuzz/fuzz_image.c, every
// C file at the top of vm-c/) with clang and libFuzzer, AddressSanitizer and
// UBSan, and writes its seed corpus: the conformance corpus compiled to
// images. Both are cached under build/fuzz/ by a hash of their inputs.

import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileAlkyl } from "../../compiler/compile.js";
import {
  BUILD_ROOT,
  cachedDir,
  contentHash,
  deviceCoreSources,
  DEVICE_INCLUDE_DIRS,
  headersOf,
  REPO_ROOT,
  requireTool,
  VM_C_DIR,
} from "../../compiler/engines/firmware-build.js";
import { loadCases } from "../../compiler/run/corpus.js";
import { profileByName } from "../../compiler/profiles/profiles.js";

export const FUZZ_DIR = join(REPO_ROOT, "scripts", "fuzz");
export const FUZZ_BUILD = join(BUILD_ROOT, "fuzz");
const TARGET_SOURCE = join(FUZZ_DIR, "fuzz_image.c");

/**
 * Every width, 4 KiB of memory and arena (16 times faster per input than the
 * 64 KiB of the differential tests, and every corpus image fits), with the
 * fuzzer's instrumentation. Any
 * sanitizer report aborts: -fno-sanitize-recover=all.
 */
export const FUZZ_FLAGS = [
  "-std=c99", "-Wall", "-Wextra", "-Werror", "-g", "-O1",
  "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=all",
  "-DALKY_STACK_SIZE=4096", "-DALKY_MEMORY_SIZE=4096",
];

export class FuzzSetupError extends Error {}

/** Path of the fuzzer executable, built if its sources changed; extraFlags for the self-test build. */
export function buildFuzzer(extraFlags: readonly string[] = []): string {
  let clang: string;
  try {
    clang = requireTool("clang", "libFuzzer host build", {});
  } catch (e) {
    throw new FuzzSetupError((e as Error).message);
  }
  const flags = [...FUZZ_FLAGS, ...extraFlags, `-I${VM_C_DIR}`];
  const sources = [...deviceCoreSources(), TARGET_SOURCE];
  const hash = contentHash([clang, ...flags], [...sources, ...headersOf(DEVICE_INCLUDE_DIRS)]);
  const outDir = join(FUZZ_BUILD, `fuzz_image-${hash}`);
  cachedDir(outDir, (tmp) => {
    const r = spawnSync(clang, [...flags, ...sources, "-o", join(tmp, "fuzz_image")], { encoding: "utf8" });
    if (r.status !== 0) {
      const missing = /libclang_rt\.(fuzzer|asan)/.test(r.stderr) ? " (libFuzzer's runtime is missing: run scripts/setup.sh, which installs libclang-rt-14-dev)" : "";
      throw new FuzzSetupError(`clang could not build the fuzzer${missing}:\n${r.stderr}`);
    }
  });
  return join(outDir, "fuzz_image");
}

/** The conformance corpus compiled to images: one file per case in build/fuzz/seeds/. Returns the folder. */
export function writeSeeds(): string {
  const dir = join(FUZZ_BUILD, "seeds");
  mkdirSync(dir, { recursive: true });
  const wanted = new Set<string>();
  for (const c of loadCases()) {
    const profile = profileByName(c.profile);
    if (!profile) throw new FuzzSetupError(`${c.source}: unknown profile ${c.profile}`);
    const r = compileAlkyl(c.text, c.source, { profile });
    if (!r.ok) continue; // cases that are meant not to compile
    const name = `${c.name}.alky`;
    wanted.add(name);
    const tmp = join(dir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, r.bytes);
    renameSync(tmp, join(dir, name));
  }
  if (wanted.size === 0) throw new FuzzSetupError("the conformance corpus gave no images to seed the fuzzer with");
  return dir;
}

/** The seed images, read back (for the differential run). */
export function seedFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".alky"))
    .sort()
    .map((f) => join(dir, f));
}
