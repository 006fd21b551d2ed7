import { describe, expect, it } from "vitest";
import { encodeImage, Feature, FunctionKind } from "../../compiler/ir/image.js";
import { analyzeFunction, analyzeImage, formatVerifyError, verifyImage, type VerifyOptions } from "../../compiler/ir/verify.js";
import { profileByName, type Profile } from "../../compiler/profiles/profiles.js";
import {
  asm,
  build,
  code,
  codeStart,
  fn,
  functionEntry,
  image,
  importEntry,
  label,
  nodecall,
  patched,
  raw,
  syscall,
  to,
  typesStart,
  type ImageSpec,
  type Item,
} from "./helpers/image-builder.js";
import { SAMPLE_IMAGES } from "./helpers/sample-images.js";
import { tableOrderCases } from "./helpers/table-order-images.js";
import { profileById } from "../../compiler/profiles/profiles.js";

const testProfile: Profile = profileByName("test")!;
const lockProfile: Profile = profileByName("smartlock")!;

function rejection(bytes: Uint8Array, options?: VerifyOptions) {
  const r = verifyImage(bytes, options);
  if (r.ok) throw new Error("expected the image to be rejected");
  return r.error;
}

function expectRejected(bytes: Uint8Array, rule: string, offset: number, options?: VerifyOptions): void {
  const e = rejection(bytes, options);
  expect({ rule: e.rule, offset: e.offset }, e.message).toEqual({ rule, offset });
}

function expectAccepted(bytes: Uint8Array, options?: VerifyOptions): void {
  const r = verifyImage(bytes, options);
  expect(r.ok ? "ok" : formatVerifyError(r.error)).toBe("ok");
}

/** One public function F with the given code; expects a rejection at a label of that code. */
function expectCodeRejected(items: Item[], rule: string, at: string, spec: Partial<Parameters<typeof fn>[0]> = {}, img: Partial<ImageSpec> = {}): void {
  const a = asm(...items);
  const bytes = build({ ...img, functions: [fn({ maxStack: 64, ...spec, code: a.code })] });
  expectRejected(bytes, rule, codeStart(bytes, 0) + a.labels[at]!);
}

const stopImage = (): Uint8Array => build({ functions: [fn({ code: code("STOP") })] });

