// One conformance suite per group of backends: vitest runs test files in
// parallel, so the corpus on the emulated boards (the slow part) is split
// over several files (conformance*.test.ts). Every backend of BACKENDS is in
// exactly one group (checked in conformance.test.ts).

import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/cli.js";
import { BACKENDS, casesFor, expectedTrace, loadCorpus, runArgs, runCase } from "./corpus.js";

export const BACKEND_GROUPS: Record<string, readonly string[]> = {
  host: ["ts", "c", "c-aot"],
  avr: ["avr", "avr-aot"],
  msp430: ["msp430", "msp430-aot"],
};

export function conformanceSuite(group: keyof typeof BACKEND_GROUPS): void {
  const corpus = loadCorpus();
  // bin/alkyvm.js runs dist/: rebuild it when stale (unless $ALKYVM_BIN names another, built alkyvm).
  beforeAll(() => {
    if (!process.env.ALKYVM_BIN) ensureBuilt();
  }, 180_000);

  /**
   * A case may build a firmware first (an AOT backend builds one per case, with
   * the app in it), which on a loaded machine takes longer than vitest's
   * default; runCase's own limit on the alkyvm process (120 s) is the bound.
   */
  const CASE_TIMEOUT_MS = 150_000;

  for (const backend of BACKENDS.filter((b) => BACKEND_GROUPS[group]!.includes(b.name))) {
    describe(`conformance on --backend ${backend.name}`, () => {
      it.each(casesFor(backend, corpus).map((c) => [c.name, c] as const))(
        "%s",
        (_name, c) => {
          const r = runCase(c, backend.name);
          const command = `alkyvm ${runArgs(c, backend.name).join(" ")}`;
          expect(r.stderr, `${command}: stderr`).toBe("");
          expect(r.stdout, `${command}: trace`).toBe(expectedTrace(c));
          expect(r.status, `${command}: exit status`).toBe(0);
        },
        CASE_TIMEOUT_MS,
      );
    });
  }
}
