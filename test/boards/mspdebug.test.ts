// The MSP430G2553 under `mspdebug sim`: the port's crt0, linker script and
// __mspabi_* helpers (vm-c/port/msp430) build a working firmware, and the RAM
// mailbox driven by compiler/engines/mspdebug.ts carries bytes exactly.

import { afterEach, describe, expect, it } from "vitest";
import { MspdebugProcess, type MspdebugOptions } from "../../compiler/engines/mspdebug.js";
import { BoardEmulationError } from "../../compiler/engines/transport.js";
import { linkTestBytes, msp430Fixture, plusOne } from "./firmware.js";

const running: MspdebugProcess[] = [];

async function start(elf: string, options: MspdebugOptions = {}): Promise<MspdebugProcess> {
  const sim = await MspdebugProcess.start(elf, options);
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function failureOf(sim: MspdebugProcess, waitMs: number): Promise<unknown> {
  try {
    await sim.read(waitMs);
    await sim.read(waitMs);
    return undefined;
  } catch (e) {
    return e;
  }
}

// The operations of test/boards/fixtures/msp430_arith.c, computed on the host.
const MASK16 = (1n << 16n) - 1n;
const MASK32 = (1n << 32n) - 1n;
const MASK64 = (1n << 64n) - 1n;
const signed = (v: bigint, bits: number): bigint => BigInt.asIntN(bits, v);
const trunc = (v: bigint, mask: bigint): bigint => v & mask;
const div = (a: bigint, b: bigint): bigint => a / b; // BigInt division truncates toward zero, as C does
const rem = (a: bigint, b: bigint): bigint => a % b; // and the remainder takes the dividend's sign

interface Op {
  name: string;
  bits: 16 | 32 | 64;
  divides?: "unsigned" | "signed";
  shift?: boolean;
  eval: (a: bigint, b: bigint) => bigint;
}

const OPS: Op[] = [
  { name: "mpyi", bits: 16, eval: (a, b) => trunc(a * b, MASK16) },
  { name: "divu", bits: 16, divides: "unsigned", eval: (a, b) => div(a, b) },
  { name: "remu", bits: 16, divides: "unsigned", eval: (a, b) => rem(a, b) },
  { name: "divi", bits: 16, divides: "signed", eval: (a, b) => trunc(div(signed(a, 16), signed(b, 16)), MASK16) },
  { name: "remi", bits: 16, divides: "signed", eval: (a, b) => trunc(rem(signed(a, 16), signed(b, 16)), MASK16) },
  { name: "mpyl", bits: 32, eval: (a, b) => trunc(a * b, MASK32) },
  { name: "divul", bits: 32, divides: "unsigned", eval: (a, b) => div(a, b) },
  { name: "remul", bits: 32, divides: "unsigned", eval: (a, b) => rem(a, b) },
  { name: "divli", bits: 32, divides: "signed", eval: (a, b) => trunc(div(signed(a, 32), signed(b, 32)), MASK32) },
  { name: "remli", bits: 32, divides: "signed", eval: (a, b) => trunc(rem(signed(a, 32), signed(b, 32)), MASK32) },
  { name: "slll", bits: 32, shift: true, eval: (a, b) => trunc(a << (b & 31n), MASK32) },
  { name: "srll", bits: 32, shift: true, eval: (a, b) => a >> (b & 31n) },
  { name: "sral", bits: 32, shift: true, eval: (a, b) => trunc(signed(a, 32) >> (b & 31n), MASK32) },
  { name: "mpyll", bits: 64, eval: (a, b) => trunc(a * b, MASK64) },
  { name: "divull", bits: 64, divides: "unsigned", eval: (a, b) => div(a, b) },
  { name: "remull", bits: 64, divides: "unsigned", eval: (a, b) => rem(a, b) },
  { name: "divlli", bits: 64, divides: "signed", eval: (a, b) => trunc(div(signed(a, 64), signed(b, 64)), MASK64) },
  { name: "remlli", bits: 64, divides: "signed", eval: (a, b) => trunc(rem(signed(a, 64), signed(b, 64)), MASK64) },
  { name: "ashldi3", bits: 64, shift: true, eval: (a, b) => trunc(a << (b & 63n), MASK64) },
  { name: "lshrdi3", bits: 64, shift: true, eval: (a, b) => a >> (b & 63n) },
  { name: "ashrdi3", bits: 64, shift: true, eval: (a, b) => trunc(signed(a, 64) >> (b & 63n), MASK64) },
  { name: "shl16", bits: 16, shift: true, eval: (a, b) => trunc(a << (b & 15n), MASK16) },
  { name: "shr16", bits: 16, shift: true, eval: (a, b) => a >> (b & 15n) },
  { name: "sar16", bits: 16, shift: true, eval: (a, b) => trunc(signed(a, 16) >> (b & 15n), MASK16) },
];

/** Operand pairs: edge values plus pseudo-random ones, without C's undefined cases (x/0, MIN/-1). */
function operands(op: Op, count: number): [bigint, bigint][] {
  const mask = (1n << BigInt(op.bits)) - 1n;
  const min = 1n << BigInt(op.bits - 1);
  const edges = [0n, 1n, 2n, 3n, 7n, min - 1n, min, min + 1n, mask, mask - 1n, 0x5555n & mask, 0xaaaan & mask];
  let state = 0x9e3779b97f4a7c15n ^ BigInt(op.name.length * 977 + op.bits);
  const next = (): bigint => {
    state ^= (state << 13n) & MASK64;
    state ^= state >> 7n;
    state ^= (state << 17n) & MASK64;
    // Vary magnitudes so both short and full-width values are common.
    return state & (mask >> (state % BigInt(op.bits)));
  };
  const pairs: [bigint, bigint][] = [];
  for (const a of edges) for (const b of edges.slice(0, 6)) pairs.push([a, b]);
  while (pairs.length < count) pairs.push([next() & mask, next() & mask]);
  return pairs
    .map(([a, b]): [bigint, bigint] => (op.shift ? [a, b % BigInt(op.bits)] : [a, b]))
    .filter(([a, b]) => !op.divides || (b !== 0n && !(op.divides === "signed" && a === min && b === mask)));
}

function u64le(v: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
}

describe("mspdebug sim board (run scripts/setup.sh if a toolchain is missing)", () => {
  it("echoes 300 bytes (NUL, 0xFF, LF, CR included) back plus one through the RAM mailbox, in order", async () => {
    const sim = await start(msp430Fixture("echo").elf);
    const sent = linkTestBytes(300);
    await sim.write(sent);
    expect(await sim.readExactly(300, 10_000)).toEqual(plusOne(sent));
    expect(await sim.read(50)).toHaveLength(0);
  });

  it("reports the tracer's MCLK cycles and instructions, which grow as the firmware works", async () => {
    const sim = await start(msp430Fixture("echo").elf);
    const before = await sim.cycles();
    await sim.write(linkTestBytes(64));
    await sim.readExactly(64, 5_000);
    const after = await sim.cycles();
    expect(after.instructions).toBeGreaterThan(before.instructions + 64n);
    expect(after.mclk - before.mclk).toBeGreaterThan(after.instructions - before.instructions);
  });

  it("ends a firmware that executes an invalid instruction with a crashed error within a few seconds", async () => {
    const sim = await start(msp430Fixture("crash").elf);
    const t0 = Date.now();
    await sim.write(Uint8Array.of(1));
    const error = await failureOf(sim, 5_000);
    expect(error).toBeInstanceOf(BoardEmulationError);
    expect((error as BoardEmulationError).kind).toBe("crashed");
    expect((error as BoardEmulationError).message).toMatch(/opcode/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("ends a firmware that never returns to the mailbox with a timeout error", async () => {
    const sim = await start(msp430Fixture("hang").elf, { runTimeoutMs: 500 });
    const t0 = Date.now();
    await sim.write(Uint8Array.of(1));
    const error = await failureOf(sim, 5_000);
    expect((error as BoardEmulationError).kind).toBe("timeout");
    expect((error as BoardEmulationError).message).toMatch(/without reaching the mailbox/);
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it("refuses a firmware without the mailbox with a load-failed error", async () => {
    const elf = msp430Fixture("echo").elf.replace(/msp430_echo\.elf$/, "missing.elf");
    await expect(MspdebugProcess.start(elf)).rejects.toMatchObject({ kind: "load-failed" });
  });

  it("erases and programs information flash through the flash helpers", async () => {
    const sim = await start(msp430Fixture("flash", ["mailbox", "flash"], ["ALKY_MSP430_SIM=1"]).elf);
    await sim.write(Uint8Array.of(0x10, 0xf0));
    const first = [0x10, 0x11, 0x12, 0x13, 0xff, 0xff, 0xff, 0xff];
    const second = [0xf0, 0xf1, 0xf2, 0xf3, 0xff, 0xff, 0xff, 0xff];
    expect([...(await sim.readExactly(16, 5_000))]).toEqual([...first, ...second]);
  });

  it("computes every __mspabi_* and 64-bit shift helper exactly as C defines it (clang's calling conventions included)", async () => {
    const sim = await start(msp430Fixture("arith").elf);
    const request: number[] = [];
    const expected: bigint[] = [];
    const labels: string[] = [];
    OPS.forEach((op, code) => {
      for (const [a, b] of operands(op, 90)) {
        request.push(code, ...u64le(a), ...u64le(b));
        expected.push(op.eval(a, b));
        labels.push(`${op.name}(0x${a.toString(16)}, 0x${b.toString(16)})`);
      }
    });
    await sim.write(Uint8Array.from(request));
    const reply = await sim.readExactly(expected.length * 8, 15_000);
    const view = new DataView(reply.buffer);
    const wrong = expected
      .map((want, i) => ({ label: labels[i]!, want, got: view.getBigUint64(i * 8, true) }))
      .filter((r) => r.got !== r.want)
      .map((r) => `${r.label} = 0x${r.got.toString(16)}, expected 0x${r.want.toString(16)}`);
    expect(wrong).toEqual([]);
  });
});
