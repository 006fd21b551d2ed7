// Golden diagnostics. Each test/fixtures/diagnostics/NAME.alkyl holds exactly
// one mistake; NAME.err is the exact output (formatDiagnostic of every
// diagnostic). A first line `// profile: NAME` picks the device profile
// (default: test).
//
// After an intended change of messages, regenerate the goldens and review
// the diff:
//     UPDATE_GOLDEN=1 npx vitest run test/lang/diagnostics.test.ts

import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileAlkyl, formatDiagnostic } from "../../compiler/compile.js";
import { MESSAGES } from "../../compiler/lang/diagnostics.js";
import { profile } from "./helpers.js";

const DIR = join(import.meta.dirname, "..", "fixtures", "diagnostics");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const fixtures = readdirSync(DIR).filter((f) => f.endsWith(".alkyl")).sort();

function diagnose(name: string): { codes: string[]; text: string } {
  const source = readFileSync(join(DIR, name), "utf8");
  const profileName = /^\/\/ profile: (\w+)/.exec(source)?.[1] ?? "test";
  const r = compileAlkyl(source, name, { profile: profile(profileName) });
  if (r.ok) return { codes: [], text: "" };
  return { codes: r.diagnostics.map((d) => d.code), text: r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n") + "\n" };
}

describe("diagnostic goldens", () => {
  it.each(fixtures)("%s reports exactly its one error, as in the golden file", (name) => {
    const { codes, text } = diagnose(name);
    expect(codes).toHaveLength(1);
    const golden = join(DIR, name.replace(/\.alkyl$/, ".err"));
    if (UPDATE) writeFileSync(golden, text);
    expect(existsSync(golden), `missing ${golden}: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  it("covers at least 25 distinct error codes", () => {
    const codes = new Set(fixtures.map((f) => diagnose(f).codes[0]));
    expect(codes.size).toBeGreaterThanOrEqual(25);
    for (const c of codes) expect(Object.keys(MESSAGES)).toContain(c);
  });
});
