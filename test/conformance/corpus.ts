// The conformance corpus: Alkyl programs, steps and expected traces that every
// backend must reproduce byte for byte (README.md in this directory).
//
//   loadCorpus()            every case, with its directives
//   runCase(c, backend)     spawns `node bin/alkyvm.js run <c> --backend <backend>`
//   BACKENDS                the backends the runner checks, and what each lacks
//   casesFor(backend)       the cases a backend runs (needs it does not lack)
//   runCaseInProcess(c, o)  the TypeScript engine in-process with a chosen stack size
//
// The cases are read by compiler/run/corpus.ts (`alkyvm test-device` runs the
// corpus on a device); the spawning lives in cases.mjs so that update.mjs
// (plain node) shares it; this module adds the types and the in-process checks.

import { readFileSync } from "node:fs";
import { compileAlkyl, formatDiagnostic } from "../../compiler/compile.js";
import type { Image } from "../../compiler/ir/image.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import * as corpus from "../../compiler/run/corpus.js";
import type { Case, Need } from "../../compiler/run/corpus.js";
import { NodeAnswers, runSteps } from "../../compiler/run/session.js";
import { parseStepsFile } from "../../compiler/run/steps.js";
import { formatTraceLine } from "../../compiler/run/trace.js";
import { TsEngine } from "../../compiler/run/ts-engine.js";
import * as cases from "./cases.mjs";

export type { Case, Need };

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number;
}

export interface Backend {
  /** The value of `alkyvm run --backend`. */
  name: string;
  /** Needs this backend cannot meet: cases with any of them are not run on it. */
  lacks: Need[];
}

/**
 * The backends the conformance test runs. Adding a backend is one line, e.g.
 *   { name: "c", lacks: [] },
 *   { name: "avr", lacks: ["w64", "w256"] },
 *   { name: "msp430", lacks: ["w64", "w256", "big"] },
 */
export const BACKENDS: Backend[] = [
  { name: "ts", lacks: [] },
  { name: "c", lacks: [] },
  { name: "avr", lacks: ["w64", "w256"] },
  { name: "msp430", lacks: ["w64", "w256", "big"] },
  { name: "c-aot", lacks: [] },
  { name: "avr-aot", lacks: ["w64", "w256"] },
  { name: "msp430-aot", lacks: ["w64", "w256", "big"] },
];

export const SMALL_DEVICE = corpus.SMALL_DEVICE;
export const NEEDS = corpus.NEEDS;
export const DIRECTIVES = corpus.DIRECTIVES;
export const CONFORMANCE_DIR: string = cases.CONFORMANCE_DIR;
export const ROOT: string = cases.ROOT;

export function loadCorpus(): Case[] {
  return corpus.loadCases(CONFORMANCE_DIR);
}

export function expectedTrace(c: Case): string {
  return readFileSync(c.trace, "utf8");
}

export function runCase(c: Case, backend: string): RunResult {
  return cases.runCase(c, backend) as RunResult;
}

/** The alkyvm arguments runCase passes (for messages). */
export function runArgs(c: Case, backend: string): string[] {
  return cases.runArgs(c, backend) as string[];
}

export function casesFor(backend: Backend, corpus: Case[] = loadCorpus()): Case[] {
  return corpus.filter((c) => !c.needs.some((n) => backend.lacks.includes(n)));
}

/** Compiles a case's program for its profile; throws with the diagnostics. */
export function compileCase(c: Case): Image {
  const profile = profileByName(c.profile);
  if (!profile) throw new Error(`${c.name}: unknown profile ${c.profile}`);
  const r = compileAlkyl(c.text, c.source, { profile });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d, c.text)).join("\n"));
  return r.image;
}

/** Runs a case on the TypeScript engine in-process (no dist/), e.g. with a small device's stack; returns the trace text. */
export async function runCaseInProcess(c: Case, options: { stackSize?: number } = {}): Promise<string> {
  const profile = profileByName(c.profile)!;
  const image = compileCase(c);
  const steps = parseStepsFile(readFileSync(c.steps, "utf8"), c.steps);
  if (!steps.ok) throw new Error(steps.message);
  const answers = new NodeAnswers(image);
  const engine = new TsEngine(image, profile, { ...(c.fuel === undefined ? {} : { fuel: c.fuel }), ...options, answerNodeCall: answers.answer });
  let out = "";
  try {
    await runSteps(image, profile, engine, steps.steps, (line) => (out += formatTraceLine(line) + "\n"), answers);
  } finally {
    await engine.close();
  }
  return out;
}
