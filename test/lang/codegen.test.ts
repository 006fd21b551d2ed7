// The shape of the generated code: what the AOT back end and the benchmarks
// rely on (no redundant mode switches, locals for parameters, no temporaries
// where none are needed), checked on whole programs.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeCode, type DecodedInstruction } from "../../compiler/ir/asm-decode.js";
import type { IrFunction } from "../../compiler/ir/image.js";
import { compile } from "./helpers.js";

function instructions(fn: IrFunction): DecodedInstruction[] {
  return decodeCode(fn.code).filter((u): u is DecodedInstruction => u.kind === "instruction");
}

function names(fn: IrFunction): string[] {
  return instructions(fn).map((i) => i.info.name);
}

/** MODEn instructions that set the mode already in force (mode 8 at entry and after JUMPDEST). */
function redundantModes(fn: IrFunction): number {
  let mode = "MODE8";
  let redundant = 0;
  for (const i of instructions(fn)) {
    const n = i.info.name;
    if (n === "JUMPDEST") mode = "MODE8";
    else if (n.startsWith("MODE")) {
      if (n === mode) redundant++;
      mode = n;
    }
  }
  return redundant;
}

const lock = readFileSync(join(import.meta.dirname, "..", "..", "examples", "smartlock", "lock.alkyl"), "utf8");

describe("generated code", () => {
  const programs = {
    lock: [lock, "smartlock"],
    arithmetic: ["public uint32_t f(uint8_t a, uint32_t b, uint16_t c) { return (a + b) * c - (b >> a); }", "test"],
    loops: ["public uint16_t f(uint16_t n) { uint16_t s = 0; for (uint16_t i = 0; i < n; i++) { if (i % 3 == 0) continue; s += i; } return s; }", "test"],
  } as const;

  it.each(Object.keys(programs))("%s never switches to the mode already in force", (name) => {
    const [src, profile] = programs[name as keyof typeof programs];
    for (const fn of compile(src, profile).image.functions) expect(redundantModes(fn), fn.name).toBe(0);
  });

  it("reads and writes parameters and locals with LGET/LSET, with no temporaries for plain expressions", () => {
    const fn = compile("public uint16_t f(uint16_t a, uint16_t b) { uint16_t c = a * b; return c - a; }").image.functions[0]!;
    expect(fn.locals).toHaveLength(3);
    expect(names(fn)).toEqual(["MODE16", "LGET", "LGET", "MUL", "LSET", "LGET", "LGET", "SUB", "RETF"]);
  });

  it("computes `a - b` without a swap when the operands are pure", () => {
    const fn = compile("public uint8_t f(uint8_t a, uint8_t b) { return a - b; }").image.functions[0]!;
    expect(names(fn)).toEqual(["LGET", "LGET", "SUB", "RETF"]);
    expect(instructions(fn).map((i) => i.immediate[0])).toEqual([1, 0, undefined, undefined]);
  });

  it("branches on a comparison without materialising a boolean", () => {
    const fn = compile("public uint8_t f(uint8_t a) { if (a != 3) return 1; return 2; }").image.functions[0]!;
    expect(names(fn).slice(0, 4)).toEqual(["LGET", "PUSH1", "EQ", "RJUMPI"]);
  });

  it("tests loops at the bottom: one conditional jump per iteration", () => {
    const fn = compile("public uint8_t f(uint8_t n) { uint8_t i = 0; while (i < n) i++; return i; }").image.functions[0]!;
    const ops = names(fn);
    expect(ops.filter((o) => o === "RJUMPI")).toHaveLength(2);
    expect(ops.filter((o) => o === "RJUMP")).toHaveLength(0);
  });

  it("shares one JUMPDEST between labels that fall at the same place", () => {
    const fn = compile(lock, "smartlock").image.functions.find((f) => f.name === "KeyPressed")!;
    const ops = names(fn);
    for (let i = 1; i < ops.length; i++) expect(ops[i - 1] === "JUMPDEST" && ops[i] === "JUMPDEST").toBe(false);
  });

  it("reuses a block's local slot in a later block", () => {
    const fn = compile("public uint8_t f() { uint8_t r = 0; { uint8_t a = 1; r += a; } { uint8_t b = 2; r += b; } return r; }").image.functions[0]!;
    expect(fn.locals).toHaveLength(2);
  });

  it("declares only the features the code uses", () => {
    expect(compile(lock, "smartlock").image.features).toBe(0);
    expect(compile("public uint64_t f(uint64_t x) { return x; }").image.features).toBe(0x01);
    expect(compile("public void f() { uint256_t x = 1; }").image.features).toBe(0x02);
  });

  it("keeps the paper's KeyPressed handler small", () => {
    const fn = compile(lock, "smartlock").image.functions.find((f) => f.name === "KeyPressed")!;
    expect(fn.code.length).toBeLessThanOrEqual(110);
    expect(fn.maxStack).toBeLessThanOrEqual(4);
  });
});