describe("verifyImage: container rules (decodeImage)", () => {
  it("rejects an image shorter than a header (header)", () => {
    expectRejected(new Uint8Array(10), "header", 0);
  });

  it("rejects a wrong magic (magic)", () => {
    expectRejected(patched(stopImage(), 2, 0x00), "magic", 2);
  });

  it("rejects another version (version)", () => {
    expectRejected(patched(stopImage(), 4, 2), "version", 4);
  });

  it("rejects unknown feature bits (features)", () => {
    expectRejected(patched(stopImage(), 5, 0x10), "features", 5);
  });

  it("rejects a non-zero reserved header field (reserved)", () => {
    expectRejected(patched(stopImage(), 22, 1), "reserved", 22);
  });

  it("rejects section lengths that do not add up to the image (size)", () => {
    const img = stopImage();
    const longer = new Uint8Array(img.length + 1);
    longer.set(img);
    expectRejected(longer, "size", 12);
  });

  it("rejects a wrong CRC trailer (crc)", () => {
    const img = stopImage();
    const bad = img.slice();
    bad[codeStart(img, 0)] = 0xfe;
    expectRejected(bad, "crc", img.length - 4);
  });

  it("rejects a data section larger than memory (data)", () => {
    expectRejected(build({ memorySize: 2, data: [1, 2, 3], functions: [fn({ code: code("STOP") })] }), "data", 16);
  });

  it("rejects an unknown function kind (function-kind)", () => {
    expectRejected(patched(stopImage(), functionEntry(0), 3), "function-kind", functionEntry(0));
  });

  it("rejects an event id on a public function (function-event)", () => {
    expectRejected(build({ functions: [fn({ eventId: 1, code: code("STOP") })] }), "function-event", functionEntry(0) + 1);
  });

  it("rejects more parameters than locals (function-params)", () => {
    expectRejected(patched(stopImage(), functionEntry(0) + 2, 1), "function-params", functionEntry(0) + 2);
  });

  it("rejects a result byte that is not a type (type)", () => {
    expectRejected(patched(stopImage(), functionEntry(0) + 4, 0x55), "type", functionEntry(0) + 4);
  });

  it("rejects a local type byte that is not a type (type)", () => {
    const img = build({ functions: [fn({ params: ["uint8"], code: code("STOP") })] });
    expectRejected(patched(img, typesStart(img), 0x07), "type", typesStart(img));
  });

  it("rejects a name offset outside the names section (name)", () => {
    expectRejected(patched(stopImage(), functionEntry(0) + 16, 0xff), "name", functionEntry(0) + 16);
  });

  it("rejects a type list running past the types section (types)", () => {
    const img = build({ functions: [fn({ params: ["uint8"], code: code("STOP") })] });
    expectRejected(patched(img, functionEntry(0) + 14, 9), "types", functionEntry(0) + 14);
  });

  it("rejects an empty function (function-code)", () => {
    expectRejected(patched(stopImage(), functionEntry(0) + 12, 0), "function-code", functionEntry(0) + 12);
  });

  it("rejects a frame size that does not match the locals (function-frame)", () => {
    const img = build({ functions: [fn({ params: ["uint32"], code: code("STOP") })] });
    expectRejected(patched(img, functionEntry(0) + 6, 3), "function-frame", functionEntry(0) + 6);
  });

  it("rejects a string buffer outside memory (string-buffer)", () => {
    const img = build({ memorySize: 16, functions: [fn({ params: ["string"], stringBuffers: [{ address: 10, capacity: 8 }], code: code("STOP") })] });
    const types = functionEntry(1); // one function, no imports: the types section follows the function table
    expectRejected(img, "string-buffer", types + 1);
  });

  it("rejects code section bytes outside every function (code)", () => {
    // Move one byte from the data section to the code section.
    const img = build({ memorySize: 8, data: [0x00], functions: [fn({ code: code("STOP") })] });
    expectRejected(patched(img, 16, 0, 0, 2, 0), "code", 18);
  });

  it("rejects an unknown import kind (import-kind)", () => {
    const img = build({ imports: [syscall(0, "Out8", ["uint8"])], functions: [fn({ code: code("STOP") })] });
    expectRejected(patched(img, importEntry(1, 0), 2), "import-kind", importEntry(1, 0));
  });

  it("rejects a node-call import with a profile id (import-id)", () => {
    const img = build({ features: Feature.NodeCalls, imports: [{ ...nodecall("Ask"), id: 3 }], functions: [fn({ code: code("STOP") })] });
    expectRejected(img, "import-id", importEntry(1, 0) + 1);
  });
});

describe("verifyImage: one walk over the tables, entry by entry (the first rule reported)", () => {
  for (const c of tableOrderCases())
    it(`reports ${c.rule} at ${c.offset}: ${c.name}`, () => {
      expectRejected(c.bytes, c.rule, c.offset, { profile: profileById(c.profile)! });
    });
});

