// `alkyvm run --faults`: the link through the fault-injection proxy
// (docs/link.md §4.6) from the command line, and its usage errors.

import { beforeAll, describe, expect, it } from "vitest";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";

const APP = "test/conformance/node_calls.alkyl";
const STEPS = ["--answer", "Price = 40", "--call", "Buy(3)", "--call", "Calls()", "--call", "Buy(1)", "--call", "Calls()"];

beforeAll(() => ensureBuilt(), 180_000);

describe("alkyvm run --faults", () => {
  it("gives the trace of the plain link when frames are delayed, and prints the seed and the counts", () => {
    const plain = alkyvm(["run", APP, "--backend", "c", ...STEPS]);
    expect(plain.status).toBe(0);
    const r = alkyvm(["run", APP, "--backend", "c", "--faults", "delay=0.5,delay-ms=20", "--seed", "5", ...STEPS]);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toBe("alkyvm: link faults delay=0.5,delay-ms=20, seed 5");
    expect(lines[1]).toMatch(/^alkyvm: link faults: to device \d+ frames, flip 0, truncate 0, drop 0, duplicate 0, reorder 0, delay [1-9]\d*; to node \d+ frames, .*requests sent again \d+$/);
  });

  it.each([
    [["--backend", "c", "--faults", "flip=2"], "alkyvm: --faults: rate 2 of flip is not between 0 and 1"],
    [["--backend", "c", "--faults", "melt=0.1"], 'alkyvm: --faults: unknown fault "melt" (known: flip, truncate, drop, duplicate, reorder, delay, all, delay-ms)'],
    [["--backend", "c", "--faults", "drop=0.1", "--seed", "-1"], "alkyvm: --seed needs an integer 0..4294967295, got '-1'"],
    [["--backend", "c", "--seed", "3"], "alkyvm: --seed goes with --faults"],
    [["--faults", "drop=0.1"], "alkyvm: --faults needs a link backend (c, avr, msp430, serial:, tcp:), not 'ts'"],
  ])("refuses %j in one line with exit 2", (args, message) => {
    const r = alkyvm(["run", APP, ...args, "--call", "Calls()"]);
    expect(r.stderr).toBe(`${message} (see alkyvm --help)\n`);
    expect(r.stdout).toBe("");
    expect(r.status).toBe(2);
  });
});
