// Hand-written IR for what compiled Alkyl rarely produces: storage at several
// widths, 256-bit constants, SWAP/DUP/MSTORE8/SEXT/TRUNC at 256 bits, a node
// call (which the link device cannot answer: a trap), and faults at the exact
// bounds. The AOT code gives the reference VM's trace.

import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/ir/asm.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import type { App } from "../../compiler/run/backends.js";
import type { Step } from "../../compiler/run/steps.js";
import { traceOn } from "../helpers/backends.js";

const PROGRAM = `
.profile test
.memory 8
.storage 40
.import syscall Out8(uint8)
.import syscall Out16(uint16)
.import syscall Out64(uint64)
.import syscall Out256(uint256)
.import nodecall Ask(uint8) -> uint8

.func public Wide()
    MODE256
    PUSH32 0x8000000000000000000000000000000000000000000000000000000000000001
    DUP1
    SYSCALL Out256
    PUSH1 0x05
    SWAP1
    MODE16
    PUSH1 0x08
    MODE256
    SSTORE
    MODE16
    PUSH1 0x08
    MODE256
    SLOAD
    SYSCALL Out256
    MODE16
    PUSH1 0x00
    MODE256
    MSTORE8
    MODE16
    PUSH1 0x00
    MODE8
    MLOAD
    SYSCALL Out8
    PUSH1 0xfe
    SEXT 256
    SYSCALL Out256
    MODE256
    PUSH2 0x1234
    TRUNC 8
    SYSCALL Out8
    PUSH1 0x7f
    PUSH1 0x03
    SIGNEXTEND
    PUSH2 0xff80
    PUSH1 0x00
    SIGNEXTEND
    SDIV
    TRUNC 64
    SYSCALL Out64
    MODE16
    PUSH1 0x09
    MODE256
    SLOAD
    POP
    STOP

.func public Small(uint8)
    LGET 0
    MODE16
    PUSH1 0x00
    MODE8
    SSTORE
    MODE16
    PUSH1 0x00
    MODE8
    SLOAD
    SYSCALL Out8
    MODE16
    PUSH2 0x1234
    PUSH1 0x02
    SSTORE
    PUSH1 0x01
    SLOAD
    SYSCALL Out16
    MODE8
    PUSH1 0x07
    NCALL Ask
    SYSCALL Out8
    STOP

.func public Edge()
    MODE16
    PUSH1 0x00
    MODE64
    MLOAD
    SYSCALL Out64
    MODE16
    PUSH1 0x01
    MODE64
    MLOAD
    POP
    STOP
`;

const STEPS: Step[] = ["Wide()", "Small(200)", "Edge()", "Wide()"].map((text) => ({ kind: "call" as const, text }));

describe("hand-written IR on c-aot", () => {
  it("gives the reference VM's trace for storage, 256-bit stack operations, node calls and bounds faults", async () => {
    const asm = assemble(PROGRAM);
    if (!asm.ok) throw new Error(asm.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join("\n"));
    const app: App = { image: asm.image, bytes: asm.bytes, profile: profileByName("test")! };
    const want = await traceOn("ts", app, STEPS);
    expect(want).toContain("error storage: address 9 out of bounds");
    expect(want).toContain("error memory: address 1 out of bounds");
    expect(await traceOn("c-aot", app, STEPS)).toEqual(want);
    expect(await traceOn("c", app, STEPS)).toEqual(want);
  }, 120_000);
});
