// The C verifier (vm-c/image.c + verify.c) and the TypeScript verifier
// (compiler/ir/verify.ts) must accept the same images and reject the others
// with the same rule at the same byte offset: a corpus of valid images, then
// many seeded corruptions of them.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../compiler/ir/crc32.js";
import { decodeImage } from "../../compiler/ir/image.js";
import { assemble } from "../../compiler/ir/asm.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profileById } from "../../compiler/profiles/profiles.js";
import { ROOT, runC, verifyC, type CRunOptions } from "./c-vm.js";
import { runTs } from "./ts-vm.js";
import { ValueKind, widthBytes } from "../../compiler/ir/types.js";
import { FunctionKind } from "../../compiler/ir/image.js";
import { arithmeticProgram, conversionProgram, memoryProgram, prng, stackProgram } from "./corpus.js";
import { scenarios, UNTERMINATED } from "./scenarios.js";
import { assembleOrThrow } from "./corpus.js";
import { build, codeStart, fn, patched } from "../ir/helpers/image-builder.js";
import { tableOrderCases } from "../ir/helpers/table-order-images.js";

/** What the host driver prints for an image, computed with the TypeScript verifier. */
function tsVerdict(bytes: Uint8Array, option: CRunOptions["profile"]): string {
  let profile;
  if (option !== "none") {
    profile = profileById(option ?? 0);
    if (!profile) throw new Error(`no profile ${String(option)}`);
  }
  const r = verifyImage(bytes, profile ? { profile } : {});
  return r.ok ? "ok" : `verify ${r.error.rule} ${r.error.offset}`;
}

/** The assembler fixtures, valid or not (one of them is code the verifier rejects). */
function fixtureImages(): Uint8Array[] {
  const dir = join(ROOT, "test", "fixtures", "asm");
  const out: Uint8Array[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".asm") && !n.includes("golden"))) {
    const r = assemble(readFileSync(join(dir, f), "utf8"));
    if (r.ok) out.push(r.bytes);
  }
  return out;
}

function acceptedByTs(bytes: Uint8Array): boolean {
  const profile = profileById(profileOf(bytes));
  return profile !== undefined && verifyImage(bytes, { profile }).ok;
}

function validCorpus(): Uint8Array[] {
  const images = [
    ...[8, 16, 32, 64, 256].map((bits) => arithmeticProgram(bits, bits, 1).image),
    conversionProgram(1).image,
    stackProgram().image,
    memoryProgram(1).image,
    ...scenarios().map((p) => p.image),
    assembleOrThrow("unterminated", UNTERMINATED),
  ];
  return [...images, ...fixtureImages().filter(acceptedByTs)];
}

/** Rewrites the CRC trailer so a corruption reaches the checks after it. */
function withCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length >= 4) new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

/** Seeded corruptions of one image: byte flips anywhere, in the tables, in the code; cuts; extensions. */
function corruptions(image: Uint8Array, seed: number, count: number): Uint8Array[] {
  const next = prng(seed);
  const decoded = decodeImage(image);
  const layout = decoded.ok ? decoded.value.layout : undefined;
  const out: Uint8Array[] = [];
  const body = image.length - 4;
  for (let k = 0; k < count; k++) {
    const m = image.slice();
    const kind = next() % 8;
    const flips = 1 + (next() % 3);
    for (let f = 0; f < flips; f++) {
      let at: number;
      if (kind <= 2 && layout) at = layout.code + (next() % Math.max(1, layout.names - layout.code)); // code
      else if (kind <= 4) at = next() % Math.min(body, layout ? layout.data : body); // header and tables
      else at = next() % body;
      // Small changes (±1, a bit) find off-by-one boundaries; random bytes find the rest.
      const r = next() % 3;
      m[at] = r === 0 ? m[at]! ^ (1 << next() % 8) : r === 1 ? (m[at]! + (next() % 2 ? 1 : 255)) & 0xff : next() & 0xff;
    }
    if (kind === 6) {
      out.push(withCrc(m.slice(0, next() % image.length)));
      continue;
    }
    if (kind === 7 && next() % 4 === 0) {
      out.push(m); // CRC left stale
      continue;
    }
    out.push(withCrc(m));
  }
  return out;
}

/** Asserts equal verdicts; returns the distinct rules seen, to show what the corpus reaches. */
function expectSameVerdicts(images: Uint8Array[], profile: CRunOptions["profile"]): Set<string> {
  const c = verifyC(images, { profile });
  const ts = images.map((b) => tsVerdict(b, profile));
  const diffs = images.flatMap((b, i) => (c[i] === ts[i] ? [] : [`image ${i} (${b.length} bytes): C "${c[i]}", TS "${ts[i]}"`]));
  expect(diffs.slice(0, 5)).toEqual([]);
  expect(c.length).toBe(images.length);
  return new Set(c.map((v) => v.split(" ")[1] ?? v));
}

function profileOf(image: Uint8Array): number {
  return image[6]! | (image[7]! << 8);
}