describe("verifyImage: code rules", () => {
  it("rejects a byte that is not an opcode (opcode)", () => {
    expectCodeRejected(["PUSH0", "POP", label("x"), raw(0x0c), "STOP"], "opcode", "x");
  });

  it("rejects an immediate running past the function's code (truncated)", () => {
    expectCodeRejected(["MODE16", label("x"), raw(0x61, 0x01)], "truncated", "x");
  });

  it("rejects a rel16 immediate cut by the next function (truncated)", () => {
    const a = asm(label("x"), raw(0xe0, 0x00));
    const bytes = build({ functions: [fn({ code: a.code }), fn({ name: "G", code: code("STOP") })] });
    expectRejected(bytes, "truncated", codeStart(bytes, 0));
  });

  it("rejects PUSHn wider than the mode (push-width)", () => {
    expectCodeRejected(["MODE8", label("x"), ["PUSH2", 1], "POP", "STOP"], "push-width", "x");
  });

  it("rejects popping more values than the stack holds (underflow)", () => {
    expectCodeRejected(["PUSH0", label("x"), "ADD", "POP", "STOP"], "underflow", "x");
  });

  it("names the instruction and the counts in the underflow message", () => {
    const bytes = build({ functions: [fn({ name: "KeyPressed", maxStack: 1, code: code("PUSH0", "ADD", "STOP") })] });
    expect(formatVerifyError(rejection(bytes))).toBe(`offset ${codeStart(bytes, 0) + 1}: underflow: function KeyPressed: ADD needs 2 values, stack has 1`);
  });

  it("rejects DUPn deeper than the stack (underflow)", () => {
    expectCodeRejected(["PUSH0", label("x"), "DUP2", "STOP"], "underflow", "x");
  });

  it("rejects a SYSCALL with too few arguments (underflow)", () => {
    expectCodeRejected([label("x"), ["SYSCALL", 0], "STOP"], "underflow", "x", {}, { imports: [syscall(0, "Out8", ["uint8"])] });
  });

  it("rejects a value of another width than the mode (width)", () => {
    expectCodeRejected(["MODE16", "PUSH0", "MODE8", "PUSH0", label("x"), "ADD", "STOP"], "width", "x");
  });

  it("rejects an 8-bit memory address (width)", () => {
    expectCodeRejected(["PUSH0", "PUSH0", label("x"), "MSTORE", "STOP"], "width", "x");
  });

  it("rejects a 16-bit RJUMPI condition (width)", () => {
    expectCodeRejected(["MODE16", "PUSH0", label("x"), ["RJUMPI", to("d")], label("d"), "JUMPDEST", "STOP"], "width", "x");
  });

  it("rejects DUPn over values of mixed widths (width)", () => {
    expectCodeRejected(["MODE16", "PUSH0", "MODE8", "PUSH0", label("x"), "DUP2", "STOP"], "width", "x");
  });

  it("rejects SWAPn when the (n+1)th value has another width (width)", () => {
    expectCodeRejected(["MODE16", "PUSH0", "MODE8", "PUSH0", label("x"), "SWAP1", "STOP"], "width", "x");
  });

  it("rejects a CALLF argument of the wrong width (width)", () => {
    const a = asm("PUSH0", label("x"), ["CALLF", 1], "STOP");
    const bytes = build({
      functions: [fn({ maxStack: 1, code: a.code }), fn({ name: "H", kind: FunctionKind.Helper, params: ["uint16"], code: code("RETF") })],
    });
    expectRejected(bytes, "width", codeStart(bytes, 0) + a.labels.x!);
  });

  it("rejects a SYSCALL argument of the wrong width (width)", () => {
    expectCodeRejected(["PUSH0", label("x"), ["SYSCALL", 0], "STOP"], "width", "x", {}, { imports: [syscall(1, "Out16", ["uint16"])] });
  });

  it("rejects a RETF result of the wrong width (width)", () => {
    expectCodeRejected(["PUSH0", label("x"), "RETF"], "width", "x", { result: "uint32" });
  });

  it("rejects a stack deeper than the declared maxStack (max-stack)", () => {
    expectCodeRejected(["MODE16", "PUSH0", label("x"), "PUSH0", "STOP"], "max-stack", "x", { maxStack: 3 });
  });

  it("rejects a declared maxStack larger than the stack reaches (max-stack)", () => {
    const bytes = build({ functions: [fn({ maxStack: 3, code: code("MODE16", "PUSH0", "STOP") })] });
    expectRejected(bytes, "max-stack", functionEntry(0) + 8);
  });

  it("rejects a jump past the function's end (jump-target)", () => {
    expectCodeRejected([label("x"), ["RJUMP", 5], "JUMPDEST", "STOP"], "jump-target", "x");
  });

  it("rejects a jump before the function's start (jump-target)", () => {
    expectCodeRejected(["JUMPDEST", label("x"), ["RJUMP", -5]], "jump-target", "x");
  });

  it("rejects a jump to an instruction that is not JUMPDEST (jump-target)", () => {
    expectCodeRejected([label("x"), ["RJUMP", to("s")], label("s"), "STOP"], "jump-target", "x");
  });

  it("rejects a forward jump onto a JUMPDEST byte inside a PUSH immediate (jump-target)", () => {
    expectCodeRejected([label("x"), ["RJUMP", 2], "JUMPDEST", ["PUSH1", 0x5b], "STOP"], "jump-target", "x");
  });

  it("rejects a backward jump onto a JUMPDEST byte inside a PUSH immediate (jump-target)", () => {
    expectCodeRejected(["JUMPDEST", ["PUSH1", 0x5b], "POP", label("x"), ["RJUMP", -5]], "jump-target", "x");
  });

  it("rejects a jump into another function (jump-target)", () => {
    const a = asm(label("x"), ["RJUMP", 0]);
    const bytes = build({ functions: [fn({ code: a.code }), fn({ name: "G", code: code("JUMPDEST", "STOP") })] });
    expectRejected(bytes, "jump-target", codeStart(bytes, 0));
  });

  it("rejects RJUMP with values on the stack (jump-stack)", () => {
    expectCodeRejected(["PUSH0", label("x"), ["RJUMP", to("d")], label("d"), "JUMPDEST", "STOP"], "jump-stack", "x");
  });

  it("rejects RJUMPI leaving values under the condition (jump-stack)", () => {
    expectCodeRejected(["PUSH0", "PUSH0", label("x"), ["RJUMPI", to("d")], label("d"), "JUMPDEST", "STOP"], "jump-stack", "x");
  });

  it("rejects falling into a JUMPDEST with values on the stack (jump-stack)", () => {
    expectCodeRejected(["PUSH0", label("x"), "JUMPDEST", "STOP"], "jump-stack", "x");
  });

  it("rejects LGET at an offset inside a local (local)", () => {
    expectCodeRejected(["MODE16", label("x"), ["LGET", 1], "POP", "STOP"], "local", "x", { locals: ["uint16"] });
  });

  it("rejects LSET past the last local (local)", () => {
    expectCodeRejected(["PUSH0", label("x"), ["LSET", 1], "STOP"], "local", "x", { locals: ["uint8"] });
  });

  it("rejects LGET of a local whose width is not the mode (local)", () => {
    expectCodeRejected([label("x"), ["LGET", 0], "POP", "STOP"], "local", "x", { locals: ["uint32"] });
  });

  it("rejects a conversion to a width code above 4 (convert)", () => {
    expectCodeRejected(["PUSH0", label("x"), ["ZEXT", 5], "STOP"], "convert", "x");
  });

  it("rejects ZEXT that does not widen (convert)", () => {
    expectCodeRejected(["MODE16", "PUSH0", label("x"), ["ZEXT", 1], "STOP"], "convert", "x");
  });

  it("rejects SEXT to a narrower width (convert)", () => {
    expectCodeRejected(["MODE16", "PUSH0", label("x"), ["SEXT", 0], "STOP"], "convert", "x");
  });

  it("rejects TRUNC that does not narrow (convert)", () => {
    expectCodeRejected(["MODE16", "PUSH0", label("x"), ["TRUNC", 2], "STOP"], "convert", "x");
  });

  it("rejects CALLF past the function table (call)", () => {
    expectCodeRejected([label("x"), ["CALLF", 1], "STOP"], "call", "x");
  });

  it("rejects SYSCALL past the import table (import)", () => {
    expectCodeRejected([label("x"), ["SYSCALL", 1], "STOP"], "import", "x", {}, { imports: [syscall(0, "Out8", ["uint8"])] });
  });

  it("rejects SYSCALL on a node-call import (import)", () => {
    expectCodeRejected([label("x"), ["SYSCALL", 0], "STOP"], "import", "x", {}, { features: Feature.NodeCalls, imports: [nodecall("Ask")] });
  });

  it("rejects NCALL on a syscall import (import)", () => {
    expectCodeRejected([label("x"), ["NCALL", 0], "STOP"], "import", "x", {}, { imports: [syscall(0, "Out8", ["uint8"])] });
  });

  it("rejects RETF with a value in a void function (return)", () => {
    expectCodeRejected(["PUSH0", label("x"), "RETF"], "return", "x");
  });

  it("rejects RETF without the result (return)", () => {
    expectCodeRejected([label("x"), "RETF"], "return", "x", { result: "uint8" });
  });

  it("rejects RETF with a value under the result (return)", () => {
    expectCodeRejected(["PUSH0", "PUSH0", label("x"), "RETF"], "return", "x", { result: "uint8" });
  });

  it("rejects code that can run off its end (fallthrough)", () => {
    expectCodeRejected(["PUSH0", label("x"), "POP"], "fallthrough", "x");
  });

  it("rejects code ending in RJUMPI (fallthrough)", () => {
    expectCodeRejected([label("d"), "JUMPDEST", "PUSH0", label("x"), ["RJUMPI", to("d")]], "fallthrough", "x");
  });

  it("rejects an instruction after STOP that is not a JUMPDEST (unreachable)", () => {
    expectCodeRejected(["STOP", label("x"), "PUSH0", "STOP"], "unreachable", "x");
  });

  it("rejects an instruction after RJUMP that is not a JUMPDEST (unreachable)", () => {
    expectCodeRejected([label("d"), "JUMPDEST", ["RJUMP", to("d")], label("x"), "STOP"], "unreachable", "x");
  });
});

