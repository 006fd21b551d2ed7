// The smart lock's drivers on the emulated Uno: the firmware of
// `alkyvm firmware --board uno --profile smartlock` under simavr, with a
// matrix keypad wired to its port pins by the harness (--keypad, keys pressed
// through its stdin) and the lock and buzzer outputs watched (--watch).
// Pressing keys must raise KeyPressed on the device itself (EVENT_RAISED and
// the handler's reports, sequence number 0), the right PIN must set the lock
// pin, a wrong one must sound the buzzer for a moment.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardById, type Pin } from "../../boards/boards.js";
import { compileAlkyl } from "../../compiler/compile.js";
import { buildSimavrHarness } from "../../compiler/engines/firmware-build.js";
import { SerialTransport } from "../../compiler/engines/serial.js";
import { buildProject, renderProject } from "../../compiler/firmware/project.js";
import { FrameReader, type Frame } from "../../compiler/link/frame.js";
import { messageSpec, UNSOLICITED_SEQ } from "../../compiler/link/messages.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { LinkEngine } from "../../compiler/run/link-engine.js";
import { readFileSync } from "node:fs";

const uno = boardById("uno")!;
const pins = uno.smartlockPins!;
const pinName = (p: Pin): string => ("port" in p ? `${p.port}${p.bit}` : "");
const LOCK = pinName(pins.lock);
const BUZZER = pinName(pins.buzzer);

class Board {
  readonly pinEvents: { pin: string; level: number; at: number }[] = [];
  private stderr = "";
  ptyPath = "";

