// The Alkyl IR assembler and disassembler (docs/ir.md §8).
//
// Golden files: test/fixtures/asm/<name>.asm is a hand-written program and
// <name>.golden.asm its expected canonical disassembly. After an intended
// change to the text format, regenerate them with
//
//   UPDATE_GOLDEN=1 npx vitest run test/ir
//
// and review the diff before committing.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemble, type AssembleResult } from "../../compiler/ir/asm.js";
import { disassemble } from "../../compiler/ir/disasm.js";
import { decodeImage, encodeImage, Feature, type Image } from "../../compiler/ir/image.js";
import { formatVerifyError, verifyImage } from "../../compiler/ir/verify.js";
import { profileById } from "../../compiler/profiles/profiles.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/asm/", import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function assembled(source: string): { image: Image; bytes: Uint8Array } {
  const r = assemble(source);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join("\n"));
  return r;
}

/** The program's errors as `line:column: message`, for compact assertions. */
function errorsOf(r: AssembleResult): string[] {
  return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
}

describe("golden fixtures", () => {
  const names = readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".asm") && !f.endsWith(".golden.asm"))
    .map((f) => f.slice(0, -".asm".length))
    .sort();

  it("exist", () => {
    expect(names.length).toBeGreaterThanOrEqual(4);
  });

  for (const name of names) {
    const goldenPath = join(FIXTURES, `${name}.golden.asm`);

    it(`${name}.asm disassembles to ${name}.golden.asm`, () => {
      const text = disassemble(assembled(readFileSync(join(FIXTURES, `${name}.asm`), "utf8")).image);
      if (UPDATE) writeFileSync(goldenPath, text);
      expect(text).toBe(readFileSync(goldenPath, "utf8"));
    });

    it(`${name}.golden.asm reassembles to the bytes of ${name}.asm`, () => {
      const source = assembled(readFileSync(join(FIXTURES, `${name}.asm`), "utf8"));
      const golden = assembled(readFileSync(goldenPath, "utf8"));
      expect(golden.bytes).toEqual(source.bytes);
    });

    if (name !== "unverified") {
      it(`${name}.asm is accepted by the verifier, with the maxStack and features the assembler filled in`, () => {
        const { image, bytes } = assembled(readFileSync(join(FIXTURES, `${name}.asm`), "utf8"));
        const profile = profileById(image.profileId);
        const r = verifyImage(bytes, profile ? { profile } : {});
        expect(r.ok ? "ok" : formatVerifyError(r.error)).toBe("ok");
      });
    }

    it(`${name}.golden.asm is a fixed point of assemble then disassemble`, () => {
      const golden = readFileSync(goldenPath, "utf8");
      expect(disassemble(assembled(golden).image)).toBe(golden);
    });
  }
});

describe("docs/ir.md §8.9", () => {
  it("shows what the disassembler really prints for its example", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../docs/ir.md", import.meta.url)), "utf8");
    const section = doc.slice(doc.indexOf("### 8.9 Example"));
    const [source, expected] = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(disassemble(assembled(source!).image)).toBe(expected);
  });
});

