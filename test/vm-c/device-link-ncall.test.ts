// Node calls at the frame level on the host link device (docs/link.md §4.4):
// NODE_CALL reports, NODE_ANSWER matched by the NODE_CALL's sequence number,
// what the device refuses while it waits, a failed answer, the timeout (no
// answer: FAULT trap, and the device keeps answering), a late answer.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/ir/asm.js";
import { FrameFlag, MAX_PAYLOAD } from "../../compiler/link/frame.js";
import { encodePayload, messageSpec, type Message } from "../../compiler/link/messages.js";
import { concat, hostDevices, le, LinkTester } from "./link-wire.js";

/** test/fixtures/asm/node_calls.asm: public functions Total(uint32) -> uint32 (index 0) and Ping(uint8) (index 1). */
const IMAGE = (() => {
  const r = assemble(readFileSync(join(import.meta.dirname, "..", "fixtures", "asm", "node_calls.asm"), "utf8"));
  if (!r.ok) throw new Error("node_calls.asm does not assemble");
  return r.bytes;
})();
const FN = { Total: 0, Ping: 1 } as const;
const IMPORT = { Out32: 0, Price: 1, Report: 2, Log: 3 } as const;
const FUEL = 100_000;
/** The host device's timeout: 2000 idle ticks of 1 ms (device.h, ALKY_NCALL_TIMEOUT_TICKS). */
const TIMEOUT_MS = 2000;

const start = hostDevices(10_000);

async function withApp(): Promise<LinkTester> {
  const t = start();
  expect((await t.load(IMAGE, MAX_PAYLOAD)).end.name).toBe("ACK");
  return t;
}

/** Sends CALL and returns its sequence number (the NODE_CALL's too) and the answer up to the NODE_CALL or the end. */
async function call(t: LinkTester, fn: number, args: Uint8Array): Promise<{ seq: number; reports: Message[]; end: Message }> {
  const seq = await t.sendFrame(messageSpec("CALL").id, encodePayload("CALL", { function: fn, fuel: FUEL, args }));
  return { seq, ...(await t.answer(seq)) };
}

async function nodeAnswer(t: LinkTester, callSeq: number, ok: boolean, value: Uint8Array): Promise<{ seq: number; reports: Message[]; end: Message }> {
  const seq = await t.sendFrame(messageSpec("NODE_ANSWER").id, encodePayload("NODE_ANSWER", { call: callSeq, ok: ok ? 1 : 0, value }));
  return { seq, ...(await t.answer(seq)) };
}

const syscall = (value: number): Message => ({ name: "SYSCALL", fields: { import: IMPORT.Out32, args: le(value, 4) } });

describe("node calls on the host link device", () => {
  it("reports NODE_CALL after the syscalls before it; the answer's value is pushed and the reports go on with NODE_ANSWER's number", async () => {
    const t = await withApp();
    const c = await call(t, FN.Total, le(5, 4));
    expect(c.reports).toEqual([syscall(5)]);
    expect(c.end).toEqual({ name: "NODE_CALL", fields: { import: IMPORT.Price, args: le(5, 4) } });
    const a = await nodeAnswer(t, c.seq, true, le(40, 4));
    expect(a.reports).toEqual([syscall(40)]);
    expect(a.end).toEqual({ name: "RESULT", fields: { syscalls: 2, value: le(45, 4) } });
  });

  it("sends a void call's arguments and a string argument (length, bytes), and takes an empty value for a void call", async () => {
    const t = await withApp();
    const c = await call(t, FN.Ping, le(3, 1));
    expect(c.end).toEqual({ name: "NODE_CALL", fields: { import: IMPORT.Report, args: concat(le(3, 1), le(1, 1)) } });
    const a = await nodeAnswer(t, c.seq, true, new Uint8Array(0));
    expect(a.end).toEqual({ name: "NODE_CALL", fields: { import: IMPORT.Log, args: concat(le(7, 2), new TextEncoder().encode("meter-7")) } });
    const b = await nodeAnswer(t, a.seq, true, new Uint8Array(0));
    expect(b.reports).toEqual([syscall(3)]);
    expect(b.end).toEqual({ name: "DONE", fields: { syscalls: 1 } });
  });

  it("a failed answer traps at once: FAULT trap with NODE_ANSWER's number", async () => {
    const t = await withApp();
    const c = await call(t, FN.Total, le(1, 4));
    const started = Date.now();
    const a = await nodeAnswer(t, c.seq, false, new Uint8Array(0));
    expect(a.reports).toEqual([]);
    expect(a.end).toEqual({ name: "FAULT", fields: { syscalls: 1, kind: 5, address: 0 } });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS / 2);
  });

  it("while it waits, refuses other requests (busy), flagged headers (unsupported), answers for another call (sequence) and of the wrong width (malformed), then takes the right one", async () => {
    const t = await withApp();
    const c = await call(t, FN.Total, le(2, 4));
    expect((await t.request("HELLO", {})).end).toEqual({ name: "ERROR", fields: { code: 13, detail: 0, offset: 0 } });
    expect((await t.request("CALL", { function: FN.Total, fuel: FUEL, args: le(9, 4) })).end).toEqual({ name: "ERROR", fields: { code: 13, detail: 0, offset: 0 } });
    expect((await t.request("HELLO", {}, { flags: FrameFlag.More })).end).toEqual({ name: "ERROR", fields: { code: 3, detail: 0, offset: 0 } });
    expect((await nodeAnswer(t, (c.seq + 100) & 0xff, true, le(1, 4))).end).toEqual({ name: "ERROR", fields: { code: 7, detail: 0, offset: c.seq } });
    expect((await nodeAnswer(t, c.seq, true, le(1, 2))).end).toEqual({ name: "ERROR", fields: { code: 1, detail: 0, offset: 0 } });
    const a = await nodeAnswer(t, c.seq, true, le(10, 4));
    expect(a.reports).toEqual([syscall(10)]);
    expect(a.end).toEqual({ name: "RESULT", fields: { syscalls: 2, value: le(12, 4) } });
  });

  it("without an answer traps after the timeout (FAULT with the call's number), refuses the late answer, and keeps answering", async () => {
    const t = await withApp();
    const started = Date.now();
    const c = await call(t, FN.Total, le(7, 4));
    expect(c.end.name).toBe("NODE_CALL");
    const fault = await t.answer(c.seq);
    const waited = Date.now() - started;
    expect(fault.end).toEqual({ name: "FAULT", fields: { syscalls: 1, kind: 5, address: 0 } });
    expect(waited).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(waited).toBeLessThan(TIMEOUT_MS * 3);
    // The late answer: nothing waits for it.
    expect((await nodeAnswer(t, c.seq, true, le(1, 4))).end).toEqual({ name: "ERROR", fields: { code: 7, detail: 0, offset: 0 } });
    expect((await t.request("HELLO", {})).end.name).toBe("HELLO_REPLY");
    const again = await call(t, FN.Total, le(8, 4));
    expect((await nodeAnswer(t, again.seq, true, le(2, 4))).end).toEqual({ name: "RESULT", fields: { syscalls: 2, value: le(10, 4) } });
  }, 20_000);
});
