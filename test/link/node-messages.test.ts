// The node-call messages in the one protocol table (compiler/link/messages.ts),
// their byte layout, the C header rendered from it, and the `answer` step.

import { describe, expect, it } from "vitest";
import { renderLinkHeader } from "../../compiler/link/c-header.js";
import { decodePayload, encodePayload, ERROR_CODES, fieldOffsets, fixedPayloadBytes, messageSpec } from "../../compiler/link/messages.js";
import { parseAnswer, parseStepsFile } from "../../compiler/run/steps.js";

describe("NODE_CALL and NODE_ANSWER", () => {
  it("NODE_CALL (device, not terminal) is the import byte and the argument stream", () => {
    const spec = messageSpec("NODE_CALL");
    expect([spec.id, spec.from, spec.terminal, fixedPayloadBytes(spec)]).toEqual([0x4d, "device", false, 1]);
    const bytes = encodePayload("NODE_CALL", { import: 3, args: Uint8Array.of(7, 0, 0x6d) });
    expect([...bytes]).toEqual([3, 7, 0, 0x6d]);
    expect(decodePayload(0x4d, bytes)).toEqual({ ok: true, message: { name: "NODE_CALL", fields: { import: 3, args: Uint8Array.of(7, 0, 0x6d) } } });
  });

  it("NODE_ANSWER (host) is the call's sequence number, ok, and the value little-endian", () => {
    const spec = messageSpec("NODE_ANSWER");
    expect([spec.id, spec.from, spec.terminal, fixedPayloadBytes(spec), fieldOffsets(spec)]).toEqual([0x23, "host", false, 2, [0, 1, 2]]);
    expect([...encodePayload("NODE_ANSWER", { call: 200, ok: 1, value: Uint8Array.of(0x28, 0, 0, 0) })]).toEqual([200, 1, 0x28, 0, 0, 0]);
    expect([...encodePayload("NODE_ANSWER", { call: 9, ok: 0, value: new Uint8Array(0) })]).toEqual([9, 0]);
    expect(decodePayload(0x23, Uint8Array.of(9))).toEqual({ ok: false, reason: "NODE_ANSWER payload of 1 bytes, expected at least 2" });
  });

  it("ERROR busy is code 13, and the C header carries both messages and the code", () => {
    expect(ERROR_CODES.find((c) => c.name === "busy")?.code).toBe(13);
    const header = renderLinkHeader();
    for (const line of [
      "#define ALKY_MSG_NODE_ANSWER 0x23",
      "#define ALKY_MSG_NODE_ANSWER_SIZE 2",
      "#define ALKY_MSG_NODE_ANSWER_CALL 0",
      "#define ALKY_MSG_NODE_ANSWER_OK 1",
      "#define ALKY_MSG_NODE_ANSWER_VALUE 2",
      "#define ALKY_MSG_NODE_CALL 0x4D",
      "#define ALKY_MSG_NODE_CALL_ARGS 1",
      "#define ALKY_ERR_BUSY 13",
    ])
      expect(header).toContain(line);
  });
});

describe("the answer step", () => {
  it("reads a value, a void acknowledgement and a failure", () => {
    expect(parseAnswer("Price = 40")).toEqual({ kind: "answer", name: "Price", value: "40", fails: false });
    expect(parseAnswer("Name='x'")).toEqual({ kind: "answer", name: "Name", value: "'x'", fails: false });
    expect(parseAnswer("Report")).toEqual({ kind: "answer", name: "Report", value: undefined, fails: false });
    expect(parseAnswer("Price fails")).toEqual({ kind: "answer", name: "Price", value: undefined, fails: true });
    expect(parseAnswer("Price =")).toBeUndefined();
    expect(parseAnswer("Price 40")).toBeUndefined();
    expect(parseAnswer("9lives = 1")).toBeUndefined();
  });

  it("a malformed answer line is an error naming the file and line", () => {
    expect(parseStepsFile("call A()\nanswer Price 40\n", "x.steps")).toEqual({
      ok: false,
      message: "x.steps:2: expected 'answer Name = value', 'answer Name' or 'answer Name fails', got 'answer Price 40'",
    });
    expect(parseStepsFile("answer Price = 1\n", "x.steps")).toEqual({ ok: true, steps: [{ kind: "answer", name: "Price", value: "1", fails: false }] });
  });
});
