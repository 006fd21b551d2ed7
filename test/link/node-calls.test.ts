// Device-to-node calls on every backend of `alkyvm run` (docs/link.md §4.4):
// the same IR app (test/fixtures/asm/node_calls.asm), the same `answer` steps,
// byte-identical traces: a value, a void call, a string argument, syscalls
// around them, a failed call that traps, and an app without answers.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assemble } from "../../compiler/ir/asm.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { BACKENDS, type App } from "../../compiler/run/backends.js";
import { NodeAnswers, runSteps } from "../../compiler/run/session.js";
import { parseStepsFile } from "../../compiler/run/steps.js";
import { formatTraceLine } from "../../compiler/run/trace.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "asm", "node_calls.asm");

function nodeCallApp(): App {
  const r = assemble(readFileSync(FIXTURE, "utf8"));
  if (!r.ok) throw new Error(`node_calls.asm: ${r.errors.map((e) => e.message).join("; ")}`);
  const v = verifyImage(r.bytes);
  if (!v.ok) throw new Error(`node_calls.asm does not verify: ${v.error.message}`);
  return { image: r.image, bytes: r.bytes, profile: profileByName("test")! };
}

const STEPS = `
# no answer yet: the call fails and traps
call Total(5)
answer Price = 40
call Total(5)
answer Report
call Ping(3)
answer Log
call Ping(200)
answer Price = 4294967295
call Total(1)
answer Price fails
call Total(1)
# answers the app cannot take
answer Nobody = 1
answer Price
answer Report = 1
answer Price = -1
`;

const EXPECTED = [
  "syscall Out32(5)",
  "nodecall Price(5) -> failed",
  "error trap: node call Price got no answer",
  "syscall Out32(5)",
  "nodecall Price(5) -> 40",
  "syscall Out32(40)",
  "return 45",
  "nodecall Report(3, true)",
  'nodecall Log("meter-7") -> failed',
  "error trap: node call Log got no answer",
  "nodecall Report(200, true)",
  'nodecall Log("meter-7")',
  "syscall Out32(200)",
  "syscall Out32(1)",
  "nodecall Price(1) -> 4294967295",
  "syscall Out32(4294967295)",
  "return 0",
  "syscall Out32(1)",
  "nodecall Price(1) -> failed",
  "error trap: node call Price got no answer",
  "error answer: the app calls no node function 'Nobody'",
  "error answer: Price returns uint32_t: write 'answer Price = value'",
  "error answer: Report returns nothing: write 'answer Report'",
  "error answer: answer of Price: -1 does not fit uint32_t",
];

async function traceOn(backendName: string): Promise<string[]> {
  const app = nodeCallApp();
  const backend = BACKENDS.find((b) => b.name === backendName)!;
  const answers = new NodeAnswers(app.image);
  const steps = parseStepsFile(STEPS, "steps");
  if (!steps.ok) throw new Error(steps.message);
  const engine = await backend.open(app, { answerNodeCall: answers.answer });
  const lines: string[] = [];
  try {
    await runSteps(app.image, app.profile, engine, steps.steps, (l) => lines.push(formatTraceLine(l)), answers);
  } finally {
    await engine.close();
  }
  return lines;
}

describe("node calls give the same trace on every backend", () => {
  for (const backend of BACKENDS) {
    it(backend.name, async () => {
      expect(await traceOn(backend.name)).toEqual(EXPECTED);
    }, 240_000);
  }
});