describe("verifyImage: feature bits", () => {
  it("rejects MODE64 without the 64-bit feature, at the instruction (feature)", () => {
    expectCodeRejected(["PUSH0", "POP", label("x"), "MODE64", "STOP"], "feature", "x");
  });

  it("rejects MODE256 without the 256-bit feature (feature)", () => {
    expectCodeRejected([label("x"), "MODE256", "STOP"], "feature", "x", {}, { features: Feature.Width64 });
  });

  it("rejects ZEXT to 64 bits without the 64-bit feature (feature)", () => {
    expectCodeRejected(["MODE32", "PUSH0", label("x"), ["ZEXT", 3], "STOP"], "feature", "x");
  });

  it("rejects SLOAD without the storage feature (feature)", () => {
    expectCodeRejected(["MODE16", "PUSH0", "MODE8", label("x"), "SLOAD", "STOP"], "feature", "x");
  });

  it("rejects a 64-bit local without the 64-bit feature, at its type byte (feature)", () => {
    const bytes = build({ functions: [fn({ locals: ["uint8", "int64"], code: code("STOP") })] });
    expectRejected(bytes, "feature", typesStart(bytes) + 1);
  });

  it("rejects a 256-bit result without the 256-bit feature (feature)", () => {
    const bytes = build({ functions: [fn({ kind: FunctionKind.Helper, result: "uint256", code: code("INVALID") })] });
    expectRejected(bytes, "feature", functionEntry(0) + 4);
  });

  it("rejects a 64-bit import parameter without the 64-bit feature (feature)", () => {
    const bytes = build({ imports: [syscall(3, "Out64", ["uint64"])], functions: [fn({ code: code("STOP") })] });
    expectRejected(bytes, "feature", typesStart(bytes));
  });

  it("rejects a node-call import without the node-call feature (feature)", () => {
    const bytes = build({ imports: [nodecall("Ask")], functions: [fn({ code: code("STOP") })] });
    expectRejected(bytes, "feature", importEntry(1, 0));
  });

  it("rejects a declared feature the image never uses, at the features byte (feature)", () => {
    expectRejected(build({ features: Feature.Storage, functions: [fn({ code: code("STOP") })] }), "feature", 5);
  });

  it("reports the features the image uses", () => {
    const all = Feature.Width64 | Feature.Width256 | Feature.Storage | Feature.NodeCalls;
    const bytes = build({
      features: all,
      storageSize: 4,
      imports: [nodecall("Ask", [], "uint8")],
      functions: [fn({ maxStack: 2, code: code("MODE64", "MODE256", "MODE16", "PUSH0", "MODE8", "SLOAD", ["NCALL", 0], "STOP") })],
    });
    const r = verifyImage(bytes);
    expect(r.ok && r.value.requiredFeatures).toBe(all);
  });
});

