// Invocations the device raises by itself (docs/link.md §4.5), served by the
// host: the rental's lock (examples/rental/lock.alkyl) on the emulated Uno
// with the smart lock's drivers; keys pressed on its keypad raise KeyPressed
// on the device, and a wrong PIN makes the handler call the node
// (ReportInvalidAttempts), which the LinkClient answers while no request of
// its own is in flight. A request the node sends meanwhile waits for the
// raised invocation, or, sent before the client saw it, is refused busy and
// sent again: run exactly once.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FunctionKind } from "../../compiler/ir/image.js";
import { SerialTransport } from "../../compiler/engines/serial.js";
import type { ByteTransport } from "../../compiler/engines/transport.js";
import { encodeArgs } from "../../compiler/link/args.js";
import { LinkClient, type NodeCall } from "../../compiler/link/client.js";
import { FrameReader, type Frame } from "../../compiler/link/frame.js";
import { ERROR_CODES, messageSpec, UNSOLICITED_SEQ } from "../../compiler/link/messages.js";
import type { NodeCallRequest } from "../../compiler/run/engine.js";
import { LinkEngine, type RaisedEvent } from "../../compiler/run/link-engine.js";
import { effectToTrace } from "../../compiler/run/session.js";
import { formatTraceLine } from "../../compiler/run/trace.js";
import type { Raw } from "../../compiler/vm/effects.js";
import { until } from "../aryl/wait.js";
import { compileApp } from "../helpers/backends.js";
import { ROOT } from "../helpers/cli.js";
import { pinName, sleep, smartlockPins, smartlockUnoForTests } from "./smartlock-uno.js";

const app = compileApp(readFileSync(join(ROOT, "examples", "rental", "lock.alkyl"), "utf8"), "smartlock");
const fnIndex = (name: string): number => app.image.functions.findIndex((f) => f.name === name);
const id = (name: string): number => messageSpec(name as "DONE").id;
const LOCK = pinName(smartlockPins.lock);
const FAR = 1_900_000_000; // PIN expiry, past the device's clock
const pin = (text: string): Uint8Array => new TextEncoder().encode(text);

/** What the device did in a raised event, as `alkyvm run` trace lines. */
function trace(event: RaisedEvent): string[] {
  return event.effects.map((e) => formatTraceLine(effectToTrace(e, app.image, event.handler!)));
}

/**
 * The board's link, passed through unchanged, with every frame in either
 * direction recorded; waitFor reads ahead (the client sees those bytes on its
 * next read) until the device has sent a frame of a given type.
 */
class Tap implements ByteTransport {
  readonly fromDevice: Frame[] = [];
  readonly toDevice: Frame[] = [];
  private readonly deviceFrames = new FrameReader();
  private readonly hostFrames = new FrameReader();
  private held: Uint8Array[] = [];

  constructor(private readonly inner: ByteTransport) {}

  async write(bytes: Uint8Array): Promise<void> {
    for (const e of this.hostFrames.push(bytes)) if (e.kind === "frame") this.toDevice.push(e.frame);
    await this.inner.write(bytes);
  }

  async read(maxWaitMs: number): Promise<Uint8Array> {
    if (this.held.length > 0) return Buffer.concat(this.held.splice(0));
    return this.see(await this.inner.read(maxWaitMs));
  }

