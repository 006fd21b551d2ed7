// Runs the libFuzzer target (build.ts) for a while and reads its figures:
// executions, speed, coverage (libFuzzer's cov and ft), corpus size, and the
// finding if there is one (a sanitizer report, a crash, a timeout, a leak:
// libFuzzer exits non-zero and writes the input under build/fuzz/findings/).

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildFuzzer, FUZZ_BUILD, writeSeeds } from "./build.js";

export interface FuzzOptions {
  seconds: number;
  /** The growing corpus (default build/fuzz/corpus): kept between runs, so a later run starts where the last one ended. */
  corpusDir?: string;
  /** Where a finding's input is written (default build/fuzz/findings). */
  findingsDir?: string;
  /** Extra compiler flags of the target (the runner's self-test plants a bug with one). */
  extraFlags?: readonly string[];
  /** Called with each line libFuzzer prints (progress). */
  onLine?: (line: string) => void;
}

export interface FuzzReport {
  executions: number;
  execPerSecond: number;
  /** Coverage: instrumented edges (cov) and features (ft) libFuzzer has seen. */
  cov: number;
  ft: number;
  corpusUnits: number;
  corpusBytes: number;
  seconds: number;
  seeds: number;
  /** undefined when the run ended cleanly. */
  finding: { kind: string; input: string | undefined; report: string } | undefined;
}

const STATUS = /^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)\/(\d+)(b|Kb|Mb)/;
const UNIT = { b: 1, Kb: 1024, Mb: 1024 * 1024 } as const;

/** Builds the target and seeds, runs libFuzzer for options.seconds on one core. */
export async function runLibFuzzer(options: FuzzOptions): Promise<FuzzReport> {
  const exe = buildFuzzer(options.extraFlags);
  const seeds = writeSeeds();
  const corpus = options.corpusDir ?? join(FUZZ_BUILD, "corpus");
  const findings = options.findingsDir ?? join(FUZZ_BUILD, "findings");
  mkdirSync(corpus, { recursive: true });
  mkdirSync(findings, { recursive: true });
  const args = [
    `-max_total_time=${Math.max(1, Math.round(options.seconds))}`,
    "-timeout=10", // seconds per input: the fuel budget keeps every input far below
    "-rss_limit_mb=2048",
    "-max_len=4096",
    "-print_final_stats=1",
    `-artifact_prefix=${findings}/`,
    corpus,
    seeds,
  ];
  const started = Date.now();
  const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ASAN_OPTIONS: "detect_leaks=1:abort_on_error=0", UBSAN_OPTIONS: "print_stacktrace=1:halt_on_error=1" } });
  const lines: string[] = [];
  let pending = "";
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString("utf8");
    const parts = pending.split("\n");
    pending = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      if (lines.length > 4000) lines.splice(0, 1000);
      options.onLine?.(l);
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code: number = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  });
  if (pending) lines.push(pending);
  const report: FuzzReport = { executions: 0, execPerSecond: 0, cov: 0, ft: 0, corpusUnits: 0, corpusBytes: 0, seconds: (Date.now() - started) / 1000, seeds: 0, finding: undefined };
  for (const l of lines) {
    const m = STATUS.exec(l);
    if (m) {
      report.executions = Number(m[1]);
      report.cov = Number(m[3]);
      report.ft = Number(m[4]);
      report.corpusUnits = Number(m[5]);
      report.corpusBytes = Number(m[6]) * UNIT[m[7] as keyof typeof UNIT];
    }
    const stat = /^stat::(\w+):\s+(\d+)/.exec(l);
    if (stat?.[1] === "number_of_executed_units") report.executions = Number(stat[2]);
    if (stat?.[1] === "average_exec_per_sec") report.execPerSecond = Number(stat[2]);
    const seedsLine = /INFO:\s+(\d+) files found in/.exec(l);
    if (seedsLine) report.seeds += Number(seedsLine[1]);
  }
  if (code !== 0) {
    const input = lines.map((l) => /Test unit written to (\S+)/.exec(l)?.[1]).find((x) => x !== undefined);
    const headline = lines.find((l) => /ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|deadly signal|timeout/.test(l)) ?? `exit ${code}`;
    report.finding = { kind: headline.trim(), input, report: lines.slice(-80).join("\n") };
  }
  return report;
}
