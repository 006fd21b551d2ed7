// Property: for any image the container accepts, whatever its code,
// assemble(disassemble(image)) gives back the identical bytes, and the
// disassembler's text is a fixed point of assemble-then-disassemble.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/ir/asm.js";
import { disassemble } from "../../compiler/ir/disasm.js";
import { decodeImage, encodeImage, FunctionKind, ImportKind, stringParamIndexes, type Image, type IrFunction, type IrImport } from "../../compiler/ir/image.js";
import { immediateSize, OPCODES } from "../../compiler/ir/opcodes.js";
import { ValueKind, type ValueType, type WidthCode } from "../../compiler/ir/types.js";

const MEMORY_SIZE = 512;
const RUNS = 150;

const allTypes: ValueType[] = [
  ...[0, 1, 2, 3, 4].flatMap((w) => [
    { kind: ValueKind.Uint, width: w as WidthCode },
    { kind: ValueKind.Int, width: w as WidthCode },
  ]),
  { kind: ValueKind.Bool, width: 0 },
  { kind: ValueKind.Char, width: 0 },
  { kind: ValueKind.String, width: 1 },
];
const typeArb = fc.constantFrom(...allTypes);
const resultArb = fc.option(typeArb, { nil: undefined });
// A small pool, so that duplicate names (printed as name@index) come up often.
const nameArb = fc.oneof(fc.constantFrom("f", "Out8", "_x", "KeyPressed", "a1"), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/));

/** Instruction-shaped code with short jumps (so labels appear), mixed with raw noise. */
const instructionCodeArb = fc
  .array(
    fc.record({
      op: fc.constantFrom(...OPCODES),
      immediate: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      index: fc.integer({ min: 0, max: 6 }),
      width: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 5, max: 255 })),
      rel: fc.integer({ min: -14, max: 14 }),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((ins) => {
    const out: number[] = [];
    for (const { op, immediate, index, width, rel } of ins) {
      out.push(op.byte);
      if (op.immediate === "rel16") out.push((rel >> 8) & 0xff, rel & 0xff);
      else if (op.immediate === "width") out.push(width);
      else if (op.immediate === "func" || op.immediate === "import") out.push(index);
      else out.push(...immediate.subarray(0, immediateSize(op)));
    }
    return Uint8Array.from(out);
  });
const codeArb = fc.oneof(instructionCodeArb, fc.uint8Array({ minLength: 1, maxLength: 40 }));

const importArb: fc.Arbitrary<IrImport> = fc
  .record({
    kind: fc.constantFrom(ImportKind.Syscall, ImportKind.NodeCall),
    id: fc.integer({ min: 0, max: 255 }),
    name: nameArb,
    params: fc.array(typeArb, { maxLength: 5 }),
    result: resultArb,
  })
  .map((imp) => ({ ...imp, id: imp.kind === ImportKind.NodeCall ? 0 : imp.id }));

const functionArb: fc.Arbitrary<IrFunction> = fc
  .record({
    kind: fc.constantFrom(FunctionKind.Helper, FunctionKind.Public, FunctionKind.Event),
    eventId: fc.integer({ min: 0, max: 255 }),
    name: nameArb,
    locals: fc.array(typeArb, { maxLength: 8 }),
    paramFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    result: resultArb,
    maxStack: fc.integer({ min: 0, max: 0xffff }),
    buffers: fc.array(fc.record({ address: fc.integer({ min: 0, max: MEMORY_SIZE - 255 }), capacity: fc.integer({ min: 1, max: 255 }) }), {
      minLength: 8,
      maxLength: 8,
    }),
    code: codeArb,
  })
  .map(({ paramFraction, buffers, ...f }) => {
    const shape = { ...f, paramCount: Math.floor(paramFraction * f.locals.length) };
    return {
      ...shape,
      eventId: f.kind === FunctionKind.Event ? f.eventId : 0,
      stringBuffers: buffers.slice(0, stringParamIndexes(shape).length),
    };
  });

const imageArb: fc.Arbitrary<Image> = fc.record({
  version: fc.constant(1),
  features: fc.integer({ min: 0, max: 15 }),
  profileId: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 0xffff })),
  memorySize: fc.constant(MEMORY_SIZE),
  storageSize: fc.integer({ min: 0, max: 0xffff }),
  functions: fc.array(functionArb, { maxLength: 5 }),
  imports: fc.array(importArb, { maxLength: 5 }),
  data: fc.uint8Array({ maxLength: 40 }),
});

describe("round trip over random images", () => {
  it("the generator only makes images the container accepts", () => {
    fc.assert(
      fc.property(imageArb, (image) => decodeImage(encodeImage(image)).ok),
      { numRuns: RUNS },
    );
  });

  it("assemble(disassemble(image)) encodes to the identical bytes", () => {
    fc.assert(
      fc.property(imageArb, (image) => {
        const r = assemble(disassemble(image));
        if (!r.ok) throw new Error(JSON.stringify(r.errors));
        expect(r.bytes).toEqual(encodeImage(image));
      }),
      { numRuns: RUNS },
    );
  });

  it("the disassembler's text is a fixed point", () => {
    fc.assert(
      fc.property(imageArb, (image) => {
        const text = disassemble(image);
        const r = assemble(text);
        expect(r.ok && disassemble(r.image)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("assembler robustness", () => {
  const vocabulary = [
    ".func", ".import", ".data", ".locals", ".buffer", ".maxstack", ".byte", ".profile", ".memory", ".features", "helper", "public", "event",
    "syscall", "nodecall", "f", "g@1", "L0", "L0:", "(", ")", ",", "->", "uint8", "string", "void", "PUSH", "PUSH1", "PUSH32", "RJUMP",
    "CALLF", "SYSCALL", "ZEXT", "LGET", "JUMPDEST", "STOP", "RETF", "0", "1", "+3", "-70000", "0xff", "256", "\"s\\x41\"", "\"", ";", "\n",
  ];

  it("never throws, and whatever it accepts decodes", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...vocabulary), { maxLength: 60 }), (tokens) => {
        const r = assemble(tokens.join(" "));
        return !r.ok || decodeImage(r.bytes).ok;
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it("never throws on disassembler output with lines dropped or repeated", () => {
    fc.assert(
      fc.property(imageArb, fc.array(fc.nat(), { maxLength: 4 }), (image, picks) => {
        const lines = disassemble(image).split("\n");
        for (const p of picks) {
          const i = p % lines.length;
          if (p % 2 === 0) lines.splice(i, 1);
          else lines.splice(i, 0, lines[i]!);
        }
        const r = assemble(lines.join("\n"));
        return !r.ok || decodeImage(r.bytes).ok;
      }),
      { numRuns: RUNS },
    );
  });
});
