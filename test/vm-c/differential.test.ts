// The C VM (vm-c/, built for the host with gcc) against the TypeScript
// reference VM: the same images and commands must give the same effect lines,
// byte for byte (syscalls with their arguments, results, faults with their
// addresses, memory and storage contents).

import { describe, expect, it } from "vitest";
import { assembleOrThrow, arithmeticProgram, conversionProgram, memoryProgram, stackProgram, tableValueOpcodes, VALUE_OPCODES, type Program } from "./corpus.js";
import { BUILDS, hostDriver, runC, type Build } from "./c-vm.js";
import { scenarios, UNTERMINATED } from "./scenarios.js";
import { runTs } from "./ts-vm.js";

function expectSameRun(p: Program, build: Build = "full"): void {
  const c = runC(p.image, p.commands, { ...p.options, build });
  const ts = runTs(p.image, p.commands, p.options);
  // Compare line by line first so a failure names the first differing command.
  expect(c.length, `${p.name}: line count`).toBe(ts.length);
  expect(c).toEqual(ts);
}

describe("host build", () => {
  for (const build of Object.keys(BUILDS) as Build[]) {
    it(`builds vm-c (${build}) with gcc -std=c99 -pedantic -Wall -Wextra -Werror (run scripts/setup.sh if gcc is missing)`, () => {
      expect(hostDriver(build)).toMatch(/alky_run-[0-9a-f]{16}$/);
    });
  }
});

describe("features", () => {
  it("a build without 64/256-bit refuses an image that needs 256-bit, naming the reason", () => {
    const image = conversionProgram(1).image;
    expect(runC(image, ["call 0 00"], { build: "narrow" })).toEqual(["refuse features"]);
    expect(runC(image, ["call 0 00"], { build: "full" })).toEqual(["return 0000", "end"]);
  });
});

describe("C VM = reference VM: value opcodes at every width", () => {
  it("the generated programs cover every value opcode of the table", () => {
    expect([...VALUE_OPCODES].sort()).toEqual(tableValueOpcodes().sort());
  });
  for (const bits of [8, 16, 32, 64, 256]) {
    it(`every arithmetic, comparison and bitwise opcode at ${bits} bits, on edge and random operands`, () => {
      expectSameRun(arithmeticProgram(bits, 0x5eed + bits, bits === 256 ? 60 : 40));
    });
  }
  for (const bits of [8, 16, 32]) {
    it(`the native 32-bit path (built without 64/256-bit) gives the same results at ${bits} bits`, () => {
      expectSameRun(arithmeticProgram(bits, 0xface + bits, 40), "narrow");
    });
  }
  it("ZEXT, SEXT and TRUNC between every pair of widths", () => {
    expectSameRun(conversionProgram(77));
  });
  it("PUSH0..PUSH32, DUP1..DUP16 and SWAP1..SWAP16 at every width", () => {
    expectSameRun(stackProgram());
  });
  it("MLOAD, MSTORE, MSTORE8, SLOAD, SSTORE and LSET at every width, around the bounds", () => {
    expectSameRun(memoryProgram(5));
  });
});

describe("C VM = reference VM: runtime behaviour", () => {
  for (const p of scenarios()) {
    it(p.name, () => expectSameRun(p));
  }
  it("the computed-goto dispatch runs the calls scenario like the switch", () => {
    expectSameRun(scenarios().find((p) => p.name === "calls")!, "jumptable");
  });
  it("the build without the verifier runs verified images the same way", () => {
    for (const p of scenarios()) expectSameRun(p, "trusting");
  });
  it("a string argument not terminated inside memory faults at the memory size", () => {
    const image = assembleOrThrow("unterminated", UNTERMINATED);
    const commands = ["call 0 0000", "call 0 0500", "call 0 0600"];
    expect(runC(image, commands)).toEqual(["fault memory 6", "end", "fault memory 6", "end", "fault memory 6", "end"]);
    expect(runTs(image, commands)).toEqual(runC(image, commands));
  });
});
