// Runs the real `alkyvm` command (bin/alkyvm.js over dist/) for CLI tests,
// rebuilding dist/ first when a TypeScript source is newer than its output.

import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function ensureBuilt(): void {
  const dist = join(ROOT, "dist");
  const sources = Math.max(...["compiler", "cli", "aryl"].map((d) => newestMtime(join(ROOT, d), ".ts")));
  if (existsSync(join(dist, "cli", "main.js")) && newestMtime(dist, ".js") >= sources) return;
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function alkyvm(args: string[], options: { cwd?: string; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "alkyvm.js"), ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? "",
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As alkyvm, without blocking the event loop: for tests that serve the command (an RPC server in the test). */
export function alkyvmAsync(args: string[], options: { cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(ROOT, "bin", "alkyvm.js"), ...args], { cwd: options.cwd ?? ROOT, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}
