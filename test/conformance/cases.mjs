// Running a conformance case through the real `alkyvm run`, in plain
// JavaScript so that both the vitest runner (corpus.ts, which re-exports this
// with types) and the baseline update command (update.mjs, run by plain node)
// share one runner. The cases themselves are read by compiler/run/corpus.ts
// (`alkyvm test-device` runs them on a device too).

import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const CONFORMANCE_DIR = import.meta.dirname;
export const ROOT = join(CONFORMANCE_DIR, "..", "..");

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
