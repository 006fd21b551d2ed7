// The conformance corpus (README.md here): every backend of BACKENDS must print
// exactly the expected trace of each case it can run, and exit 0. Baselines
// change only through `npm run conformance:update`. This file runs the host
// backends and checks the corpus itself; conformance-avr and conformance-msp430
// run the emulated boards (suite.ts).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Feature } from "../../compiler/ir/image.js";
import { BACKENDS, compileCase, DIRECTIVES, expectedTrace, loadCorpus, NEEDS, ROOT, runCaseInProcess, SMALL_DEVICE } from "./corpus.js";
import { BACKEND_GROUPS, conformanceSuite } from "./suite.js";

const corpus = loadCorpus();

conformanceSuite("host");

describe("the corpus itself", () => {
  it("runs every backend in exactly one group of conformance*.test.ts", () => {
    const grouped = Object.values(BACKEND_GROUPS).flat();
    expect([...grouped].sort()).toEqual(BACKENDS.map((b) => b.name).sort());
  });

  it("has 25 to 40 cases, each with steps and a short, non-empty trace", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(corpus.length).toBeLessThanOrEqual(40);
    for (const c of corpus) {
      const trace = expectedTrace(c);
      expect(trace, c.name).toMatch(/\n$/);
      const lines = trace.split("\n").length - 1;
      expect(lines, `${c.name}: trace lines`).toBeGreaterThan(0);
      expect(lines, `${c.name}: trace lines`).toBeLessThanOrEqual(45);
    }
  });

  it("uses every directive and every need, and both profiles", () => {
    for (const need of NEEDS) expect(corpus.some((c) => c.needs.includes(need as never)), `needs: ${need}`).toBe(true);
    expect(DIRECTIVES).toEqual(["profile", "needs", "fuel"]);
    expect(corpus.some((c) => c.fuel !== undefined), "fuel").toBe(true);
    expect(new Set(corpus.map((c) => c.profile))).toEqual(new Set(["test", "smartlock"]));
    // Each trace kind and each fault kind that every device reproduces.
    const all = corpus.map(expectedTrace).join("");
    for (const line of ["syscall ", "return ", "error call: ", "error event: ", "error fuel: ", "error memory: ", "error stack: "])
      expect(all, line).toContain(`\n${line}`);
  });

  it("holds the paper's lock app and the improved lock, unchanged from examples/smartlock", () => {
    const body = (text: string) => text.replace(/^(\/\/[^\n]*\n|\s*\n)*/, "");
    for (const [name, example] of [
      ["smartlock_paper", "lock.alkyl"],
      ["smartlock_improved", "lock_improved.alkyl"],
    ] as const) {
      const c = corpus.find((k) => k.name === name);
      expect(c, name).toBeDefined();
      expect(c!.profile).toBe("smartlock");
      const original = readFileSync(join(ROOT, "examples", "smartlock", example), "utf8");
      expect(body(c!.text), `${name} is a copy of ${example}`).toBe(body(original));
    }
  });

  // A `needs` directive says exactly what the image requires, so a device
  // without 64/256-bit support is given every case it can run and no other.
  it.each(corpus.map((c) => [c.name, c] as const))("%s: needs w64/w256 match the image's features", (_name, c) => {
    const image = compileCase(c);
    expect(c.needs.includes("w64"), "needs w64").toBe((image.features & Feature.Width64) !== 0);
    expect(c.needs.includes("w256"), "needs w256").toBe((image.features & Feature.Width256) !== 0);
  });

  // The cases the smallest device runs (no `needs`) fit it: its app memory,
  // and its VM call stack (the trace is the same with a 48-byte stack, the
  // MSP430 build's, vm-c/config/lpmsp430g2553.h).
  it.each(corpus.filter((c) => !c.needs.includes("w64") && !c.needs.includes("w256")).map((c) => [c.name, c] as const))("%s: fits the smallest device unless it needs big", async (_name, c) => {
    const image = compileCase(c);
    if (c.needs.includes("big")) {
      // It must really need more, or the directive hides it from small devices for nothing.
      const small = image.memorySize <= SMALL_DEVICE.memory && (await runCaseInProcess(c, { stackSize: SMALL_DEVICE.stack })) === expectedTrace(c);
      expect(small, "a `needs: big` case that fits the smallest device").toBe(false);
      return;
    }
    expect(image.memorySize, ".memory").toBeLessThanOrEqual(SMALL_DEVICE.memory);
    expect(await runCaseInProcess(c, { stackSize: SMALL_DEVICE.stack })).toBe(expectedTrace(c));
  });
});