describe("verifyImage: entry rules", () => {
  const ev = (name: string, eventId: number, params: string[] = [], result?: string) =>
    fn({ kind: FunctionKind.Event, name, eventId, params, ...(result ? { result } : {}), code: code("STOP") });

  it("rejects two public functions with the same name (entry)", () => {
    const bytes = build({ functions: [fn({ code: code("STOP") }), fn({ kind: FunctionKind.Helper, name: "F", code: code("STOP") }), fn({ code: code("STOP") })] });
    expectRejected(bytes, "entry", functionEntry(2) + 16);
  });

  it("rejects an event handler named like a public function (entry)", () => {
    expectRejected(build({ functions: [fn({ name: "Tick", code: code("STOP") }), ev("Tick", 0)] }), "entry", functionEntry(1) + 16);
  });

  it("rejects two handlers for the same event (entry)", () => {
    expectRejected(build({ functions: [ev("A", 1, ["uint32"]), ev("B", 1, ["uint32"])] }), "entry", functionEntry(1) + 1);
  });

  it("rejects an event handler with a string parameter, even without a profile (entry)", () => {
    const bytes = build({ functions: [ev("Tick", 0, ["uint8", "string"])] });
    expectRejected(bytes, "entry", typesStart(bytes) + 1);
  });

  it("rejects an event handler with a result (entry)", () => {
    const bytes = build({ functions: [fn({ kind: FunctionKind.Event, name: "Tick", result: "uint8", code: code("PUSH0", "RETF"), maxStack: 1 })] });
    expectRejected(bytes, "entry", functionEntry(0) + 4);
  });

  it("rejects a public function returning a string (entry)", () => {
    expectRejected(build({ functions: [fn({ result: "string", code: code("INVALID") })] }), "entry", functionEntry(0) + 4);
  });

  it("rejects a handler for an event the profile lacks (entry)", () => {
    expectRejected(build({ functions: [ev("Nope", 9)] }), "entry", functionEntry(0) + 1, { profile: testProfile });
  });

  it("rejects a handler with another parameter count than its event (entry)", () => {
    expectRejected(build({ functions: [ev("Input", 1)] }), "entry", functionEntry(0) + 2, { profile: testProfile });
  });

  it("rejects a handler whose parameter type differs from its event's (entry)", () => {
    const bytes = build({ functions: [ev("Key", 2, ["uint8"])] });
    expectRejected(bytes, "entry", typesStart(bytes), { profile: testProfile });
  });

  it("checks event handlers only by shape when no profile is given", () => {
    expectAccepted(build({ functions: [ev("Nope", 9, ["uint16"])] }));
  });
});

