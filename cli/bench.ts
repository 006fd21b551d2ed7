// `alkyvm bench --board uno|lpmsp430g2553 [--json] [--kernel NAME[,NAME...]]... [--chart FILE]`:
// the kernels of bench/kernels/ as native C, AOT code and interpreted IR on
// the board's simulator, cycles of the kernel region and code sizes
// (docs/performance.md, "Benchmarks"). On the MSP430 only the kernels that
// fit are measured; the others are named.

import { dirname, join } from "node:path";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { boardById, BOARDS } from "../boards/boards.js";
import { BUILD_ROOT } from "../compiler/engines/firmware-build.js";
import { BoardEmulationError } from "../compiler/engines/transport.js";
import { listKernels, selectKernels } from "../compiler/bench/kernels.js";
import { BIGNUMBER_CYCLES, BIGNUMBER_SPEEDUP_TARGET, benchOp256 } from "../compiler/bench/op256.js";
import { benchJsonLines, benchTable, op256Lines, type KernelResult, type Op256Line } from "../compiler/bench/report.js";
import { msp430Unsupported } from "../compiler/bench/msp430-firmwares.js";
import { BenchResultError, benchMsp430Kernel, benchUnoKernel } from "../compiler/bench/run-bench.js";
import { overheadChartSvg } from "../compiler/bench/svg-chart.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { CliError, writeAtomically } from "./files.js";

/** The boards the bench runs on, with their simulator (for the chart's subtitle). */
const BENCH_BOARDS: Record<string, string> = { uno: "simavr", lpmsp430g2553: "mspdebug's simulator" };

/** The row, or none when one of the kernel's firmwares does not fit the chip's flash (the linker says so). */
function fitting(measure: () => KernelResult): KernelResult[] {
  try {
    return [measure()];
  } catch (e) {
    if (e instanceof BoardEmulationError && e.kind === "build-failed" && /will not fit in region|overflowed by/.test(e.message)) return [];
    throw e;
  }
}

export function defaultChartPath(board: string): string {
  return join(BUILD_ROOT, "bench", `bench-${board}.svg`);
}

export function cmdBench(argv: string[], out: (line: string) => void, progress: (line: string) => void): void {
  const args = parseArgs(argv, { valued: ["--board", "--kernel", "--chart"], flags: ["--json"] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const id = optionValue(args, "--board");
  const available = Object.keys(BENCH_BOARDS).join(", ");
  if (id === undefined) throw new UsageError(`--board is required (${available})`);
  if (!boardById(id)) throw new UsageError(`unknown board '${id}' (known: ${BOARDS.map((b) => b.id).join(", ")})`);
  if (!(id in BENCH_BOARDS)) throw new UsageError(`the bench does not run on board '${id}' (available: ${available})`);
  const names = args.options.filter((o) => o.name === "--kernel").flatMap((o) => o.value.split(",").map((n) => n.trim()));
  if (names.some((n) => n === "")) throw new UsageError("--kernel needs kernel names, e.g. --kernel add8,mul256");
  const selection = selectKernels(listKernels(), names);
  if (!selection.ok) throw new UsageError(selection.message);
  if (selection.kernels.length === 0) throw new CliError("alkyvm bench: no kernels in bench/kernels/");
  const chartOption = optionValue(args, "--chart");
  const chart = chartOption ?? defaultChartPath(id);
  if (chartOption === undefined) mkdirSync(dirname(chart), { recursive: true });
  else if (!existsSync(dirname(chart)) || !statSync(dirname(chart)).isDirectory()) throw new CliError(`${chart}: no such directory '${dirname(chart)}'`);

  const json = args.flags.has("--json");
  const rows: KernelResult[] = [];
  const skipped: string[] = [];
  const ops: Op256Line[] = [];
  try {
    selection.kernels.forEach((kernel, i) => {
      progress(`bench: ${kernel.name} (${i + 1}/${selection.kernels.length})`);
      if (id === "uno") {
        rows.push(benchUnoKernel(kernel));
        return;
      }
      const unsupported = msp430Unsupported(kernel);
      const measured = unsupported ? [] : fitting(() => benchMsp430Kernel(kernel));
      if (measured.length === 0) skipped.push(`${kernel.name} (${unsupported ?? "a firmware does not fit the 16 KB of flash"})`);
      rows.push(...measured);
    });
    // The text report also compares one 256-bit ADD and MUL with the paper's BigNumber.
    if (!json && id === "uno") {
      for (const op of ["add", "mul"] as const) {
        for (const operands of ["full", "small"] as const) {
          progress(`bench: one 256-bit ${op} (${operands} operands)`);
          ops.push({ op, operands, cycles: benchOp256(op, operands).cycles, bigNumber: BIGNUMBER_CYCLES[op], target: BIGNUMBER_SPEEDUP_TARGET });
        }
      }
    }
  } catch (e) {
    if (e instanceof BoardEmulationError || e instanceof BenchResultError) throw new CliError(`alkyvm bench: ${e.message.split("\n")[0]}`);
    throw e;
  }
  if (rows.length === 0) throw new CliError(`alkyvm bench: no selected kernel runs on board '${id}': ${skipped.join(", ")}`);

  const board = boardById(id)!;
  writeAtomically(
    chart,
    overheadChartSvg(rows, { title: `AlkyVM overhead over native C: ${board.name}`, subtitle: `${rows.length} kernels of bench/kernels/, cycles under ${BENCH_BOARDS[id]}; alkyvm bench --board ${id}` }),
  );
  if (json) {
    for (const line of benchJsonLines(rows)) out(line);
    return;
  }
  for (const line of [...benchTable(rows), ...(ops.length > 0 ? op256Lines(ops, rows) : [])]) out(line);
  if (skipped.length > 0) out(`not measured: ${skipped.join(", ")}`);
  out(`chart: ${chart}`);
}