describe("hand-written programs", () => {
  it("PUSH picks the shortest PUSHn, and PUSH 0 is PUSH0", () => {
    const { image } = assembled(
      [".func helper f()", "MODE16", "PUSH 0", "PUSH 255", "PUSH 256", "MODE256", `PUSH ${(1n << 256n) - 1n}`, "STOP"].join("\n"),
    );
    const code = Array.from(image.functions[0]!.code);
    expect(code).toEqual([0xc1, 0x5f, 0x60, 0xff, 0x61, 0x01, 0x00, 0xc4, 0x7f, ...new Array(32).fill(0xff), 0x00]);
  });

  it("PUSHn keeps its byte count even for small values", () => {
    const { image } = assembled(".func helper f()\nMODE32\nPUSH4 1\nSTOP");
    expect(Array.from(image.functions[0]!.code)).toEqual([0xc2, 0x63, 0, 0, 0, 1, 0x00]);
  });

  it("computes .maxstack in bytes when it is omitted", () => {
    const { image } = assembled(".func helper f() -> uint32\nMODE32\nPUSH 1\nPUSH 2\nPUSH 3\nADD\nADD\nRETF");
    expect(image.functions[0]!.maxStack).toBe(12);
  });

  it("counts the callee's result, not its frame, in the caller's max stack", () => {
    const { image } = assembled(".func helper g(uint16, uint16) -> uint64\nMODE64\nPUSH 7\nRETF\n.func helper f()\nMODE16\nPUSH 1\nPUSH 2\nCALLF g\nMODE64\nPOP\nSTOP");
    expect(image.functions[1]!.maxStack).toBe(8);
  });

  it("computes .features from the code when it is omitted", () => {
    const { image } = assembled(".import nodecall Ask() -> uint8\n.func helper f()\nNCALL Ask\nPOP\nMODE64\nMODE16\nPUSH 0\nSLOAD\nPOP\nSTOP");
    expect(image.features).toBe(Feature.NodeCalls | Feature.Width64 | Feature.Storage);
  });

  it("keeps explicit .maxstack and .features even when the code disagrees", () => {
    const { image } = assembled(".features w256\n.func helper f()\n.maxstack 99\nSTOP");
    expect([image.features, image.functions[0]!.maxStack]).toEqual([Feature.Width256, 99]);
  });

  it("takes a syscall's id from the profile when it is omitted", () => {
    const { image } = assembled(".profile smartlock\n.import syscall Now() -> uint32\n.func helper f()\nSTOP");
    expect(image.imports[0]!.id).toBe(3);
  });

  it("takes an event handler's id from the profile when it is omitted", () => {
    const { image } = assembled(".profile test\n.func event Key(char)\nSTOP");
    expect(image.functions[0]!.eventId).toBe(2);
  });

  it("defaults to the test profile, no storage and memory just holding the data", () => {
    const { image } = assembled('.data "abc"\n.func helper f()\nSTOP');
    expect([image.profileId, image.storageSize, image.memorySize]).toEqual([1, 0, 3]);
  });

  it("resolves forward and backward labels to relative offsets", () => {
    const { image } = assembled(".func helper f()\nback:\nJUMPDEST\nRJUMP fwd\nJUMPDEST\nRJUMP back\nfwd: JUMPDEST\nSTOP");
    expect(Array.from(image.functions[0]!.code)).toEqual([0x5b, 0xe0, 0x00, 0x04, 0x5b, 0xe0, 0xff, 0xf8, 0x5b, 0x00]);
  });

  it("ignores comments, blank lines and CRLF line ends", () => {
    const a = assembled(".func helper f()\r\n\r\n   ; nothing\r\n  STOP ; end\r\n");
    const b = assembled(".func helper f()\nSTOP");
    expect(a.bytes).toEqual(b.bytes);
  });
});

