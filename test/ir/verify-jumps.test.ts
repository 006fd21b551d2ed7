// Jump targets are checked without a bitmap of instruction starts (the device
// verifier has no RAM for one): these tests pin the checkpointed walker to the
// plain definition and bound its cost on crafted worst cases.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { immediateSize, OPCODE_BY_BYTE, OPCODES } from "../../compiler/ir/opcodes.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { InstructionStarts } from "../../compiler/ir/verify-code.js";
import { build, codeStart, fn } from "./helpers/image-builder.js";

/** The definition: walk from 0, non-opcodes count as one byte. */
function naiveStarts(code: Uint8Array): Set<number> {
  const starts = new Set<number>();
  for (let p = 0; p < code.length; ) {
    starts.add(p);
    const info = OPCODE_BY_BYTE[code[p]!];
    p += info ? 1 + immediateSize(info) : 1;
  }
  return starts;
}

const codeBytes = fc
  .array(fc.oneof(fc.constantFrom(...OPCODES.map((o) => o.byte)), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 600 })
  .map((a) => Uint8Array.from(a));

describe("InstructionStarts", () => {
  it("agrees with a walk from the function start for targets asked in any order", () => {
    fc.assert(
      fc.property(codeBytes, fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (code, picks) => {
        const expected = naiveStarts(code);
        const starts = new InstructionStarts(code);
        for (const pick of picks) {
          const target = pick % code.length;
          expect(starts.isStart(target), `target ${target}`).toBe(expected.has(target));
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe("verifyImage on crafted 64 KB functions", () => {
  /** Generous for a shared machine: a quadratic re-walk takes seconds on these. */
  const BOUND_MS = 1500;

  it("checks 16,000 backward jumps in bounded time", () => {
    const bytes: number[] = [];
    while (bytes.length + 4 < 65535) bytes.push(0x5b, 0xe0, 0xff, 0xfc); // JUMPDEST; RJUMP -4 (back to it)
    bytes.push(0x5b, 0x00);
    const img = build({ functions: [fn({ code: Uint8Array.from(bytes) })] });
    const t0 = performance.now();
    const r = verifyImage(img);
    expect(performance.now() - t0).toBeLessThan(BOUND_MS);
    expect(r.ok).toBe(true);
  });

  it("checks 8,000 forward jumps of 32 KB in bounded time, and rejects the last, which lands in an immediate", () => {
    const jumps = 8_000;
    const rel = 4 * jumps - 4; // rel16 reaches 32 KB ahead
    const bytes: number[] = [];
    // Jump i (at 4i + 1) lands on 4 * jumps + 4i: JUMPDESTs, except that the
    // last target is the 0x5b immediate of a PUSH1.
    for (let i = 0; i < jumps; i++) bytes.push(0x5b, 0xe0, (rel >> 8) & 0xff, rel & 0xff);
    const lastTarget = 4 * jumps + 4 * (jumps - 1);
    while (bytes.length < lastTarget - 1) bytes.push(0x5b);
    bytes.push(0x60, 0x5b, 0x50, 0x00); // PUSH1 0x5b; POP; STOP
    const img = build({ functions: [fn({ maxStack: 1, code: Uint8Array.from(bytes) })] });
    const t0 = performance.now();
    const r = verifyImage(img);
    expect(performance.now() - t0).toBeLessThan(BOUND_MS);
    expect(!r.ok && { rule: r.error.rule, offset: r.error.offset }).toEqual({ rule: "jump-target", offset: codeStart(img, 0) + 4 * (jumps - 1) + 1 });
  });
});
