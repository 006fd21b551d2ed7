// The libFuzzer target over the C VM (scripts/fuzz/, docs/security.md
// "Fuzzing") builds with clang's libFuzzer, ASan and UBSan, runs briefly from
// the conformance seeds without a finding, and reports a planted bug as one.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FUZZ_BUILD, writeSeeds } from "../../scripts/fuzz/build.js";
import { runLibFuzzer } from "../../scripts/fuzz/libfuzzer.js";

mkdirSync(FUZZ_BUILD, { recursive: true });
const scratch = mkdtempSync(join(FUZZ_BUILD, "test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("libFuzzer over the image loader, verifier and interpreter", () => {
  it("seeds with every compiling case of the conformance corpus", () => {
    const seeds = readdirSync(writeSeeds()).filter((f) => f.endsWith(".alky"));
    expect(seeds.length).toBeGreaterThan(30);
    expect(seeds).toContain("smartlock_paper.alky");
  });

  it("runs 20 seconds from the seeds with no sanitizer report, crash or timeout, and grows the corpus", async () => {
    const r = await runLibFuzzer({ seconds: 20, corpusDir: join(scratch, "corpus"), findingsDir: join(scratch, "findings") });
    expect(r.finding?.report).toBeUndefined();
    expect(r.seeds).toBeGreaterThan(30);
    expect(r.executions).toBeGreaterThan(1000);
    // The seeds alone reach the verifier and the interpreter (a few hundred edges);
    // a loader-only run would stay far below.
    expect(r.cov).toBeGreaterThan(400);
    expect(r.corpusUnits).toBeGreaterThan(r.seeds);
  }, 120_000);

  it("reports a planted heap overflow as a finding, with the input that causes it", async () => {
    const findings = join(scratch, "planted");
    const r = await runLibFuzzer({ seconds: 10, corpusDir: join(scratch, "planted-corpus"), findingsDir: findings, extraFlags: ["-DALKY_FUZZ_SELF_TEST"] });
    expect(r.finding?.kind).toMatch(/AddressSanitizer: heap-buffer-overflow/);
    expect(r.finding?.input).toBeDefined();
    expect(existsSync(r.finding!.input!)).toBe(true);
  }, 120_000);
});
