// `alkyvm test-device`: the conformance corpus on one device over one link.
// Each case is installed (the link engine always loads the app, which also
// clears its memory and storage), its steps run, and the trace compared line
// by line with the expected one. Cases whose needs the device lacks are
// skipped, as the emulated backends skip them.

import { readFileSync } from "node:fs";
import { compileAlkyl, formatDiagnostic } from "../compile.js";
import type { ByteTransport } from "../engines/transport.js";
import { LinkError, type HelloReply } from "../link/client.js";
import { profileByName } from "../profiles/profiles.js";
import { needsLacked, type Case } from "./corpus.js";
import { LinkEngine } from "./link-engine.js";
import { NodeAnswers, runSteps } from "./session.js";
import { parseStepsFile } from "./steps.js";
import { formatTraceLine } from "./trace.js";

export type CaseOutcome =
  | { name: string; status: "ok" }
  | { name: string; status: "fail"; detail: string }
  | { name: string; status: "skip"; detail: string };

export interface DeviceTestSummary {
  passed: number;
  failed: number;
  skipped: number;
}

export interface DeviceTestOptions {
  /** Longest wait for one report. */
  timeoutMs?: number;
}

/** One line of text for an outcome, as test-device prints it. */
export function formatOutcome(o: CaseOutcome): string {
  if (o.status === "ok") return `ok ${o.name}`;
  if (o.status === "fail") return `FAIL ${o.name}: ${o.detail}`;
  return `skip ${o.name}: ${o.detail}`;
}

function traceLines(trace: string): string[] {
  if (trace === "") return [];
  return (trace.endsWith("\n") ? trace.slice(0, -1) : trace).split("\n");
}

/** Where two traces first differ, as "line N: expected ..., got ...", or undefined when they are equal. */
export function firstDifference(expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const want = traceLines(expected);
  const got = traceLines(actual);
  const shown = (line: string | undefined) => (line === undefined ? "the end of the trace" : JSON.stringify(line));
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] !== got[i]) return `line ${i + 1}: expected ${shown(want[i])}, got ${shown(got[i])}`;
  }
  return "the traces differ in their final newline";
}

/** The transport shared by every case: a case's engine must not close it. */
function keptOpen(transport: ByteTransport): ByteTransport {
  return { write: (b) => transport.write(b), read: (ms) => transport.read(ms), close: async () => {} };
}

async function runOne(c: Case, transport: ByteTransport, device: HelloReply, options: DeviceTestOptions): Promise<CaseOutcome> {
  const lacking = c.needs.filter((n) => needsLacked(device).includes(n));
  if (lacking.length > 0) return { name: c.name, status: "skip", detail: `needs ${lacking.join(" ")}` };
  const profile = profileByName(c.profile);
  if (!profile) return { name: c.name, status: "fail", detail: `unknown profile ${c.profile}` };
  const compiled = compileAlkyl(c.text, c.source, { profile });
  if (!compiled.ok) return { name: c.name, status: "fail", detail: formatDiagnostic(compiled.diagnostics[0]!, c.text).split("\n")[0]! };
  if (compiled.image.memorySize > device.memorySize)
    return { name: c.name, status: "skip", detail: `needs ${compiled.image.memorySize} bytes of app memory (the device has ${device.memorySize})` };
  if (compiled.bytes.length > device.maxImage)
    return { name: c.name, status: "skip", detail: `its image of ${compiled.bytes.length} bytes is larger than the device's slot (${device.maxImage})` };
  const steps = parseStepsFile(readFileSync(c.steps, "utf8"), c.steps);
  if (!steps.ok) return { name: c.name, status: "fail", detail: steps.message.split("\n")[0]! };
  const expected = readFileSync(c.trace, "utf8");
  let trace = "";
  try {
    const answers = new NodeAnswers(compiled.image);
    const engine = await LinkEngine.open(keptOpen(transport), compiled.image, compiled.bytes, {
      ...(c.fuel === undefined ? {} : { fuel: c.fuel }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      answerNodeCall: answers.answer,
    });
    await runSteps(compiled.image, profile, engine, steps.steps, (line) => (trace += formatTraceLine(line) + "\n"), answers);
  } catch (e) {
    // The device refused something or stopped answering: this case fails, the next one still runs.
    // A transport that failed for good (BoardEmulationError) ends the whole run.
    if (e instanceof LinkError) return { name: c.name, status: "fail", detail: e.message.split("\n")[0]! };
    throw e;
  }
  const diff = firstDifference(expected, trace);
  return diff === undefined ? { name: c.name, status: "ok" } : { name: c.name, status: "fail", detail: diff };
}

/** Runs every case on the device (whose HELLO answer is `device`), reporting each outcome as it comes. */
export async function testDevice(
  transport: ByteTransport,
  device: HelloReply,
  cases: readonly Case[],
  onOutcome: (o: CaseOutcome) => void,
  options: DeviceTestOptions = {},
): Promise<DeviceTestSummary> {
  const summary: DeviceTestSummary = { passed: 0, failed: 0, skipped: 0 };
  for (const c of cases) {
    const o = await runOne(c, transport, device, options);
    if (o.status === "ok") summary.passed++;
    else if (o.status === "fail") summary.failed++;
    else summary.skipped++;
    onOutcome(o);
  }
  return summary;
}
