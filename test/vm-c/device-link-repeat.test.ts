// Repeated requests on the host link device (docs/link.md §4.6), at the frame
// level: a request sent again with its number is answered as before and not
// run twice; an older number is refused; a repeat while the device waits for
// a node call brings the NODE_CALL again; a repeated NODE_ANSWER after the end
// brings the terminal report again. The counter app of the fault-injection
// tests shows every run.

import { describe, expect, it } from "vitest";
import { LinkClient } from "../../compiler/link/client.js";
import { MAX_PAYLOAD } from "../../compiler/link/frame.js";
import { encodePayload, ERROR_CODES, messageSpec, type Message } from "../../compiler/link/messages.js";
import { counterApp } from "../link/fault-run.js";
import { concat, hostDevices, le, stringArg, type LinkTester } from "./link-wire.js";

const FN = { Count: 0, Get: 1, Add: 2, Echo: 3, Priced: 4 } as const;
const FUEL = 10_000;
const SEQUENCE = ERROR_CODES.find((c) => c.name === "sequence")!.code;
const start = hostDevices();

async function withApp(): Promise<LinkTester> {
  const t = start();
  expect((await t.load(counterApp().bytes, MAX_PAYLOAD)).end.name).toBe("ACK");
  return t;
}

const call = (fn: number, args = new Uint8Array(0)): Uint8Array => encodePayload("CALL", { function: fn, fuel: FUEL, args });
const CALL = messageSpec("CALL").id;
const result = (syscalls: number, value: Uint8Array): Message => ({ name: "RESULT", fields: { syscalls, value } });

async function get(t: LinkTester): Promise<number> {
  const a = await t.requestRaw(CALL, call(FN.Get));
  return (a.end as Extract<Message, { name: "RESULT" }>).fields.value[0]!;
}

