// Whatever the input, the compiler answers with an image that verifies or
// with diagnostics pointing into the source; never an exception, never an
// internal error. Inputs: arbitrary text, and valid programs with random
// edits (which reach the checker and the lowering far more often).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profile } from "./helpers.js";

const lock = readFileSync(join(import.meta.dirname, "..", "..", "examples", "smartlock", "lock_improved.alkyl"), "utf8");
const sample = `
uint8_t table[4] = {1, 2, 3, 4};
persistent uint32_t total;
int16_t helper(int16_t a, bool c) { return c ? a * 2 : -a; }
public uint32_t f(uint8_t n, char* s) {
  uint32_t acc = 0;
  for (uint8_t i = 0; i < n && s[i] != 0; i++) { acc += table[i & 3] << i; if (acc > 100) break; }
  do { acc--; } while (acc % 7 != 0 || !(acc > 3));
  total += acc;
  SystemCall(Out32, acc);
  return acc + (uint32_t)helper((int16_t)n, n > 2);
}
`;

const TOKENS = ["{", "}", "(", ")", ";", ",", "=", "+", "<<", "&&", "?", ":", "[", "]", "0", "300", "-1", "'a'", '"s"', "x", "uint8_t", "bool", "if", "while", "return", "this.", "SystemCall(", "char*"];

function check(source: string, profileName: string): void {
  const p = profile(profileName);
  const r = compileAlkyl(source, "fuzz.alkyl", { profile: p });
  if (r.ok) {
    expect(verifyImage(r.bytes, { profile: p }).ok).toBe(true);
    return;
  }
  const lines = source.split("\n").length;
  expect(r.diagnostics.length).toBeGreaterThan(0);
  for (const d of r.diagnostics) {
    expect(d.code, d.message).not.toBe("E0901");
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines);
    expect(d.column).toBeGreaterThanOrEqual(1);
  }
}

/** A program with `edits` random token insertions or deletions. */
const edited = (base: string) =>
  fc
    .array(fc.tuple(fc.nat({ max: base.length }), fc.nat({ max: 8 }), fc.constantFrom(...TOKENS), fc.boolean()), { minLength: 1, maxLength: 4 })
    .map((edits) => {
      let s = base;
      for (const [at, len, tok, insert] of edits) {
        const i = Math.min(at, s.length);
        s = insert ? s.slice(0, i) + tok + s.slice(i) : s.slice(0, i) + s.slice(i + len);
      }
      return s;
    });

describe("robustness", () => {
  it("answers arbitrary text with diagnostics", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => check(s, "test")), { numRuns: 300 });
  });

  it("answers edited valid programs with an image or diagnostics, never an internal error", () => {
    fc.assert(fc.property(edited(sample), (s) => check(s, "test")), { numRuns: 400 });
  });

  it("does the same for the improved smart lock", () => {
    fc.assert(fc.property(edited(lock), (s) => check(s, "smartlock")), { numRuns: 300 });
  });
});
