// The conformance corpus on disk (test/conformance/README.md): Alkyl programs
// with steps and expected traces that every backend must reproduce byte for
// byte. Read here, not in test/, because `alkyvm test-device` runs it on a
// device; the vitest runner (test/conformance/corpus.ts) and the baseline
// update command (test/conformance/update.mjs) use this same reader.
//
// A case is <name>.alkyl + <name>.steps + <name>.trace in one directory. The
// first comment lines of the .alkyl may hold directives:
//   // profile: smartlock        device profile (default: test)
//   // needs: w64 w256 big       what a device must offer
//   // fuel: N                   instruction budget per invocation (--fuel N)

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../engines/firmware-build.js";
import { Feature } from "../ir/image.js";

/** The corpus of this checkout. */
export const CORPUS_DIR = join(REPO_ROOT, "test", "conformance");

/** What a device must offer to run a case: 64-bit or 256-bit arithmetic, or more than the smallest device's memory/stack. */
export type Need = "w64" | "w256" | "big";

/** Every value a `needs` directive may list. */
export const NEEDS: readonly Need[] = ["w64", "w256", "big"];
/** Every directive name. */
export const DIRECTIVES: readonly string[] = ["profile", "needs", "fuel"];

/** The smallest device (MSP430 build): app memory and VM call-stack bytes every case without `needs: big` must fit. */
export const SMALL_DEVICE = { memory: 64, stack: 48 } as const;

export interface Directives {
  /** `// profile: P` (default "test"). */
  profile: string;
  /** `// needs: ...` */
  needs: Need[];
  /** `// fuel: N`: passed as --fuel N. */
  fuel: number | undefined;
}

export interface Case extends Directives {
  /** File name without extension, e.g. "arith_u8". */
  name: string;
  /** Absolute paths of <name>.alkyl, <name>.steps, <name>.trace. */
  source: string;
  steps: string;
  trace: string;
  /** The program text. */
  text: string;
}

/**
 * Reads the directives from the leading `//` comment lines of a source file
 * (the first line that is not a `//` comment or blank ends them).
 * Unknown `needs` values and malformed values are errors, so a typo cannot
 * silently drop a case from a device.
 */
export function parseDirectives(source: string, file: string): Directives {
  const d: Directives = { profile: "test", needs: [], fuel: undefined };
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("//")) break;
    const m = /^\/\/\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
    if (!m || !DIRECTIVES.includes(m[1]!)) continue; // an ordinary comment
    const name = m[1]!;
    const value = m[2]!;
    if (name === "profile") {
      if (!/^[a-z0-9_]+$/.test(value)) throw new Error(`${file}: bad profile '${value}'`);
      d.profile = value;
    } else if (name === "needs") {
      for (const need of value.split(/[\s,]+/).filter((s) => s !== "")) {
        if (!NEEDS.includes(need as Need)) throw new Error(`${file}: unknown need '${need}' (known: ${NEEDS.join(", ")})`);
        if (!d.needs.includes(need as Need)) d.needs.push(need as Need);
      }
    } else if (name === "fuel") {
      if (!/^[1-9][0-9]*$/.test(value)) throw new Error(`${file}: fuel must be a positive integer, got '${value}'`);
      d.fuel = Number(value);
    }
  }
  return d;
}

/** All cases of a corpus directory, sorted by name. */
export function loadCases(dir: string = CORPUS_DIR): Case[] {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith(".alkyl"))
    .map((f) => f.slice(0, -".alkyl".length))
    .sort();
  return names.map((name) => {
    const source = join(dir, `${name}.alkyl`);
    const steps = join(dir, `${name}.steps`);
    const trace = join(dir, `${name}.trace`);
    if (!existsSync(steps)) throw new Error(`${source}: missing ${name}.steps`);
    const text = readFileSync(source, "utf8");
    return { name, source, steps, trace, text, ...parseDirectives(text, source) };
  });
}

/** What a device announces in HELLO_REPLY that decides which cases it can run. */
export interface DeviceCapacity {
  vmFeatures: number;
  memorySize: number;
  stackSize: number;
}

/**
 * The needs a device lacks: 64/256-bit support from its feature bits; `big`
 * when its app memory or VM stack is no larger than the smallest device's.
 */
export function needsLacked(device: DeviceCapacity): Need[] {
  const lacks: Need[] = [];
  if (!(device.vmFeatures & Feature.Width64)) lacks.push("w64");
  if (!(device.vmFeatures & Feature.Width256)) lacks.push("w256");
  if (device.memorySize <= SMALL_DEVICE.memory || device.stackSize <= SMALL_DEVICE.stack) lacks.push("big");
  return lacks;
}
