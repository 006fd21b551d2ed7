// The node-call timeout on the emulated boards (docs/link.md §4.4): a call
// without an answer traps after ALKY_NCALL_TIMEOUT_TICKS ticks of device time
// (1 ms of Timer0 asleep on the Uno, which simavr paces to the wall clock; one
// mailbox poll on the MSP430 under mspdebug), the late answer is refused, and the device keeps
// answering. And LinkClient's side of a late answer, on the host device.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildHostDevice, buildMsp430Device, buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { MspdebugProcess } from "../../compiler/engines/mspdebug.js";
import { PipeProcess } from "../../compiler/engines/pipe.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import type { ByteTransport } from "../../compiler/engines/transport.js";
import { assemble } from "../../compiler/ir/asm.js";
import { LinkClient } from "../../compiler/link/client.js";
import { encodePayload, messageSpec, type Message } from "../../compiler/link/messages.js";
import { le, LinkTester } from "../vm-c/link-wire.js";

const APP = (() => {
  const r = assemble(readFileSync(join(import.meta.dirname, "..", "fixtures", "asm", "node_calls.asm"), "utf8"));
  if (!r.ok) throw new Error("node_calls.asm does not assemble");
  return r;
})();
const TOTAL = 0; // public Total(uint32) -> uint32: Out32(x); p = Price(x); Out32(p); return p + x
const TRAP: Message = { name: "FAULT", fields: { syscalls: 1, kind: 5, address: 0 } };

async function call(t: LinkTester, x: number): Promise<number> {
  const seq = await t.sendFrame(messageSpec("CALL").id, encodePayload("CALL", { function: TOTAL, fuel: 10_000, args: le(x, 4) }));
  expect((await t.answer(seq)).end).toEqual({ name: "NODE_CALL", fields: { import: 1, args: le(x, 4) } });
  return seq;
}

async function nodeAnswer(t: LinkTester, callSeq: number, ok: boolean, value: Uint8Array): Promise<Message> {
  const seq = await t.sendFrame(messageSpec("NODE_ANSWER").id, encodePayload("NODE_ANSWER", { call: callSeq, ok: ok ? 1 : 0, value }));
  return (await t.answer(seq)).end;
}

/** minWaitMs: the wall time the timeout takes at least (simavr paces a sleeping Uno to the wall clock; mspdebug does not). */
const BOARDS: { name: string; maxPayload: number; minWaitMs: number; start: () => Promise<ByteTransport> }[] = [
  { name: "uno (simavr)", maxPayload: 64, minWaitMs: 1900, start: () => SimavrProcess.start(buildUnoDevice().elf) },
  { name: "lpmsp430g2553 (mspdebug)", maxPayload: 40, minWaitMs: 0, start: () => MspdebugProcess.start(buildMsp430Device().elf) },
];

describe.each(BOARDS)("node calls on $name", ({ maxPayload, minWaitMs, start }) => {
  it("no answer: FAULT trap with the call's sequence number; the late answer is refused; the device keeps answering; a failed answer traps", async () => {
    const wire = await start();
    try {
      const t = new LinkTester(wire, 120_000);
      expect((await t.load(APP.bytes, maxPayload)).end.name).toBe("ACK");
      const first = await call(t, 7);
      const started = Date.now();
      expect((await t.answer(first)).end).toEqual(TRAP);
      expect(Date.now() - started).toBeGreaterThanOrEqual(minWaitMs);
      expect(await nodeAnswer(t, first, true, le(1, 4))).toEqual({ name: "ERROR", fields: { code: 7, detail: 0, offset: 0 } });
      expect((await t.request("HELLO", {})).end.name).toBe("HELLO_REPLY");
      const second = await call(t, 8);
      expect(await nodeAnswer(t, second, true, le(2, 4))).toEqual({ name: "RESULT", fields: { syscalls: 2, value: le(10, 4) } });
      const third = await call(t, 9);
      expect(await nodeAnswer(t, third, false, new Uint8Array(0))).toEqual(TRAP);
    } finally {
      await wire.close();
    }
  }, 240_000);
});

describe("LinkClient and node calls (host device)", () => {
  it("an answer that comes after the device gave up: the invocation's FAULT, the call recorded as failed; the next call is answered", async () => {
    const transport = PipeProcess.start(buildHostDevice());
    try {
      let delayMs = 3000; // past the host device's 2 s timeout
      const client = new LinkClient(transport, {
        onNodeCall: async (c) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return (c.args[0] as number) * 2;
        },
      });
      await client.hello();
      await client.load(APP.bytes);
      const late = await client.invoke("CALL", TOTAL, 10_000, le(5, 4));
      expect(late.terminal).toEqual(TRAP);
      expect(late.nodeCalls).toEqual([{ importIndex: 1, name: "Price", args: [5], answer: undefined }]);
      delayMs = 0;
      const prompt = await client.invoke("CALL", TOTAL, 10_000, le(5, 4));
      expect(prompt.reports.map((r) => r.name)).toEqual(["SYSCALL", "NODE_CALL", "SYSCALL"]);
      expect(prompt.nodeCalls).toEqual([{ importIndex: 1, name: "Price", args: [5], answer: 10 }]);
      const end = prompt.terminal as Extract<Message, { name: "RESULT" }>;
      expect([end.name, end.fields.syscalls, [...end.fields.value]]).toEqual(["RESULT", 2, [15, 0, 0, 0]]);
    } finally {
      await transport.close();
    }
  }, 30_000);

  it("without onNodeCall every node call fails at once", async () => {
    const transport = PipeProcess.start(buildHostDevice());
    try {
      const client = new LinkClient(transport);
      await client.hello();
      await client.load(APP.bytes);
      const started = Date.now();
      const a = await client.invoke("CALL", TOTAL, 10_000, le(5, 4));
      expect(a.terminal).toEqual(TRAP);
      expect(a.nodeCalls).toEqual([{ importIndex: 1, name: "Price", args: [5], answer: undefined }]);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await transport.close();
    }
  }, 30_000);
});