  constructor(readonly child: ChildProcessByStdio<Writable, null, Readable>) {
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.stderr += text;
      for (const m of text.matchAll(/^PIN (\w+) ([01])$/gm)) this.pinEvents.push({ pin: m[1]!, level: Number(m[2]), at: Date.now() });
    });
  }

  async started(): Promise<void> {
    const t0 = Date.now();
    while (!/^PTY (\S+)$/m.test(this.stderr)) {
      if (Date.now() - t0 > 30_000 || this.child.exitCode !== null) throw new Error(`the harness did not start: ${this.stderr}`);
      await sleep(20);
    }
    this.ptyPath = /^PTY (\S+)$/m.exec(this.stderr)![1]!;
  }

  level(pin: string): number | undefined {
    return this.pinEvents.filter((e) => e.pin === pin).at(-1)?.level;
  }

  /** Presses and releases the key, holding it longer than the firmware's debounce time. */
  async press(key: string): Promise<void> {
    const k = pins.keys.indexOf(key);
    const r = Math.floor(k / pins.columns.length);
    const c = k % pins.columns.length;
    this.child.stdin.write(`press ${r} ${c}\n`);
    await sleep(80);
    this.child.stdin.write(`release ${r} ${c}\n`);
    await sleep(80);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Frames the device sends on its own until `count` terminal reports have arrived (or the time is up). */
async function unsolicited(transport: SerialTransport, count: number, timeoutMs = 20_000): Promise<Frame[]> {
  const reader = new FrameReader();
  const frames: Frame[] = [];
  const deadline = Date.now() + timeoutMs;
  const terminal = new Set(["DONE", "RESULT", "FAULT"].map((n) => messageSpec(n as "DONE").id));
  while (frames.filter((f) => terminal.has(f.type)).length < count && Date.now() < deadline) {
    for (const e of reader.push(await transport.read(200))) if (e.kind === "frame") frames.push(e.frame);
  }
  return frames;
}

const id = (name: string): number => messageSpec(name as "DONE").id;

let board: Board;
let transport: SerialTransport;
let engine: LinkEngine;
let functions: { name: string }[];

beforeAll(async () => {
  const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-lock-")), "uno-smartlock");
  const built = buildProject(uno, renderProject(uno, dir, { profile: "smartlock" }));
  const keypad = `${pins.rows.map(pinName).join(",")}:${pins.columns.map(pinName).join(",")}`;
  const child = spawn(buildSimavrHarness(), ["--pty", "--keypad", keypad, "--watch", `${LOCK},${BUZZER}`, "--timeout-ms", "600000", built.elf], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  board = new Board(child);
  await board.started();
  transport = await SerialTransport.open(board.ptyPath);
  const profile = profileByName("smartlock")!;
  const app = compileAlkyl(readFileSync("examples/smartlock/lock.alkyl", "utf8"), "lock.alkyl", { profile });
  if (!app.ok) throw new Error("the smart lock app does not compile");
  engine = await LinkEngine.open(transport, app.image, app.bytes, { timeoutMs: 30_000 });
  functions = app.image.functions;
  const setPin = app.image.functions.findIndex((f) => f.name === "SetPin");
  await engine.invoke(setPin, [new TextEncoder().encode("1234"), 1_900_000_000]);
}, 300_000);

afterAll(async () => {
  await engine?.close();
  board?.child.kill("SIGTERM");
});

describe("smart-lock drivers on the emulated Uno (keypad on the port pins)", () => {
  it("starts with the lock closed and the buzzer off", () => {
    expect(board.level(LOCK) ?? 0).toBe(0);
    expect(board.level(BUZZER) ?? 0).toBe(0);
  });

  it("raises KeyPressed for each key pressed, and Unlock sets the lock pin after the right PIN", async () => {
    for (const key of "1234") await board.press(key);
    const frames = await unsolicited(transport, 4);
    expect(frames.every((f) => f.seq === UNSOLICITED_SEQ)).toBe(true);
    const raised = frames.filter((f) => f.type === id("EVENT_RAISED")).map((f) => String.fromCharCode(f.payload[1]!));
    expect(raised).toEqual(["1", "2", "3", "4"]);
    expect(frames.filter((f) => f.type === id("EVENT_RAISED")).every((f) => f.payload[0] === 0)).toBe(true); // KeyPressed's event id
    const syscalls = frames.filter((f) => f.type === id("SYSCALL"));
    expect(syscalls).toHaveLength(1);
    expect(frames.filter((f) => f.type === id("DONE"))).toHaveLength(4);
    expect(board.level(LOCK)).toBe(1);
    expect(board.level(BUZZER) ?? 0).toBe(0);
  }, 60_000);

  it("a wrong PIN sounds the buzzer for a moment and leaves the lock as it was", async () => {
    const before = board.pinEvents.length;
    for (const key of "9999") await board.press(key);
    const frames = await unsolicited(transport, 4);
    expect(frames.filter((f) => f.type === id("EVENT_RAISED")).map((f) => String.fromCharCode(f.payload[1]!))).toEqual(["9", "9", "9", "9"]);
    await sleep(600);
    const buzzer = board.pinEvents.slice(before).filter((e) => e.pin === BUZZER).map((e) => e.level);
    expect(buzzer).toEqual([1, 0]);
    expect(board.pinEvents.slice(before).some((e) => e.pin === LOCK)).toBe(false);
  }, 60_000);

  it("a key held down raises one event (debounced), not one per scan", async () => {
    const k = pins.keys.indexOf("5");
    board.child.stdin.write(`press ${Math.floor(k / 3)} ${k % 3}\n`);
    await sleep(400);
    board.child.stdin.write(`release ${Math.floor(k / 3)} ${k % 3}\n`);
    const frames = await unsolicited(transport, 2, 2_000);
    expect(frames.filter((f) => f.type === id("EVENT_RAISED")).map((f) => String.fromCharCode(f.payload[1]!))).toEqual(["5"]);
  }, 30_000);

  it("still answers the node's requests between key presses (SetPin, then KeyPressed sent as EVENT requests)", async () => {
    const fns = functions;
    const setPin = fns.findIndex((f) => f.name === "SetPin");
    const keyPressed = fns.findIndex((f) => f.name === "KeyPressed");
    expect(await engine.invoke(setPin, [new TextEncoder().encode("0000"), 1_900_000_000])).toEqual([]);
    const effects = [];
    for (let i = 0; i < 4; i++) effects.push(...(await engine.invoke(keyPressed, [0x30])));
    expect(effects).toEqual([{ kind: "syscall", importIndex: expect.any(Number), args: [] }]);
  }, 30_000);
});
