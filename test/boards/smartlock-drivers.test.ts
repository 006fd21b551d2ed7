// The smart lock's drivers on the emulated Uno: the firmware of
// `alkyvm firmware --board uno --profile smartlock` under simavr, with a
// matrix keypad wired to its port pins by the harness (--keypad, keys pressed
// through its stdin) and the lock and buzzer outputs watched (--watch).
// Pressing keys must raise KeyPressed on the device itself (EVENT_RAISED and
// the handler's reports, sequence number 0), the right PIN must set the lock
// pin, a wrong one must sound the buzzer for a moment.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { SerialTransport } from "../../compiler/engines/serial.js";
import { FrameReader, type Frame } from "../../compiler/link/frame.js";
import { messageSpec, UNSOLICITED_SEQ } from "../../compiler/link/messages.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { LinkEngine } from "../../compiler/run/link-engine.js";
import { pinName, sleep, SmartlockUno, smartlockPins as pins } from "../link/smartlock-uno.js";

const LOCK = pinName(pins.lock);
const BUZZER = pinName(pins.buzzer);

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

let board: SmartlockUno;
let transport: SerialTransport;
let engine: LinkEngine;
let functions: { name: string }[];

beforeAll(async () => {
  board = await SmartlockUno.start();
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
  board?.stop();
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
