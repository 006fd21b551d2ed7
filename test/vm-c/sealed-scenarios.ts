// The attacks on a sealed link every device firmware built with a key must
// refuse (docs/link.md §2.1), written once for the host device and the
// emulated Uno: a captured request replayed verbatim, forged frames (wrong
// key, random tag), altered bytes with a recomputed CRC, an unsealed request.
// Each refused frame must get no answer and have no effect (a counter in VM
// memory shows whether a CALL ran), and the device must keep answering.

import { expect } from "vitest";
import { cobsDecode, cobsEncode } from "../../compiler/link/cobs.js";
import { crc16 } from "../../compiler/link/crc.js";
import { encodeFrame } from "../../compiler/link/frame.js";
import { encodePayload, messageSpec, type Message } from "../../compiler/link/messages.js";
import { Direction, sealFrame } from "../../compiler/link/seal.js";
import { counterApp as faultCounterApp } from "../link/fault-run.js";
import type { LinkTester } from "./link-wire.js";
import type { SealingWire } from "./sealed-wire.js";

/** The fault-injection counter app (test/link/fault-run.ts): its Count(), function 0, adds 1 to a byte of VM memory, reports it with a SYSCALL and returns it, so it shows how many times a CALL ran. */
export function counterApp(): Uint8Array {
  return faultCounterApp().bytes;
}

export const FUEL = 10_000;

export async function count(t: LinkTester): Promise<number> {
  const a = await t.request("CALL", { function: 0, fuel: FUEL, args: new Uint8Array(0) });
  expect(a.end.name).toBe("RESULT");
  expect(a.reports.map((r) => r.name)).toEqual(["SYSCALL"]);
  return (a.end as Extract<Message, { name: "RESULT" }>).fields.value[0]!;
}

export async function hello(t: LinkTester): Promise<Extract<Message, { name: "HELLO_REPLY" }>["fields"]> {
  const a = await t.request("HELLO", {});
  expect(a.end.name).toBe("HELLO_REPLY");
  return (a.end as Extract<Message, { name: "HELLO_REPLY" }>).fields;
}

/** The frame bytes (before COBS) of an encoded wire frame, to alter. */
function rawOf(wire: Uint8Array): Uint8Array {
  const d = cobsDecode(wire.subarray(0, wire.length - 1));
  if (!d.ok) throw new Error("bad COBS in a captured frame");
  return Uint8Array.from(d.data);
}

/** Raw frame bytes back on the wire, the CRC recomputed so that only the AEAD can refuse them. */
function withCrc(raw: Uint8Array): Uint8Array {
  const out = Uint8Array.from(raw);
  const crc = crc16(out, 0, out.length - 2);
  out[out.length - 2] = crc & 0xff;
  out[out.length - 1] = crc >> 8;
  return Uint8Array.from([...cobsEncode(out), 0]);
}

/**
 * Runs every attack against a device with counterApp() installed whose memory
 * counter is at `start`; returns the counter at the end. `quietMs`: how long
 * silence must last to count as "no answer".
 */
export async function refusesAttacks(t: LinkTester, wire: SealingWire, start: number, quietMs: number): Promise<number> {
  const before = await hello(t);
  let n = start;
  expect(await count(t)).toBe(++n);
  const captured = wire.sent[wire.sent.length - 1]!; // the sealed CALL just run
  const refused: [string, Uint8Array][] = [];

  // (a) replayed verbatim: no second execution.
  refused.push(["replayed CALL", captured]);
  // (b) forged: the right layout and a fresh counter, sealed with another key; a random tag.
  const call = { flags: 0, seq: 200, type: messageSpec("CALL").id, payload: encodePayload("CALL", { function: 0, fuel: FUEL, args: new Uint8Array(0) }) };
  const wrongKey = Uint8Array.from(wire.key, (b) => b ^ 0x5a);
  refused.push(["CALL sealed with another key", encodeFrame(sealFrame(call, wrongKey, Direction.NodeToDevice, wire.counter + 100))]);
  const sealed = sealFrame(call, wire.key, Direction.NodeToDevice, wire.counter + 101);
  const tagged = Uint8Array.from(sealed.payload);
  for (let i = tagged.length - 16; i < tagged.length; i++) tagged[i] = (i * 37 + 11) & 0xff;
  refused.push(["CALL with a made-up tag", encodeFrame({ ...sealed, payload: tagged })]);
  // The same frame as sent from the device's direction (a reflected report's nonce).
  refused.push(["CALL sealed with the device's direction", encodeFrame(sealFrame(call, wire.key, Direction.DeviceToNode, wire.counter + 102))]);
  // (c) one byte altered, CRC recomputed: ciphertext, tag, and each AAD byte (header, counter, seq, type).
  const fresh = rawOf(encodeFrame(sealFrame(call, wire.key, Direction.NodeToDevice, wire.counter + 103)));
  const at = { header: 0, counter: 2, seq: 5, type: 6, ciphertext: 7, tag: fresh.length - 3 };
  for (const [what, i] of Object.entries(at)) {
    const altered = Uint8Array.from(fresh);
    altered[i] ^= what === "header" ? 0x08 : 0x01; // the header keeps SEALED and its version, a reserved flag bit flips
    refused.push([`CALL with its ${what} byte altered`, withCrc(altered)]);
  }
  // (d) unsealed.
  refused.push(["unsealed CALL", encodeFrame(call)]);
  // A replayed HELLO is harmless (plain HELLO is always answered); a replayed sealed report is the node's side (LinkClient).
  for (const [what, bytes] of refused) {
    await wire.raw.write(bytes);
    try {
      await t.expectSilence(quietMs);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`);
    }
  }
  // (e) still answering; nothing above ran, every frame was counted as dropped.
  const after = await hello(t);
  expect(after.droppedFrames - before.droppedFrames).toBe(refused.length);
  expect(await count(t)).toBe(++n);
  // A frame far ahead of the floor is taken: refused frames did not move the floor.
  // (Its sequence number is the tester's next: the device refuses numbers behind its last, docs/link.md §4.6.)
  const next = t.nextSeq();
  await wire.raw.write(encodeFrame(sealFrame({ ...call, seq: next }, wire.key, Direction.NodeToDevice, wire.counter + 200)));
  wire.counter += 201;
  const late = await t.answer(next);
  expect(late.end.name).toBe("RESULT");
  expect((late.end as Extract<Message, { name: "RESULT" }>).fields.value[0]).toBe(++n);
  return n;
}

/**
 * A device restarted on the same persistent store (`start` opens it again
 * after the first one is closed): its floor is at least the last node
 * counter it took, its first counter above every one it used before, and the
 * first run's CALL replayed into the second is refused.
 */
export async function countersSurviveRestart(start: () => Promise<{ t: LinkTester; wire: SealingWire }>, quietMs: number): Promise<void> {
  const first = await start();
  const h1 = await hello(first.t);
  expect((await first.t.load(counterApp(), h1.maxPayload)).end.name).toBe("ACK");
  expect(await count(first.t)).toBe(1);
  const replay = first.wire.sent[first.wire.sent.length - 1]!;
  const lastSent = first.wire.counter - 1;
  const lastDevice = first.wire.deviceCounter!;
  await first.wire.close();

  const second = await start();
  const h2 = await hello(second.t);
  expect(h2.rxFloor).toBeGreaterThanOrEqual(lastSent);
  expect(second.wire.deviceCounter!).toBeGreaterThan(lastDevice);
  await second.wire.raw.write(replay);
  await second.t.expectSilence(quietMs);
  expect(await count(second.t)).toBe(1); // the replay did not run; the restart re-initialised memory from the app's data
}
