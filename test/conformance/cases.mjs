// The conformance corpus on disk, in plain JavaScript so that both the vitest
// runner (corpus.ts, which re-exports this with types) and the baseline update
// command (update.mjs, run by plain node) share one reader and one runner.
//
// A case is <name>.alkyl + <name>.steps + <name>.trace in this directory. The
// first comment lines of the .alkyl may hold directives:
//   // profile: smartlock        device profile (default: test)
//   // needs: w64 w256 big       what a device must offer (see README.md)
//   // fuel: N                   instruction budget per invocation (--fuel N)

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const CONFORMANCE_DIR = import.meta.dirname;
export const ROOT = join(CONFORMANCE_DIR, "..", "..");

/** Every value a `needs` directive may list. */
export const NEEDS = ["w64", "w256", "big"];
/** Every directive name. */
export const DIRECTIVES = ["profile", "needs", "fuel"];

/**
 * Reads the directives from the leading `//` comment lines of a source file
 * (the first line that is not a `//` comment or blank ends them).
 * Unknown directive names and `needs` values are errors, so a typo cannot
 * silently drop a case from a device.
 */
export function parseDirectives(source, file) {
  const d = { profile: "test", needs: [], fuel: undefined };
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("//")) break;
    const m = /^\/\/\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
    if (!m || !DIRECTIVES.includes(m[1])) continue; // an ordinary comment
    const [, name, value] = m;
    if (name === "profile") {
      if (!/^[a-z0-9_]+$/.test(value)) throw new Error(`${file}: bad profile '${value}'`);
      d.profile = value;
    } else if (name === "needs") {
      for (const need of value.split(/[\s,]+/).filter((s) => s !== "")) {
        if (!NEEDS.includes(need)) throw new Error(`${file}: unknown need '${need}' (known: ${NEEDS.join(", ")})`);
        if (!d.needs.includes(need)) d.needs.push(need);
      }
    } else if (name === "fuel") {
      if (!/^[1-9][0-9]*$/.test(value)) throw new Error(`${file}: fuel must be a positive integer, got '${value}'`);
      d.fuel = Number(value);
    }
  }
  return d;
}

/** All cases, sorted by name. */
export function loadCases(dir = CONFORMANCE_DIR) {
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

/** The `alkyvm run` arguments for a case on a backend (paths relative to the repository root). */
export function runArgs(c, backend) {
  const rel = (p) => p.slice(ROOT.length + 1);
  const args = ["run", rel(c.source), "--profile", c.profile, "--steps", rel(c.steps)];
  if (c.fuel !== undefined) args.push("--fuel", String(c.fuel));
  args.push("--backend", backend);
  return args;
}

/**
 * The alkyvm command the runner spawns: bin/alkyvm.js of this checkout, or
 * $ALKYVM_BIN (e.g. the bin/alkyvm.js of another, built checkout).
 */
export function alkyvmBin() {
  return process.env.ALKYVM_BIN || join(ROOT, "bin", "alkyvm.js");
}

/** Runs a case through `node bin/alkyvm.js run ... --backend <backend>` (dist/ must be built), cwd the repository root. */
export function runCase(c, backend) {
  const r = spawnSync(process.execPath, [alkyvmBin(), ...runArgs(c, backend)], {
    cwd: ROOT,
    encoding: "utf8",
    input: "",
    timeout: 120_000,
  });
  if (r.error) return { stdout: r.stdout ?? "", stderr: `${r.stderr ?? ""}${r.error.message}\n`, status: -1 };
  return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
}
