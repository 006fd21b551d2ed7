// The conformance corpus over a sealed link (docs/link.md §2.1): the host
// device built with a link key, every case's trace exactly as expected, the
// same app loads, calls, events, node calls and faults as on the plain link.
// In-process (backend c's open with a key, as `alkyvm run --backend c --key`).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { backendByName } from "../../compiler/run/backends.js";
import { NodeAnswers, runSteps } from "../../compiler/run/session.js";
import { parseStepsFile } from "../../compiler/run/steps.js";
import { formatTraceLine } from "../../compiler/run/trace.js";
import { testKey } from "../vm-c/sealed-wire.js";
import { BACKENDS, casesFor, expectedTrace, loadCorpus } from "./corpus.js";

const KEY = testKey(3);
const host = BACKENDS.find((b) => b.name === "c")!;

describe("conformance on --backend c --key (sealed link)", () => {
  it.each(casesFor(host, loadCorpus()).map((c) => [c.name, c] as const))(
    "%s",
    async (_name, c) => {
      const profile = profileByName(c.profile)!;
      const compiled = compileAlkyl(c.text, c.source, { profile });
      if (!compiled.ok) throw new Error(`${c.name} does not compile`);
      const steps = parseStepsFile(readFileSync(c.steps, "utf8"), c.steps);
      if (!steps.ok) throw new Error(steps.message);
      const answers = new NodeAnswers(compiled.image);
      const engine = await backendByName("c")!.open(
        { image: compiled.image, bytes: compiled.bytes, profile },
        { ...(c.fuel === undefined ? {} : { fuel: c.fuel }), answerNodeCall: answers.answer, linkKey: KEY },
      );
      let out = "";
      try {
        await runSteps(compiled.image, profile, engine, steps.steps, (line) => (out += formatTraceLine(line) + "\n"), answers);
      } finally {
        await engine.close();
      }
      expect(out).toBe(expectedTrace(c));
    },
    60_000,
  );
});
