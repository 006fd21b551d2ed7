// Fuel in AOT code is charged per segment (docs/aot.md), yet a budget of N
// must run exactly N instructions as in the reference VM (docs/ir.md §3):
// for every budget up to the one that completes, c-aot gives the reference
// VM's trace, syscalls and memory writes made before the fault included.

import { describe, expect, it } from "vitest";
import type { Step } from "../../compiler/run/steps.js";
import { compileApp, traceOn } from "../helpers/backends.js";

// A loop whose segments start with each kind of effect: memory writes and
// loads, a syscall, a helper call, a 64-bit and a 256-bit step; then a call
// that reads back the memory the faulting call left.
const SOURCE = `
uint16_t total;
uint64_t wide;

uint16_t twice(uint16_t x) {
    return x + x;
}

public uint16_t Run(uint8_t n) {
    uint256_t big = 1;
    for (uint8_t i = 0; i < n; i++) {
        total = total + twice(i);
        SystemCall(Out16, total);
        wide = wide * 3 + 1;
        big = big * 7;
    }
    SystemCall(Out8, (uint8_t)big);
    return total;
}

public uint16_t Total() {
    SystemCall(Out64, wide);
    return total;
}
`;

const STEPS: Step[] = [
  { kind: "call", text: "Run(3)" },
  { kind: "call", text: "Total()" },
];

describe("fuel in AOT code", () => {
  it("faults at exactly the reference VM's instruction for every budget around the loop", async () => {
    const app = compileApp(SOURCE);
    // N: the smallest budget with which Run completes on the reference VM.
    let n = 1;
    while ((await traceOn("ts", app, STEPS, n)).some((l) => l.startsWith("error fuel"))) n++;
    expect(n).toBeGreaterThan(50);
    const budgets = [...Array.from({ length: n + 1 }, (_, i) => i + 1)];
    for (const budget of budgets) {
      const want = await traceOn("ts", app, STEPS, budget);
      const got = await traceOn("c-aot", app, STEPS, budget);
      expect(got, `fuel ${budget} (N = ${n})`).toEqual(want);
    }
    // The boundary itself: N - 1 faults inside Run, N completes it.
    expect((await traceOn("c-aot", app, STEPS, n - 1)).some((l) => l.startsWith("error fuel"))).toBe(true);
    expect((await traceOn("c-aot", app, STEPS, n + 1)).some((l) => l.startsWith("error fuel"))).toBe(false);
  }, 300_000);
});
