// Runs a benchmark firmware for the MSP430G2553 (bench/firmware/) in
// mspdebug's simulator: one mspdebug run that stops at every call of
// bench_mark (bench_msp430.c) and at crt0's `done`, reads the tracer's MCLK
// count at each stop, and reads the reports from bench_report_words.

import { spawnSync } from "node:child_process";
import { requireTool, type ToolchainOptions } from "../engines/firmware-build.js";
import { BoardEmulationError } from "../engines/transport.js";
import type { BenchRun } from "./simavr-bench.js";

/** Where the simulator stopped and the MCLK count there, in order. */
export function parseMspdebugStops(output: string): { at: string; mclk: bigint }[] {
  const stops: { at: string; mclk: bigint }[] = [];
  let at = "";
  let afterRegisters = false;
  for (const line of output.split("\n")) {
    if (line.includes("( PC:")) {
      afterRegisters = true;
      continue;
    }
    const label = /^([A-Za-z_.$][\w.$]*):$/.exec(line.trim());
    if (afterRegisters && label) {
      at = label[1]!;
      afterRegisters = false;
      continue;
    }
    const m = /^MCLK:\s+(\d+)/.exec(line.trim());
    if (m) stops.push({ at, mclk: BigInt(m[1]!) });
  }
  return stops;
}

/** 32-bit words of an `md` dump (lines "    00202: 01 00 ... |....|"), the last one in the output. */
function parseDumpWords(output: string): number[] {
  const bytes: number[] = [];
  const tail = output.slice(output.lastIndexOf("MCLK:"));
  for (const line of tail.split("\n")) {
    const m = /^\s*[0-9a-f]{4,5}:((?: [0-9a-f]{2})+)\s+\|/i.exec(line);
    if (m) bytes.push(...m[1]!.trim().split(" ").map((h) => parseInt(h, 16)));
  }
  const words: number[] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4) words.push((bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0);
  return words;
}

export function runMspdebugBench(elf: string, what: string, options: ToolchainOptions = {}): BenchRun {
  const tool = requireTool("mspdebug", "Debian mspdebug", options);
  const runs = Array.from({ length: 5 }, () => ["run", "simio info t"]).flat();
  const r = spawnSync(
    tool,
    ["-q", "-n", "sim", "simio add tracer t", `prog ${elf}`, "setbreak bench_mark", "setbreak done", ...runs, "md bench_report_words 12"],
    { encoding: "utf8", timeout: 300_000 },
  );
  if (r.error) throw new BoardEmulationError("timeout", `${what}: mspdebug did not finish (${r.error.message})`);
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) throw new BoardEmulationError("exited", `${what}: mspdebug failed: ${output.trim().split("\n").at(-1)}`);
  const words = parseDumpWords(output);
  if (words.length < 3 || words[0] === 0) throw new BoardEmulationError("exited", `${what}: the firmware did not report a result`);
  const status = words[0]! - 1;
  const counted = words[2] !== 0 ? words[2] : undefined;
  if (status !== 0) return { cycles: 0, status, result: 0, instructions: counted };
  const stops = parseMspdebugStops(output);
  const where = stops.map((s) => s.at).join(",");
  if (stops.length !== 5 || where !== "bench_mark,bench_mark,bench_mark,bench_mark,done") {
    throw new BoardEmulationError("exited", `${what}: unexpected stops ${where}`);
  }
  const empty = stops[1]!.mclk - stops[0]!.mclk;
  const region = stops[3]!.mclk - stops[2]!.mclk;
  return { cycles: Number(region - empty), status: 0, result: words[1]!, instructions: counted };
}
