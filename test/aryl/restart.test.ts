// A node process killed with SIGKILL while events stream in, then restarted
// on the same data directory, handles every event exactly once: each log's
// key, state writes, device call and cursor were committed together or not
// at all.

import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { NodeStore } from "../../aryl/store.js";
import { testChain } from "./chain.js";
import { recorderApp, tempDir, writeDevicesFile } from "./devices.js";
import { until } from "./wait.js";

const EVENTS = 30;
const FIXTURE = join(import.meta.dirname, "fixtures", "counting-node.mjs");

const chain = testChain({ built: true });

interface NodeProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
}

function startNode(args: string[]): NodeProcess {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  child.stdout!.setEncoding("utf8").on("data", (text: string) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding("utf8").on("data", (text: string) => lines.push(`stderr: ${text}`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, lines, exited };
}

/** Waits for a node process to print what `check` looks for; on a timeout, says what it printed. */
async function waitFor(node: NodeProcess, check: (lines: string[]) => boolean, what: string): Promise<void> {
  try {
    await until(() => {
      if (node.child.exitCode !== null) throw new Error(`the node exited (${node.child.exitCode}) before ${what}`);
      return check(node.lines);
    }, 40_000, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the node printed:\n${node.lines.slice(-20).join("\n")}`);
  }
}

/** The tx hashes of the events a node process reports as committed. */
function committedTxs(lines: string[]): string[] {
  return lines.flatMap((l) => /^event PaymentEvent in block \d+ \(tx (0x[0-9a-f]+), log 0\)/.exec(l)?.[1] ?? []);
}

it("killed with SIGKILL mid-stream and restarted, the node handles every event exactly once", async () => {
  const contract = await chain().deploy();
  const dir = tempDir("restart");
  const abiPath = join(dir, "abi.json");
  writeFileSync(abiPath, JSON.stringify(chain().compiled.abi));
  const devicesPath = writeDevicesFile(dir, [{ name: "rec-1", transport: "emulated:native" }]);
  const dataDir = join(dir, "data");
  const appPath = join(dir, "recorder.alk");
  writeFileSync(appPath, recorderApp().bytes);
  const args = [chain().url, contract, abiPath, devicesPath, dataDir, appPath];

  const sent: string[] = [];
  const sending = (async () => {
    for (let i = 1; i <= EVENTS; i++) sent.push(await chain().pay(contract, `pin-${i}`, i));
  })();

  const first = startNode(args);
  await waitFor(first, (lines) => committedTxs(lines).length >= 5, "the first node to handle 5 events");
  first.child.kill("SIGKILL");
  await first.exited;
  await sending;
  const beforeKill = committedTxs(first.lines);
  expect(beforeKill.length).toBeLessThan(EVENTS); // killed mid-stream

  const second = startNode(args);
  try {
    await waitFor(second, (lines) => lines.includes(`rec-1: Record(${EVENTS})`), "the last event's device call");
  } finally {
    second.child.kill("SIGTERM");
  }
  expect(await second.exited).toBe(0);

  // No event the first process reported as committed is handled again by the
  // second. (The first process's last lines may be lost with it: its output is
  // a pipe that SIGKILL does not flush, so the store below is the full record.)
  const afterRestart = committedTxs(second.lines);
  expect(afterRestart.length).toBeGreaterThan(0);
  expect(afterRestart.filter((tx) => beforeKill.includes(tx))).toEqual([]);

  const store = NodeStore.open(dataDir);
  try {
    const handled = store.handledLogs();
    expect(handled.map((l) => l.txHash)).toEqual(sent);
    expect(handled.every((l) => !l.orphaned)).toBe(true);
    expect(store.stateValue("count")).toBe(BigInt(EVENTS));
    expect(store.stateValue("sum")).toBe(BigInt((EVENTS * (EVENTS + 1)) / 2));
    const commands = store.commands("rec-1");
    expect(commands.map((c) => c.origin?.txHash)).toEqual(sent);
    expect(commands.every((c) => c.status === "delivered")).toBe(true);
  } finally {
    store.close();
  }
}, 150_000);
