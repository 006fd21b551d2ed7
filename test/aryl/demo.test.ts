// `alkyvm demo` end to end, as a user runs it: the real command in a child
// process, with its own Anvil, fused contract, node and emulated Unos. It must
// exit 0, tell the story with one line per device effect, and leave nothing
// running behind it.

import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { ensureBuilt, ROOT } from "../helpers/cli.js";

beforeAll(() => {
  ensureBuilt();
  buildUnoDevice();
}, 300_000);

/** Runs `alkyvm demo`; `onOutput` sees the output so far and may signal the process. */
function runDemo(args: string[], onOutput?: (stdout: string, child: ReturnType<typeof spawn>) => void): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "alkyvm.js"), "demo", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput?.(stdout, child);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), 240_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Whether something still listens on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Processes whose command line names this path (the demo's simavr devices name their EEPROM files in its data directory). */
function processesNaming(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmdline.includes(path)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

const DATA_DIR = /^node: serving .*; data in (\S+)$/m;

describe("alkyvm demo", () => {
  it("plays the rental story: every expectation holds, every device effect is a line, the chain is stopped at the end", async () => {
    const { status, stdout, stderr } = await runDemo([]);
    expect(stderr).toBe("");
    expect(stdout).not.toContain("FAILED");
    expect(stdout).toMatch(/^demo: all \d+ expectations held \(\d+\.\d s\)$/m);
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    // The decrypted PIN reaches every lock; the right PIN opens, a wrong one beeps and is reported.
    for (const lock of ["lock-1", "lock-2", "lock-3"]) expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[${lock}\\] SetPin\\("1234", \\d+\\)$`)));
    const firstEntry = lines.indexOf("someone types 1234 on lock-1's keypad");
    expect(lines.slice(firstEntry + 1, firstEntry + 3)).toEqual(["[lock-1] syscall Now()", "[lock-1] syscall Unlock()"]);
    expect(lines).toContain("[lock-2] syscall IncorrectBeep()");
    expect(lines).toContain("[lock-2] nodecall ReportInvalidAttempts(1) -> 0");
    // The third wrong PIN locks out the property: every lock gets Lockout(until).
    const until = /^\[lock-1\] nodecall ReportInvalidAttempts\(1\) -> (\d+)$/m.exec(stdout)?.[1];
    expect(until).toBeDefined();
    for (const lock of ["lock-1", "lock-2", "lock-3"]) expect(lines).toContain(`[${lock}] Lockout(${until})`);
    // The meter's usage is paid on chain through the node.
    expect(lines).toContain("[meter] nodecall ReportUsage(5) -> true");
    expect(lines).toContain("[meter] syscall Supply(true)");
    expect(stdout).toMatch(/^\[node\] transaction deductUsage\(0x[0-9a-f]{40}, 5000000000000\) sent: 0x[0-9a-f]{64}$/m);
    // Nothing is left running: no device process, no data, nothing listening where the chain was.
    const dataDir = DATA_DIR.exec(stdout)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
    expect(processesNaming(dataDir!)).toEqual([]);
    const port = Number(/^chain: Anvil on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await listening(port)).toBe(false);
  }, 300_000);

  it("stops everything on SIGTERM: the node, the emulated devices and the chain", async () => {
    let signalled = false;
    const { status, stdout } = await runDemo([], (out, child) => {
      if (!signalled && out.includes("ok: every device is online")) {
        signalled = true;
        child.kill("SIGTERM");
      }
    });
    expect(signalled).toBe(true);
    expect(stdout).toContain("demo: SIGTERM, stopping the node, the devices and the chain");
    expect(status).toBe(143);
    const dataDir = DATA_DIR.exec(stdout)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
    expect(processesNaming(dataDir!)).toEqual([]);
    const port = Number(/^chain: Anvil on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(stdout)?.[1]);
    expect(await listening(port)).toBe(false);
  }, 300_000);

  it("takes no arguments", async () => {
    const { status, stdout, stderr } = await runDemo(["--fast"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.split("\n")[0]).toMatch(/^alkyvm: /);
  });

  it("is the README's first command, and .ci/run runs exactly the README's two commands", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```sh\n([^`]*)```/g)].map((m) => m[1]!.trim());
    expect(blocks[0]).toBe("scripts/setup.sh && bin/alkyvm.js demo");
    const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#") && !/^(set|cd) /.test(l));
    expect(ci).toEqual(blocks.slice(0, 2));
  });
});
