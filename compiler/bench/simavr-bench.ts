// Runs a benchmark firmware (bench/firmware/) under libsimavr with the
// harness scripts/harness/simavr_bench.c and reads what it reports: the cycle
// counter at every marker and the kernel's result (bench/firmware/bench_marker.h).

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BUILD_ROOT, cachedDir, contentHash, REPO_ROOT, requireTool, run, type ToolchainOptions } from "../engines/firmware-build.js";
import { BoardEmulationError } from "../engines/transport.js";

export const SIMAVR_BENCH_SOURCE = join(REPO_ROOT, "scripts", "harness", "simavr_bench.c");

/** Path of the harness binary, built with gcc and libsimavr on first use (cached by content hash). */
export function buildSimavrBenchHarness(options: ToolchainOptions = {}): string {
  const gcc = requireTool("gcc", "host C compiler", options);
  const pkgConfig = requireTool("pkg-config", "Debian pkg-config", options);
  const probe = spawnSync(pkgConfig, ["--cflags", "--libs", "simavr"], { encoding: "utf8" });
  if (probe.status !== 0) throw new BoardEmulationError("toolchain-missing", "libsimavr (Debian libsimavr-dev) is not installed: run scripts/setup.sh");
  const simavrFlags = probe.stdout.trim().split(/\s+/).filter(Boolean);
  const flags = ["-O2", "-Wall", "-Wextra", "-Werror"];
  const hash = contentHash([gcc, ...flags, ...simavrFlags], [SIMAVR_BENCH_SOURCE]);
  const outDir = join(BUILD_ROOT, "harness", `simavr_bench-${hash}`);
  cachedDir(outDir, (tmp) => {
    run(gcc, [...flags, SIMAVR_BENCH_SOURCE, ...simavrFlags, "-lelf", "-o", join(tmp, "simavr_bench")], "gcc (simavr bench harness)");
  });
  const exe = join(outDir, "simavr_bench");
  if (!existsSync(exe)) throw new BoardEmulationError("build-failed", `the simavr bench harness was not built: ${exe}`);
  return exe;
}

export interface BenchRun {
  /** Cycles of the marked region less those of the empty calibration region. */
  cycles: number;
  /** 0, or the VM status the invocation (or the load) ended with. */
  status: number;
  result: number;
  /** IR instructions the invocation ran (the VM variants report their fuel use). */
  instructions: number | undefined;
}

/** Writes the firmware made (harness lines "io <register> <value> <cycle>"), then the final cycle. */
interface IoWrite {
  register: number;
  value: number;
  cycle: bigint;
}

function parseHarnessOutput(text: string): IoWrite[] {
  const writes: IoWrite[] = [];
  for (const line of text.split("\n")) {
    const m = /^io (\d) (\d+) (\d+)$/.exec(line.trim());
    if (m) writes.push({ register: Number(m[1]), value: Number(m[2]), cycle: BigInt(m[3]!) });
  }
  return writes;
}

const u32 = (bytes: readonly number[]): number => (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;

/**
 * What a benchmark firmware's markers say: GPIOR0 gets 1, 2 (calibration),
 * 1, 2 (the kernel), then 3 + status; GPIOR1 the four result bytes after
 * the last marker, and before it, from the VM variants, four bytes of
 * instruction count.
 */
export function readBenchMarkers(writes: readonly IoWrite[], what: string): BenchRun {
  const marks = writes.filter((w) => w.register === 0);
  const end = marks.at(-1);
  const endAt = end ? writes.indexOf(end) : -1;
  const bytes = writes.filter((w, i) => w.register === 1 && i > endAt).map((w) => w.value);
  const counted = writes.filter((w, i) => w.register === 1 && i < endAt).map((w) => w.value);
  if (!end || end.value < 3 || bytes.length !== 4 || (counted.length !== 0 && counted.length !== 4)) {
    throw new BoardEmulationError("exited", `${what}: the firmware did not report a result`);
  }
  const instructions = counted.length === 4 ? u32(counted) : undefined;
  const status = end.value - 3;
  if (status !== 0) return { cycles: 0, status, result: 0, instructions };
  const values = marks.map((m) => m.value).join(",");
  if (values !== "1,2,1,2,3") throw new BoardEmulationError("exited", `${what}: unexpected markers ${values}`);
  const empty = marks[1]!.cycle - marks[0]!.cycle;
  const region = marks[3]!.cycle - marks[2]!.cycle;
  return { cycles: Number(region - empty), status: 0, result: u32(bytes), instructions };
}

export interface SimavrBenchOptions extends ToolchainOptions {
  /** The run fails after this many simulated cycles (default 200 million: 12.5 s of Uno time). */
  timeoutCycles?: bigint;
  harnessPath?: string;
}

/** Runs the firmware to its end under simavr (ATmega328P, 16 MHz) and reads its markers. */
export function runBenchFirmware(elf: string, what: string, options: SimavrBenchOptions = {}): BenchRun {
  const harness = options.harnessPath ?? buildSimavrBenchHarness(options);
  const limit = options.timeoutCycles ?? 200_000_000n;
  const r = spawnSync(harness, ["--mcu", "atmega328p", "--freq", "16000000", "--timeout-cycles", limit.toString(), elf], {
    encoding: "utf8",
    timeout: 300_000,
  });
  if (r.error) throw new BoardEmulationError("timeout", `${what}: simavr did not finish (${r.error.message})`);
  if (r.status !== 0) {
    const why = (r.stderr ?? "").trim().split("\n").at(-1) ?? `exit ${r.status}`;
    throw new BoardEmulationError(r.status === 5 ? "cycle-limit" : r.status === 3 ? "crashed" : "exited", `${what}: ${why}`);
  }
  return readBenchMarkers(parseHarnessOutput(r.stdout), what);
}
