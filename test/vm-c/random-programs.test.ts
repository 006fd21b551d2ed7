// Random well-typed programs (test/helpers/random-alkyl.ts) give the same
// trace on the reference VM and on the C VM behind the link protocol: the
// host build with every width, and the emulated boards with the widths they
// are built with; the ahead-of-time backends (docs/aot.md) likewise.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileApp, traceOn } from "../helpers/backends.js";
import { program, TYPES } from "../helpers/random-alkyl.js";

const NARROW = TYPES.filter((t) => !/64|256/.test(t));

async function sameTrace(backend: string, types: readonly string[], runs: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(program(types), async ({ source, call }) => {
      const app = compileApp(source);
      const steps = [{ kind: "call" as const, text: call }];
      const want = await traceOn("ts", app, steps);
      const got = await traceOn(backend, app, steps);
      expect(got, source).toEqual(want);
    }),
    { numRuns: runs },
  );
}

describe("random programs: C VM = reference VM", () => {
  it("on the host build (c), every width", () => sameTrace("c", TYPES, 80), 120_000);
  it("ahead-of-time compiled on the host (c-aot), every width", () => sameTrace("c-aot", TYPES, 60), 300_000);
  it("on the emulated Uno (avr), widths 8 to 32", () => sameTrace("avr", NARROW, 10), 120_000);
  it("ahead-of-time compiled on the emulated Uno (avr-aot), widths 8 to 32", () => sameTrace("avr-aot", NARROW, 8), 300_000);
  it("on the emulated MSP430 (msp430), widths 8 to 32", () => sameTrace("msp430", NARROW, 6), 120_000);
  it("ahead-of-time compiled on the emulated MSP430 (msp430-aot), widths 8 to 32", () => sameTrace("msp430-aot", NARROW, 4), 300_000);
});