describe("verifyImage: profile rules", () => {
  const withImport = (...imports: ReturnType<typeof syscall>[]) => build({ imports, functions: [fn({ code: code("STOP") })] });

  it("rejects an image built for another profile (profile)", () => {
    expectRejected(build({ profileId: 1, functions: [fn({ code: code("STOP") })] }), "profile", 6, { profile: lockProfile });
  });

  it("rejects a syscall id the profile lacks (profile)", () => {
    expectRejected(withImport(syscall(0, "Out8", ["uint8"]), syscall(40, "Gone")), "profile", importEntry(1, 1) + 1, { profile: testProfile });
  });

  it("rejects a syscall import whose name differs from the profile's (profile)", () => {
    expectRejected(withImport(syscall(0, "Out9", ["uint8"])), "profile", importEntry(1, 0) + 6, { profile: testProfile });
  });

  it("rejects a syscall import with another parameter count (profile)", () => {
    expectRejected(withImport(syscall(0, "Out8")), "profile", importEntry(1, 0) + 2, { profile: testProfile });
  });

  it("rejects a syscall import with another parameter type (profile)", () => {
    const bytes = withImport(syscall(0, "Out8", ["int8"]));
    expectRejected(bytes, "profile", typesStart(bytes), { profile: testProfile });
  });

  it("rejects a syscall import with another result (profile)", () => {
    expectRejected(withImport(syscall(13, "Now", [], "uint16")), "profile", importEntry(1, 0) + 3, { profile: testProfile });
  });

  it("does not check syscall imports without a profile", () => {
    expectAccepted(withImport(syscall(40, "Anything", ["uint16"], "bool")));
  });
});

