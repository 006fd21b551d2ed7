// Starts a local Anvil (Foundry's EVM node, from the npm package
// @foundry-rs/anvil) on 127.0.0.1 for tests and demos, and makes sure it cannot
// outlive its owner: it listens on a port the OS picks, runs in its own process
// group that `stop()` kills outright, and is killed anyway after `lifetimeMs`
// (by coreutils `timeout` when available, else by a timer in this process) and
// when this process exits.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface AnvilOptions {
  /** Hard upper bound on the node's life (default 10 minutes). */
  lifetimeMs?: number;
  /** How long to wait for the node to listen (default 30 s). */
  startTimeoutMs?: number;
  /** Extra command-line arguments. */
  args?: string[];
}

export interface Anvil {
  /** JSON-RPC endpoint, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** Kills the node (SIGKILL to its process group) and waits for it to exit. */
  stop(): Promise<void>;
}

export type AnvilResult = { ok: true; anvil: Anvil } | { ok: false; message: string };

const INSTALL_HINT = "run scripts/setup.sh (or npm ci) to install @foundry-rs/anvil";

/** npm's per-platform package that carries the anvil binary. */
function binaryPackage(): string | undefined {
  const arch = process.arch === "x64" ? "amd64" : process.arch === "arm64" ? "arm64" : undefined;
  if (arch === undefined || !["linux", "darwin", "win32"].includes(process.platform)) return undefined;
  return `@foundry-rs/anvil-${process.platform}-${arch}`;
}

export type AnvilBinary = { ok: true; path: string } | { ok: false; message: string };

/** Locates the anvil binary installed by npm, or explains how to get it. */
export function findAnvilBinary(): AnvilBinary {
  const pkg = binaryPackage();
  if (pkg === undefined) return { ok: false, message: `Anvil has no npm binary for ${process.platform}/${process.arch}` };
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    return { ok: false, message: `Anvil binary package ${pkg} is not installed: ${INSTALL_HINT}` };
  }
  const path = join(dirname(packageJson), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  if (!existsSync(path)) return { ok: false, message: `Anvil binary missing at ${path}: ${INSTALL_HINT}` };
  return { ok: true, path };
}

function findTimeoutCommand(): string | undefined {
  if (process.platform !== "linux") return undefined;
  return ["/usr/bin/timeout", "/bin/timeout"].find((p) => existsSync(p));
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group (the `timeout` wrapper and anvil under it).
    process.kill(process.platform === "win32" ? child.pid : -child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Starts Anvil on 127.0.0.1 and resolves once it accepts JSON-RPC. */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilResult> {
  const binary = findAnvilBinary();
  if (!binary.ok) return binary;
  const lifetimeMs = options.lifetimeMs ?? 10 * 60_000;
  const anvilArgs = ["--host", "127.0.0.1", "--port", "0", ...(options.args ?? [])];
  const timeoutCommand = findTimeoutCommand();
  const [command, args] =
    timeoutCommand === undefined
      ? [binary.path, anvilArgs]
      : [timeoutCommand, ["-s", "KILL", `${Math.ceil(lifetimeMs / 1000)}s`, binary.path, ...anvilArgs]];
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
  const lifetimeTimer = setTimeout(() => killGroup(child), lifetimeMs);
  lifetimeTimer.unref();
  const onExit = (): void => killGroup(child);
  process.once("exit", onExit);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const stop = async (): Promise<void> => {
    clearTimeout(lifetimeTimer);
    process.removeListener("exit", onExit);
    killGroup(child);
    await exited;
  };

  const port = await new Promise<number | string>((resolve) => {
    let output = "";
    const timer = setTimeout(() => resolve(`Anvil did not start listening within ${options.startTimeoutMs ?? 30_000} ms`), options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    // Keep draining both pipes for the node's whole life so it never blocks on a full pipe.
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", (e) => {
      clearTimeout(timer);
      resolve(`could not start Anvil (${binary.path}): ${e.message}`);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(`Anvil exited before listening (code ${code}, signal ${signal}): ${output.slice(-500)}`);
    });
  });
  if (typeof port === "string") {
    await stop();
    return { ok: false, message: port };
  }
  return { ok: true, anvil: { url: `http://127.0.0.1:${port}`, port, stop } };
}