describe("C verifier = TypeScript verifier", () => {
  const valid = validCorpus();

  it("accepts every image of the valid corpus, as the TypeScript verifier does", () => {
    const c = verifyC(valid, {});
    expect(c).toEqual(valid.map(() => "ok"));
    expect(valid.map((b) => tsVerdict(b, profileOf(b)))).toEqual(valid.map(() => "ok"));
  });

  it("gives the same verdict on seeded corruptions of every image (device profile = the image's)", () => {
    const images = valid.flatMap((b, i) => corruptions(b, 1000 + i, 150)).filter((b) => profileOf(b) === 1);
    expect(images.length).toBeGreaterThan(1000);
    const rules = expectSameVerdicts(images, 1);
    // The corruptions reach most of the verifier, not just the container checks.
    for (const rule of ["opcode", "underflow", "width", "max-stack", "jump-target", "local", "convert", "call", "import", "return", "feature", "entry", "profile"])
      expect(rules, `no corruption was rejected by rule ${rule}`).toContain(rule);
  });

  it("gives the same verdict on corruptions of the smart-lock image under the smartlock profile", () => {
    const lock = valid.filter((b) => profileOf(b) === 2);
    expect(lock.length).toBeGreaterThan(0);
    expectSameVerdicts(lock.flatMap((b, i) => corruptions(b, 7000 + i, 400)), 2);
  });

  it("gives the same verdict without profile checks", () => {
    expectSameVerdicts(valid.flatMap((b, i) => corruptions(b, 9000 + i, 60)), "none");
  });

  it("runs the corrupted images that still verify the same way on both VMs (each function, zero arguments)", () => {
    const images = valid.flatMap((b, i) => corruptions(b, 1000 + i, 150)).filter((b) => profileOf(b) === 1 && tsVerdict(b, 1) === "ok");
    expect(images.length).toBeGreaterThan(50);
    for (const image of images) {
      const decoded = decodeImage(image);
      if (!decoded.ok) throw new Error("verified image does not decode");
      const commands = decoded.value.image.functions.flatMap((fn, index) => {
        const params = fn.locals.slice(0, fn.paramCount);
        if (params.some((t) => t.kind === ValueKind.String) && fn.kind !== FunctionKind.Public) return [];
        const args = params.map((t) => (t.kind === ValueKind.String ? "-" : "00".repeat(widthBytes(t.width))));
        return [`call ${index} ${args.join(" ")}`.trim()];
      });
      const options = { profile: 1, fuel: 5000 } as const;
      expect(runC(image, commands, options)).toEqual(runTs(image, commands, options));
    }
  });

  it("reports the same rule for an image built for another profile", () => {
    const test = valid.find((b) => profileOf(b) === 1)!;
    expectSameVerdicts([test], 2);
    expect(verifyC([test], { profile: 2 })).toEqual(["verify profile 6"]);
  });

  it("gives the same verdict on the assembler fixtures the verifier rejects", () => {
    const rejected = fixtureImages().filter((b) => !acceptedByTs(b));
    expect(rejected.length).toBeGreaterThan(0);
    expectSameVerdicts(rejected, "none");
    expectSameVerdicts(rejected, 1);
  });

  it("gives the same verdict for every jump offset near a function and at the 16-bit edges", () => {
    // JUMPDEST; PUSH1 0x5b; POP; RJUMP(I) rel; JUMPDEST; PUSH1 0x5b; POP; STOP: targets on, beside and
    // inside instructions, before and after the code, and offsets that wrap past 0 or 0xFFFF.
    const images: Uint8Array[] = [];
    for (const [op, push] of [
      [0xe0, []],
      [0xe1, [0x60, 0x01]],
    ] as const) {
      const body = [0x5b, 0x60, 0x5b, 0x50, ...push, op, 0, 0, 0x5b, 0x60, 0x5b, 0x50, 0x00];
      const img = build({ functions: [fn({ maxStack: 1, code: Uint8Array.from(body) })] });
      const at = codeStart(img, 0) + body.indexOf(op) + 1;
      for (const rel of [...Array.from({ length: 81 }, (_, i) => i - 40), 0x7fff, -0x8000, -at - 3, 0x10000 - at - 3 - 1])
        images.push(patched(img, at, (rel >> 8) & 0xff, rel & 0xff));
    }
    // A function of 60 KB of JUMPDESTs: a jump back past the image start or forward past 0xFFFF
    // wraps into the code, on a JUMPDEST that starts an instruction.
    const big = new Array<number>(60_000).fill(0x5b);
    big.push(0x00);
    const bigImg = build({ functions: [fn({ code: Uint8Array.from(big) })] });
    const base = codeStart(bigImg, 0);
    for (const [pos, rel] of [
      [10, -0x8000],
      [59_000, 0x7fff],
      [10, 0x7fff],
      [59_000, -0x8000],
    ] as const)
      images.push(patched(bigImg, base + pos, 0xe0, (rel >> 8) & 0xff, rel & 0xff));
    const rules = expectSameVerdicts(images, "none");
    expect(rules).toContain("jump-target");
    expect(rules).toContain("ok");
  });

  it("reports the first rule of the one walk over the tables the same way (images breaking several rules)", () => {
    const cases = tableOrderCases();
    for (const profile of [1, 2]) {
      const some = cases.filter((c) => c.profile === profile);
      expect(verifyC(some.map((c) => c.bytes), { profile })).toEqual(some.map((c) => `verify ${c.rule} ${c.offset}`));
    }
  });

  it("rejects the truncated and empty images the container rules name", () => {
    const cut = [new Uint8Array(0), valid[0]!.slice(0, 10), valid[0]!.slice(0, 27)];
    expectSameVerdicts(cut, 1);
  });
});