  async waitFor(type: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.fromDevice.some((f) => f.type === type)) {
      if (Date.now() > deadline) throw new Error(`no frame of type ${type} from the device within ${timeoutMs} ms`);
      this.held.push(this.see(await this.inner.read(200)));
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private see(bytes: Uint8Array): Uint8Array {
    for (const e of this.deviceFrames.push(bytes)) if (e.kind === "frame") this.fromDevice.push(e.frame);
    return bytes;
  }
}

const uno = smartlockUnoForTests();

describe("device-raised events on the emulated Uno (smart-lock drivers, rental lock)", () => {
  const events: RaisedEvent[] = [];
  const calls: NodeCallRequest[] = [];
  const order: string[] = [];
  let answer: (call: NodeCallRequest) => Promise<Raw | undefined> = async () => 0;
  let engine: LinkEngine;

  it("a wrong PIN typed on the keypad: the handler's node call is answered by the idle LinkClient, the events are handed over in order", async () => {
    engine = await LinkEngine.open(await SerialTransport.open(uno().ptyPath), app.image, app.bytes, {
      timeoutMs: 30_000,
      answerNodeCall: async (call) => {
        calls.push(call);
        return answer(call);
      },
      onDeviceEvent: (event) => {
        events.push(event);
        order.push(`event ${event.handler?.name}`);
      },
    });
    expect(await engine.invoke(fnIndex("SetPin"), [pin("1234"), FAR])).toEqual([]);
    for (const key of "1111") await uno().press(key);
    await until(() => events.length === 4, 30_000, "four raised events");
    expect(events.map((e) => [e.handler?.name, e.eventId, e.args])).toEqual([..."1111"].map((k) => ["KeyPressed", 0, [k.charCodeAt(0)]]));
    expect(events.slice(0, 3).map(trace)).toEqual([[], [], []]);
    expect(trace(events[3]!)).toEqual(["syscall Now()", "syscall IncorrectBeep()", "nodecall ReportInvalidAttempts(1) -> 0"]);
    expect(calls.map((c) => [c.name, c.args])).toEqual([["ReportInvalidAttempts", [1]]]);
  }, 120_000);

  it("the answer's value reaches the device: a lockout answered to a wrong PIN keeps the right PIN from opening", async () => {
    answer = async () => 4_000_000_000; // locked out until then
    for (const key of "1119") await uno().press(key);
    await until(() => events.length === 8, 30_000, "four more raised events");
    expect(trace(events[7]!)).toEqual(["syscall Now()", "syscall IncorrectBeep()", "nodecall ReportInvalidAttempts(2) -> 4000000000"]);
    answer = async () => 0;
    for (const key of "1234") await uno().press(key);
    await until(() => events.length === 12, 30_000, "four more raised events");
    expect(trace(events[11]!)).toEqual(["syscall Now()", "syscall IncorrectBeep()"]); // locked out: no Unlock, not counted
    expect(uno().level(LOCK) ?? 0).toBe(0);
  }, 120_000);

  it("a call the node makes while a raised event waits for its node call goes out after that event ends, once", async () => {
    expect(await engine.invoke(fnIndex("Lockout"), [0])).toEqual([]);
    let release!: (value: Raw) => void;
    answer = () => new Promise((resolve) => (release = resolve));
    const before = calls.length;
    for (const key of "2222") await uno().press(key);
    await until(() => calls.length === before + 1, 30_000, "the node call of the fourth key");
    let settled = false;
    const call = engine.invoke(fnIndex("SetPin"), [pin("5678"), FAR]).then((effects) => {
      settled = true;
      order.push("SetPin done");
      return effects;
    });
    await sleep(500);
    expect(settled).toBe(false); // the device is in the raised event; the request waits its turn
    release(0);
    expect(await call).toEqual([]);
    expect(order.slice(-2)).toEqual(["event KeyPressed", "SetPin done"]);
    expect(trace(events.at(-1)!)).toEqual(["syscall Now()", "syscall IncorrectBeep()", "nodecall ReportInvalidAttempts(3) -> 0"]);
    answer = async () => 0;
    const count = events.length;
    for (const key of "5678") await uno().press(key);
    await until(() => events.length === count + 4, 30_000, "four more raised events");
    expect(trace(events.at(-1)!)).toEqual(["syscall Now()", "syscall Unlock()"]); // the new PIN opens: SetPin ran
    await until(() => uno().level(LOCK) === 1, 5_000, "the lock pin");
    await engine.close();
  }, 120_000);

  it("a request already on its way when the device raised an event: refused busy while the event's node call waits, served inline, sent again and run once", async () => {
    const tap = new Tap(await SerialTransport.open(uno().ptyPath));
    const dropped: string[] = [];
    const served: NodeCall[] = [];
    // No onDeviceEvent: this client reads the link only while a request of its own is in flight.
    const client = new LinkClient(tap, {
      timeoutMs: 30_000,
      image: app.image,
      onNodeCall: async (call) => {
        served.push(call);
        return 0;
      },
      onDropped: (reason) => dropped.push(reason),
    });
    try {
      await client.hello();
      for (const key of "3333") await uno().press(key);
      await tap.waitFor(id("NODE_CALL"), 30_000); // the device waits for the node now
      const setPin = app.image.functions[fnIndex("SetPin")]!;
      expect(setPin.kind).toBe(FunctionKind.Public);
      const answer = await client.invoke("CALL", fnIndex("SetPin"), 100_000, encodeArgs(setPin.locals.slice(0, setPin.paramCount), [pin("4321"), FAR]));
      expect(answer.terminal.name).toBe("DONE");
      expect(served.map((c) => [c.name, c.args])).toEqual([["ReportInvalidAttempts", [1]]]);
      const calls = tap.toDevice.filter((f) => f.type === id("CALL"));
      expect(calls).toHaveLength(2); // refused once, then run
      const busy = tap.fromDevice.filter((f) => f.type === id("ERROR") && f.payload[0] === ERROR_CODES.find((c) => c.name === "busy")!.code);
      expect(busy.map((f) => f.seq)).toEqual([calls[0]!.seq]);
      const raisedEnd = tap.fromDevice.filter((f) => [id("DONE"), id("FAULT")].includes(f.type) && f.seq === UNSOLICITED_SEQ).at(-1)!;
      expect(raisedEnd.type).toBe(id("DONE")); // the node call was answered, not timed out
      expect(dropped).toEqual([]);
    } finally {
      await tap.close();
    }
  }, 120_000);
});
