// The verifier runs on images from the link and from the chain: whatever the
// bytes, it must answer (never throw, never hang), and whatever it accepts the
// reference VM must run without throwing.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeImage, encodeImage, FunctionKind, type Image } from "../../compiler/ir/image.js";
import { OPCODES } from "../../compiler/ir/opcodes.js";
import { ValueKind } from "../../compiler/ir/types.js";
import { verifyImage, type VerifyOptions } from "../../compiler/ir/verify.js";
import type { RawArg } from "../../compiler/vm/effects.js";
import { ReferenceVm } from "../../compiler/vm/reference.js";
import { withCrc } from "./helpers/image-builder.js";
import { SAMPLE_IMAGES, type SampleImage } from "./helpers/sample-images.js";

/** Generous for a shared, loaded machine: the images are at most a few hundred bytes. */
const TIME_BOUND_MS = 1000;

type Mutation =
  | { kind: "flip"; at: number; mask: number }
  | { kind: "set"; at: number; value: number }
  | { kind: "code"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: number[] }
  | { kind: "delete"; at: number; count: number };

const OPCODE_BYTES = OPCODES.map((o) => o.byte);

/** Bytes that make corrupted code likely to stay decodable: opcodes and small numbers. */
const plausibleByte = fc.oneof(fc.constantFrom(...OPCODE_BYTES), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 255 }));

// Weighted towards edits that keep the container intact, so that most
// corruptions get past the structural rules and reach the code rules.
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: plausibleByte }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant("code" as const), at: fc.nat(), value: plausibleByte }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.array(plausibleByte, { minLength: 1, maxLength: 4 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 4 }) }), weight: 1 },
);

/** Inserts and deletes code bytes inside one function, re-encoding so that every length and offset stays consistent. */
interface CodeEdit {
  fn: number;
  at: number;
  remove: number;
  insert: number[];
}

const codeEdit: fc.Arbitrary<CodeEdit> = fc.record({
  fn: fc.nat(),
  at: fc.nat(),
  remove: fc.integer({ min: 0, max: 3 }),
  insert: fc.array(plausibleByte, { maxLength: 4 }),
});

function applyCodeEdits(bytes: Uint8Array, edits: CodeEdit[]): Uint8Array {
  if (edits.length === 0) return bytes;
  const d = decodeImage(bytes);
  if (!d.ok) return bytes;
  const image = d.value.image;
  for (const e of edits) {
    const fn = image.functions[e.fn % image.functions.length]!;
    const at = e.at % (fn.code.length + 1);
    fn.code = Uint8Array.from([...fn.code.slice(0, at), ...e.insert, ...fn.code.slice(at + e.remove)]);
  }
  return encodeImage(image);
}

/** Offsets of the code section of an intact sample, so "code" mutations reach the code rules. */
function codeRange(bytes: Uint8Array): [number, number] {
  const d = decodeImage(bytes);
  return d.ok ? [d.value.layout.code, d.value.layout.names] : [0, bytes.length];
}

function applyMutation(bytes: Uint8Array, m: Mutation, code: [number, number]): Uint8Array {
  const len = bytes.length;
  if (len === 0) return m.kind === "insert" ? Uint8Array.from(m.bytes) : bytes;
  const at = m.at % len;
  switch (m.kind) {
    case "flip": {
      const out = bytes.slice();
      out[at] = out[at]! ^ m.mask;
      return out;
    }
    case "set": {
      const out = bytes.slice();
      out[at] = m.value;
      return out;
    }
    case "code": {
      const out = bytes.slice();
      const [start, end] = code;
      if (end > start && end <= len) out[start + (m.at % (end - start))] = m.value;
      return out;
    }
    case "truncate":
      return bytes.slice(0, at);
    case "insert":
      return Uint8Array.from([...bytes.slice(0, at), ...m.bytes, ...bytes.slice(at)]);
    case "delete":
      return Uint8Array.from([...bytes.slice(0, at), ...bytes.slice(at + m.count)]);
  }
}

interface Corruption {
  edits: CodeEdit[];
  mutations: Mutation[];
  fixCrc: boolean;
}

const corruption = (maxMutations: number, fixCrc: fc.Arbitrary<boolean>): fc.Arbitrary<Corruption> =>
  fc.record({ edits: fc.array(codeEdit, { maxLength: 2 }), mutations: fc.array(mutation, { maxLength: maxMutations }), fixCrc });

function corrupt(sample: SampleImage, { edits, mutations, fixCrc }: Corruption): Uint8Array {
  let bytes = applyCodeEdits(sample.bytes, edits);
  const code = codeRange(bytes);
  for (const m of mutations) bytes = applyMutation(bytes, m, code);
  return fixCrc ? withCrc(bytes) : bytes;
}

function optionsFor(sample: SampleImage): VerifyOptions {
  return sample.profile ? { profile: sample.profile } : {};
}

/** Zero arguments of the right representation; empty strings for string parameters. */
function zeroArgs(image: Image, index: number): RawArg[] {
  const fn = image.functions[index]!;
  return fn.locals.slice(0, fn.paramCount).map((t) => (t.kind === ValueKind.String ? new Uint8Array(0) : t.width >= 3 ? 0n : 0));
}

/** Runs every public function and event handler with a small budget; returns how many ran. */
function runEntryPoints(image: Image): number {
  const vm = new ReferenceVm(image, { fuel: 500, syscall: () => 1, nodeCall: () => 1 });
  let ran = 0;
  image.functions.forEach((fn, i) => {
    if (fn.kind === FunctionKind.Helper) return;
    const effects = vm.invoke(i, zeroArgs(image, i));
    expect(Array.isArray(effects)).toBe(true);
    ran++;
  });
  return ran;
}

const sampleArb = fc.constantFrom(...SAMPLE_IMAGES);

describe("verifyImage on corrupted images", () => {
  it("never throws and answers within the time bound, with or without a fixed-up CRC", () => {
    fc.assert(
      fc.property(sampleArb, corruption(4, fc.boolean()), (sample, c) => {
        const bytes = corrupt(sample, c);
        const t0 = performance.now();
        const r = verifyImage(bytes, optionsFor(sample));
        expect(performance.now() - t0).toBeLessThan(TIME_BOUND_MS);
        expect(typeof r.ok).toBe("boolean");
        if (!r.ok) expect(r.error.offset).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1500 },
    );
  });

  it("reports rejections inside the image, with a rule and a one-line message", () => {
    fc.assert(
      fc.property(sampleArb, corruption(3, fc.constant(true)), (sample, c) => {
        const bytes = corrupt(sample, c);
        const r = verifyImage(bytes, optionsFor(sample));
        if (r.ok) return;
        expect(r.error.offset).toBeLessThan(Math.max(bytes.length, 1));
        expect(r.error.rule).toMatch(/^[a-z0-9-]+$/);
        expect(r.error.message).not.toContain("\n");
      }),
      { numRuns: 800 },
    );
  });

  it("lets the reference VM run every accepted corruption without throwing", () => {
    let invoked = 0;
    fc.assert(
      fc.property(sampleArb, corruption(2, fc.constant(true)), (sample, c) => {
        const r = verifyImage(corrupt(sample, c), optionsFor(sample));
        if (r.ok) invoked += runEntryPoints(r.value.image);
      }),
      { numRuns: 1500 },
    );
    // Guards against a vacuous pass: some corruptions (changed constants, swapped opcodes) must survive.
    expect(invoked).toBeGreaterThan(0);
  });
});