describe("assembler errors", () => {
  it("reports an unknown mnemonic at its line and column", () => {
    expect(errorsOf(assemble(".func helper f()\n  PUSH1 1\n  FROB\n  STOP"))).toEqual(["3:3: unknown mnemonic 'FROB'"]);
  });

  it("tells that mnemonics are upper case", () => {
    expect(errorsOf(assemble(".func helper f()\n  stop"))).toEqual(["2:3: unknown mnemonic 'stop' (mnemonics are upper case: STOP)"]);
  });

  it("reports an undefined label at the jump's operand", () => {
    expect(errorsOf(assemble(".func helper f()\nJUMPDEST\n    RJUMP nowhere\n"))).toEqual(["3:11: undefined label 'nowhere' in function 'f'"]);
  });

  it("does not see labels of another function", () => {
    expect(errorsOf(assemble(".func helper f()\nhere: JUMPDEST\nSTOP\n.func helper g()\nRJUMP here"))).toEqual(["5:7: undefined label 'here' in function 'g'"]);
  });

  it("reports a PUSHn immediate that does not fit n bytes", () => {
    expect(errorsOf(assemble(".func helper f()\nPUSH1 256\nSTOP"))).toEqual([
      "2:7: bad immediate '256': PUSH1 takes an unsigned value of at most 1 byte(s)",
    ]);
  });

  it("reports a conversion width that is not a width", () => {
    expect(errorsOf(assemble(".func helper f()\nZEXT 12\nSTOP"))).toEqual([
      "2:6: bad immediate '12': ZEXT takes a width in bits (8, 16, 32, 64 or 256)",
    ]);
  });

  it("reports a relative offset without its sign", () => {
    expect(errorsOf(assemble(".func helper f()\nRJUMP 3"))).toEqual(["2:7: bad immediate '3': expected a label, or a relative offset with its sign (+3, -3)"]);
  });

  it("reports a duplicate function name at the second declaration", () => {
    expect(errorsOf(assemble(".func helper f()\nSTOP\n\n.func public f()\nSTOP"))).toEqual([
      "4:14: duplicate function name 'f' (first declared on line 1)",
    ]);
  });

  it("reports a call to an undefined function", () => {
    expect(errorsOf(assemble(".func helper f()\nCALLF g\nSTOP"))).toEqual(["2:7: undefined function 'g'"]);
  });

  it("reports a public string parameter without its buffer", () => {
    expect(errorsOf(assemble(".memory 8\n.func public f(string)\nRETF"))).toEqual([
      "2:1: function 'f' has 1 string parameter(s), so it needs 1 .buffer line(s), found 0",
    ]);
  });

  it("reports data larger than memory", () => {
    expect(errorsOf(assemble(".memory 2\n.data 010203\n.func helper f()\nSTOP"))).toEqual(["2:1: data is 3 bytes but .memory is 2"]);
  });

  it("reports an unterminated string", () => {
    expect(errorsOf(assemble('.data "abc\n.func helper f()\nSTOP'))).toEqual(["1:7: unterminated string"]);
  });

  it("reports a function without code", () => {
    expect(errorsOf(assemble(".func helper f()\n.func helper g()\nSTOP"))).toEqual(["1:1: function 'f' has no instructions"]);
  });

  it("reports an instruction before any function", () => {
    expect(errorsOf(assemble("STOP"))).toEqual(["1:1: instruction outside a function (start one with .func)"]);
  });

  it("asks for .maxstack when the code is too broken to compute it", () => {
    expect(errorsOf(assemble(".func helper f()\nPUSH 1\nADD\nSTOP"))).toEqual([
      "3:1: cannot compute .maxstack: function f: ADD needs 2 values, stack has 1 (state .maxstack to assemble code the verifier rejects)",
    ]);
  });

  it("reports every bad line, in line order", () => {
    expect(errorsOf(assemble(".func helper f()\nFOO\nBAR 1\nSTOP")).map((e) => e.split(":")[0])).toEqual(["2", "3"]);
  });
});

describe("disassembler", () => {
  it("prints bytes that are not instructions as .byte, and reassembles them", () => {
    const image = assembled(".func helper f()\nSTOP").image;
    image.functions[0]!.code = Uint8Array.from([0x0c, 0xc8, 0x09, 0x61, 0x01]);
    const text = disassemble(image);
    expect(text).toContain(".byte 0x0c ; not an opcode\n    .byte 0xc8, 0x09 ; ZEXT with width code 9\n    .byte 0x61, 0x01 ; PUSH2 with a truncated immediate");
    expect(assembled(text).bytes).toEqual(encodeImage(image));
  });

  it("names jump targets L0, L1, … in code order", () => {
    const text = disassemble(assembled(".func helper f()\na: JUMPDEST\nRJUMP c\nb: JUMPDEST\nRJUMP a\nc: JUMPDEST\nRJUMP b").image);
    expect(text).toContain("L0:\n    JUMPDEST\n    RJUMP L2\nL1:\n    JUMPDEST\n    RJUMP L0\nL2:\n    JUMPDEST\n    RJUMP L1\n");
  });

  it("accepts what decodeImage returns", () => {
    const { bytes } = assembled(readFileSync(join(FIXTURES, "smartlock.asm"), "utf8"));
    const decoded = decodeImage(bytes);
    expect(decoded.ok && assembled(disassemble(decoded.value.image)).bytes).toEqual(bytes);
  });
});