describe("repeated requests on the host link device", () => {
  it("answers a repeated CALL with its RESULT again, without its reports and without running it", async () => {
    const t = await withApp();
    const seq = await t.sendFrame(CALL, call(FN.Count));
    const first = await t.answer(seq);
    expect(first.reports).toEqual([{ name: "SYSCALL", fields: { import: 1, args: le(1, 1) } }]);
    expect(first.end).toEqual(result(1, le(1, 1)));
    for (let i = 0; i < 3; i++) {
      await t.sendFrame(CALL, call(FN.Count), { seq });
      const again = await t.answer(seq);
      expect(again.reports).toEqual([]);
      expect(again.end).toEqual(result(1, le(1, 1)));
    }
    expect(await get(t)).toBe(1);
  });

  it("refuses an older number (ERROR sequence, detail 1, offset = the last number) and the same number with another type", async () => {
    const t = await withApp();
    const first = await t.sendFrame(CALL, call(FN.Count));
    await t.answer(first);
    const last = await t.sendFrame(CALL, call(FN.Count));
    await t.answer(last);
    await t.sendFrame(CALL, call(FN.Count), { seq: first });
    expect((await t.answer(first)).end).toEqual({ name: "ERROR", fields: { code: SEQUENCE, detail: 1, offset: last } });
    await t.sendFrame(messageSpec("HELLO").id, new Uint8Array(0), { seq: last });
    expect((await t.answer(last)).end).toEqual({ name: "ERROR", fields: { code: SEQUENCE, detail: 1, offset: last } });
    expect(await get(t)).toBe(2);
    // Numbers run on modulo 256 (up to 127 ahead is new) and wrap: 255 is followed by 1 (0 is the device's own).
    for (const ahead of [120, 240, 255]) {
      await t.sendFrame(messageSpec("HELLO").id, new Uint8Array(0), { seq: ahead });
      expect((await t.answer(ahead)).end.name).toBe("HELLO_REPLY");
    }
    await t.sendFrame(CALL, call(FN.Get), { seq: 1 });
    expect((await t.answer(1)).end).toEqual(result(0, le(2, 1)));
  });

  it("answers a repeated ERROR and a repeated ACK as before; a repeat does not end an argument stream", async () => {
    const t = await withApp();
    const bad = await t.sendFrame(CALL, call(99));
    const refused = (await t.answer(bad)).end;
    expect(refused.name).toBe("ERROR");
    await t.sendFrame(CALL, call(99), { seq: bad });
    expect((await t.answer(bad)).end).toEqual(refused);
    // Echo's string in two frames: CALL (ACK, more to come), CALL again (ACK again), ARGS completes it.
    const text = stringArg("0123456789");
    const seq = await t.sendFrame(CALL, call(FN.Echo, text.subarray(0, 5)));
    expect((await t.answer(seq)).end.name).toBe("ACK");
    await t.sendFrame(CALL, call(FN.Echo, text.subarray(0, 5)), { seq });
    expect((await t.answer(seq)).end.name).toBe("ACK");
    const done = await t.request("ARGS", { args: text.subarray(5) });
    expect(done.reports).toEqual([{ name: "SYSCALL", fields: { import: 0, args: stringArg("0123456789") } }]);
    expect(done.end).toEqual({ name: "DONE", fields: { syscalls: 1 } });
  });

  it("sends the NODE_CALL again for a repeated CALL while it waits, and the RESULT again for a repeated NODE_ANSWER", async () => {
    const t = await withApp();
    const seq = await t.sendFrame(CALL, call(FN.Priced));
    const nodeCall: Message = { name: "NODE_CALL", fields: { import: 2, args: le(1, 4) } };
    expect((await t.answer(seq)).end).toEqual(nodeCall);
    await t.sendFrame(CALL, call(FN.Priced), { seq });
    expect(await t.answer(seq)).toEqual({ reports: [], end: nodeCall, frames: 1 });
    const answer = encodePayload("NODE_ANSWER", { call: seq, ok: 1, value: le(10, 4) });
    const answerSeq = await t.sendFrame(messageSpec("NODE_ANSWER").id, answer);
    expect((await t.answer(answerSeq)).end).toEqual(result(0, le(11, 4)));
    await t.sendFrame(messageSpec("NODE_ANSWER").id, answer, { seq: answerSeq });
    expect((await t.answer(answerSeq)).end).toEqual(result(0, le(11, 4)));
    // The CALL's number is older now.
    await t.sendFrame(CALL, call(FN.Priced), { seq });
    expect((await t.answer(seq)).end).toEqual({ name: "ERROR", fields: { code: SEQUENCE, detail: 1, offset: answerSeq } });
    expect(await get(t)).toBe(1);
  });

  it("answers a repeated LOAD_CHUNK and LOAD_COMMIT as before (an ERROR with its offset too): the load goes through once", async () => {
    const t = start();
    const image = counterApp().bytes;
    const trailer = new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(image.length - 4, true);
    expect((await t.request("LOAD_BEGIN", { length: image.length, crc: trailer })).end.name).toBe("ACK");
    const half = image.length >> 1;
    const chunk = await t.sendFrame(messageSpec("LOAD_CHUNK").id, encodePayload("LOAD_CHUNK", { offset: 0, data: image.subarray(0, half) }));
    expect((await t.answer(chunk)).end.name).toBe("ACK");
    await t.sendFrame(messageSpec("LOAD_CHUNK").id, encodePayload("LOAD_CHUNK", { offset: 0, data: image.subarray(0, half) }), { seq: chunk });
    expect((await t.answer(chunk)).end.name).toBe("ACK");
    // A chunk at the wrong offset: ERROR sequence with the offset expected, and the same again for its repeat.
    const gap = await t.sendFrame(messageSpec("LOAD_CHUNK").id, encodePayload("LOAD_CHUNK", { offset: half + 1, data: image.subarray(half + 1) }));
    const refused = { name: "ERROR", fields: { code: SEQUENCE, detail: 0, offset: half } };
    expect((await t.answer(gap)).end).toEqual(refused);
    await t.sendFrame(messageSpec("LOAD_CHUNK").id, encodePayload("LOAD_CHUNK", { offset: half + 1, data: image.subarray(half + 1) }), { seq: gap });
    expect((await t.answer(gap)).end).toEqual(refused);
    expect((await t.request("LOAD_CHUNK", { offset: half, data: image.subarray(half) })).end.name).toBe("ACK");
    const commit = await t.sendFrame(messageSpec("LOAD_COMMIT").id, new Uint8Array(0));
    expect((await t.answer(commit)).end.name).toBe("ACK");
    await t.sendFrame(messageSpec("LOAD_COMMIT").id, new Uint8Array(0), { seq: commit });
    expect((await t.answer(commit)).end.name).toBe("ACK");
    expect((await t.requestRaw(CALL, call(FN.Add, concat(le(2, 4), le(3, 4))))).end).toEqual(result(0, le(5, 4)));
  });

  it("serves one client session after another: each starts at a random number and resyncs on HELLO when it is behind the device's", async () => {
    const t = await withApp();
    const { image } = counterApp();
    for (let i = 1; i <= 12; i++) {
      const client = new LinkClient(t.wire, { image, timeoutMs: 5_000 });
      expect((await client.hello()).appLength).toBe(counterApp().bytes.length);
      const a = await client.invoke("CALL", FN.Count, FUEL, new Uint8Array(0));
      const end = a.terminal as Extract<Message, { name: "RESULT" }>;
      expect([end.name, end.fields.syscalls, [...end.fields.value]]).toEqual(["RESULT", 1, [i]]);
      expect(client.resent).toBe(0);
    }
  });
});