describe("verifyImage: valid images", () => {
  for (const sample of SAMPLE_IMAGES) {
    it(`accepts ${sample.description}`, () => {
      expectAccepted(sample.bytes, sample.profile ? { profile: sample.profile } : {});
    });
  }

  it("accepts a JUMPDEST after a terminal instruction even though values were left before it", () => {
    expectAccepted(build({ functions: [fn({ maxStack: 1, code: code("PUSH0", "STOP", "JUMPDEST", "INVALID") })] }));
  });

  it("accepts PUSH immediates that contain JUMPDEST bytes next to real targets", () => {
    const bytes = build({
      functions: [fn({ maxStack: 1, code: code(["RJUMP", to("d")], label("d"), "JUMPDEST", ["PUSH1", 0x5b], "POP", ["RJUMP", to("d")]) })],
    });
    expectAccepted(bytes);
  });
});

describe("analyzeFunction and analyzeImage", () => {
  it("computes a function's maximum stack in bytes and the features it uses", () => {
    const f = fn({ locals: ["uint64"], code: code("MODE16", "PUSH0", "PUSH0", "POP", "POP", "MODE256", "PUSH0", "POP", "STOP") });
    expect(analyzeFunction(f, image({ functions: [f] }))).toEqual({ ok: true, maxStack: 32, features: Feature.Width64 | Feature.Width256 });
  });

  it("reports code errors with offsets relative to the function's code", () => {
    const f = fn({ code: code("PUSH0", "ADD", "STOP") });
    const r = analyzeFunction(f, image({ functions: [f] }));
    expect(!r.ok && { rule: r.error.rule, offset: r.error.offset }).toEqual({ rule: "underflow", offset: 1 });
  });

  it("fills an image so that it verifies: maxStack per function and the header features", () => {
    const img = image({
      storageSize: 2,
      imports: [nodecall("Ask", ["uint64"])],
      functions: [
        fn({ code: code("MODE16", "PUSH0", "MODE8", "SLOAD", ["CALLF", 1], "STOP") }),
        fn({ name: "H", kind: FunctionKind.Helper, params: ["uint8"], code: code("RETF") }),
      ],
    });
    const a = analyzeImage(img);
    if (!a.ok) throw new Error(a.error.message);
    expect(a).toEqual({ ok: true, maxStack: [2, 0], features: Feature.Width64 | Feature.Storage | Feature.NodeCalls });
    img.features = a.features;
    a.maxStack.forEach((m, i) => (img.functions[i]!.maxStack = m));
    expectAccepted(encodeImage(img));
  });
});
