// `alkyvm bench --board uno`: the real command on a few kernels (native C,
// AOT code and the interpreter, each under simavr), its JSON and table, the
// chart, the agreement check, and its refusals of bad input. The whole
// catalogue is measured for docs/performance.md, not here: three kernels keep
// this file at about a minute on a cold build cache.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT, type CliResult } from "../helpers/cli.js";
import { compile, Device } from "../lang/helpers.js";
import { compileKernel, listKernels, selectKernels } from "../../compiler/bench/kernels.js";
import { buildUnoBenchFirmwares } from "../../compiler/bench/avr-firmwares.js";
import { runBenchFirmware } from "../../compiler/bench/simavr-bench.js";
import { BenchResultError, benchUnoKernel } from "../../compiler/bench/run-bench.js";
import { benchTable, geometricMean, overheadPercent, perOperation256, type BenchRow, type KernelResult } from "../../compiler/bench/report.js";
import { benchOp256, expectedOp256Result } from "../../compiler/bench/op256.js";
import { overheadChartSvg } from "../../compiler/bench/svg-chart.js";

const KERNELS = ["add8", "crc16", "mul256"];
const KEYS = ["kernel", "width", "native_cycles", "aot_cycles", "interp_cycles", "native_bytes", "aot_bytes", "interp_bytes"];

function bench(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "alkyvm.js"), "bench", ...args], { cwd: ROOT, encoding: "utf8", timeout: 600_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const kernel = (name: string) => {
  const k = listKernels().find((x) => x.name === name);
  if (!k) throw new Error(`no kernel ${name}`);
  return k;
};

/** Run()'s result on the reference VM: what every variant must report. */
function referenceResult(name: string): number {
  return Number(new Device(compile(readFileSync(kernel(name).alkylFile, "utf8"))).value("Run"));
}

let dir: string;
let rows: Record<string, unknown>[];
let jsonRun: CliResult;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "alkyvm-bench-"));
  jsonRun = bench(["--board", "uno", "--json", "--kernel", KERNELS.join(","), "--chart", join(dir, "chart.svg")]);
  rows = jsonRun.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}, 600_000);

describe("alkyvm bench --board uno --json", () => {
  it("exits 0 and prints one JSON object per selected kernel, in catalogue order, with exactly the documented keys", () => {
    expect(jsonRun.stderr).toContain(`bench: mul256 (3/3)`);
    expect(jsonRun.status).toBe(0);
    expect(rows.map((r) => r.kernel)).toEqual(KERNELS);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(KEYS);
      for (const k of KEYS.slice(1)) expect(Number.isInteger(r[k]), `${r.kernel}.${k}`).toBe(true);
    }
    expect(rows.map((r) => r.width)).toEqual([8, 16, 256]);
  });

  it("measures plausible cycles: positive, the interpreter slower than native C and than the AOT code", () => {
    for (const r of rows as unknown as BenchRow[]) {
      expect(r.native_cycles, r.kernel).toBeGreaterThan(0);
      expect(r.aot_cycles, r.kernel).toBeGreaterThan(0);
      expect(r.interp_cycles, r.kernel).toBeGreaterThan(r.native_cycles);
      expect(r.interp_cycles, r.kernel).toBeGreaterThan(r.aot_cycles);
    }
  });

  it("reports the IR image's length as the interpreter's code size, and the C functions' sizes for native and AOT", () => {
    for (const r of rows as unknown as BenchRow[]) {
      expect(r.interp_bytes, r.kernel).toBe(compileKernel(kernel(r.kernel)).bytes.length);
      expect(r.native_bytes, r.kernel).toBeGreaterThan(20);
      expect(r.aot_bytes, r.kernel).toBeGreaterThan(20);
      // The AVR has 32 KB of flash, the kernel is a small part of it.
      expect(r.native_bytes + r.aot_bytes, r.kernel).toBeLessThan(32 * 1024);
    }
  });

  it("writes the chart to --chart: an SVG with two labelled bars per kernel", () => {
    const svg = readFileSync(join(dir, "chart.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    for (const k of KERNELS) expect(svg).toContain(`>${k}</text>`);
    expect(svg.match(/<rect [^>]*height="7"/g)).toHaveLength(2 * KERNELS.length);
  });
});

describe("the three variants compute the same result", () => {
  it("native, AOT and interpreted add8 report Run()'s result on the reference VM", () => {
    const k = kernel("add8");
    const fw = buildUnoBenchFirmwares(k, compileKernel(k));
    const expected = referenceResult("add8");
    for (const v of ["native", "aot", "interp"] as const) {
      const r = runBenchFirmware(fw[v].elf, v);
      expect(r.status, v).toBe(0);
      expect(r.result, v).toBe(expected);
      // The VM variants report their fuel use: add8 runs 2709 IR instructions on the reference VM.
      expect(r.instructions, v).toBe(v === "native" ? undefined : 2709);
    }
  }, 300_000);

  it("a kernel whose C and Alkyl disagree is refused, naming the variants' results", () => {
    const mismatched = { ...kernel("add8"), alkylFile: kernel("add16").alkylFile };
    expect(() => benchUnoKernel(mismatched)).toThrow(BenchResultError);
    expect(() => benchUnoKernel(mismatched)).toThrow(`add8: the variants disagree: native ${referenceResult("add8")}, aot ${referenceResult("add16")}`);
  }, 300_000);
});

describe("one 256-bit operation of the VM (the paper's BigNumber comparison)", () => {
  it("ADD and MUL of full-width LCG operands give BigInt's result, MUL costing more than ADD", () => {
    const add = benchOp256("add");
    const mul = benchOp256("mul");
    expect(expectedOp256Result("add")).not.toBe(expectedOp256Result("mul"));
    expect(add.cycles).toBeGreaterThan(32); // at least a cycle per byte
    expect(mul.cycles).toBeGreaterThan(add.cycles);
  }, 300_000);

  it("MUL of 32-bit values in 256-bit words gives BigInt's result and is cheaper than at full width (zero bytes skipped)", () => {
    expect(expectedOp256Result("mul", "small")).not.toBe(expectedOp256Result("mul", "full"));
    expect(benchOp256("mul", "small").cycles).toBeLessThan(benchOp256("mul", "full").cycles);
  }, 300_000);
});

describe("alkyvm bench: the text table", () => {
  it("prints the table with overheads and the geometric means, and where the chart went", () => {
    const r = bench(["--board", "uno", "--kernel", "add8", "--chart", join(dir, "one.svg")]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\| kernel \| width \| native cycles \| AOT cycles \| AOT overhead \|/);
    // add8 runs 2709 IR instructions on the reference VM (bench/kernels/README.md).
    expect(lines[2]).toMatch(/^\| add8 \| 8 \| \d+ \| \d+ \| \+\d+ % \| \d+ \| \+\d+ % \| 2709 \| \d+ \|/);
    expect(lines[3]).toMatch(/^\| \*\*geometric mean\*\* \(1\)/);
    // One 256-bit ADD and MUL of the VM against the paper's BigNumber (1159 and 2666 cycles).
    expect(lines[7]).toMatch(/^\| ADD \| 256-bit \| \d+ \| \(needs add256 and assign256\) \| 1159 \| \d+\.\d\dx \| 5x: (met|\*\*missed\*\*) \|$/);
    expect(lines[8]).toMatch(/^\| ADD \| 32-bit values \| \d+ \| {2}\| 1159 \|/);
    expect(lines[9]).toMatch(/^\| MUL \| 256-bit \| \d+ \| .* \| 2666 \|/);
    expect(lines[10]).toMatch(/^\| MUL \| 32-bit values \| \d+ \| {2}\| 2666 \|/);
    expect(lines.at(-1)).toBe(`chart: ${join(dir, "one.svg")}`);
    expect(existsSync(join(dir, "one.svg"))).toBe(true);
  }, 300_000);
});

describe("alkyvm bench --board lpmsp430g2553 (mspdebug's simulator)", () => {
  it("measures the kernels that fit the MSP430 build, with the same JSON, and checks the variants agree", () => {
    const r = bench(["--board", "lpmsp430g2553", "--json", "--kernel", "add8", "--chart", join(dir, "msp430.svg")]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as BenchRow);
    expect(lines).toHaveLength(1);
    const row = lines[0]!;
    expect(Object.keys(row)).toEqual(KEYS);
    expect(row.kernel).toBe("add8");
    expect(row.native_cycles).toBeGreaterThan(0);
    expect(row.aot_cycles).toBeGreaterThan(row.native_cycles);
    expect(row.interp_cycles).toBeGreaterThan(row.aot_cycles);
    expect(row.interp_bytes).toBe(compileKernel(kernel("add8")).bytes.length);
    expect(readFileSync(join(dir, "msp430.svg"), "utf8")).toContain("mspdebug");
  }, 600_000);

  it("names the kernels the MSP430 build cannot run, and fails when none is left", () => {
    const r = bench(["--board", "lpmsp430g2553", "--kernel", "add64,mul256"]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      "alkyvm bench: no selected kernel runs on board 'lpmsp430g2553': add64 (64-bit arithmetic is not in the MSP430 build), mul256 (256-bit arithmetic is not in the MSP430 build)",
    );
    expect(r.stdout).toBe("");
  });
});

describe("alkyvm bench: bad input is refused with one line, before anything is built", () => {
  it.each([
    [["--kernel", "add8"], 2, "--board is required"],
    [["--board", "mega"], 2, "unknown board 'mega'"],
    [["--board", "native"], 2, "the bench does not run on board 'native'"],
    [["--board", "uno", "--kernel", "nosuch"], 2, "unknown kernel 'nosuch'"],
    [["--board", "uno", "--kernel", "add8,"], 2, "--kernel needs kernel names"],
    [["--board", "uno", "--chart", "/nonexistent-dir/x.svg"], 1, "no such directory '/nonexistent-dir'"],
  ])("%j", (args, status, message) => {
    const r = bench(args as string[]);
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });
});

describe("the report's arithmetic", () => {
  it("overhead is percent over native; the mean is geometric", () => {
    expect(overheadPercent(150, 100)).toBe(50);
    expect(overheadPercent(100, 100)).toBe(0);
    expect(geometricMean([1, 4])).toBeCloseTo(2, 12);
    const rows: KernelResult[] = [
      { kernel: "a", width: 8, native_cycles: 100, aot_cycles: 100, interp_cycles: 1000, native_bytes: 1, aot_bytes: 1, interp_bytes: 1, irInstructions: 10 },
      { kernel: "b", width: 8, native_cycles: 100, aot_cycles: 400, interp_cycles: 10000, native_bytes: 1, aot_bytes: 1, interp_bytes: 1, irInstructions: 10 },
    ];
    expect(benchTable(rows)[2]).toBe("| a | 8 | 100 | 100 | +0 % | 1000 | +900 % | 10 | 100 | 1 | 1 | 1 |");
    expect(benchTable(rows).at(-1)).toBe("| **geometric mean** (2) | | | | **+100 %** (2.00x) | | **+3062 %** (31.6x) | | | | | |");
    const svg = overheadChartSvg(rows, { title: "t <&>", subtitle: "s" });
    expect(svg).toContain("t &lt;&amp;&gt;");
    expect(svg).toContain("+300 %");
  });

  it("per 256-bit operation in the kernels: (op256 - assign256) / 64 per variant", () => {
    const row = (kernel: string, c: number): BenchRow => ({ kernel, width: 256, native_cycles: c, aot_cycles: 2 * c, interp_cycles: 3 * c, native_bytes: 1, aot_bytes: 1, interp_bytes: 1 });
    expect(perOperation256([row("add256", 6400), row("assign256", 3200)], "add")).toEqual({ native: 50, aot: 100, interp: 150 });
    expect(perOperation256([row("add256", 6400)], "add")).toBeUndefined();
  });

  it("selects kernels by name and refuses unknown ones", () => {
    const all = listKernels();
    expect(all.length).toBeGreaterThanOrEqual(35);
    const s = selectKernels(all, ["mul256", "add8"]);
    expect(s.ok && s.kernels.map((k) => k.name)).toEqual(["add8", "mul256"]);
    expect(selectKernels(all, ["md6"])).toMatchObject({ ok: false });
    expect(all.find((k) => k.name === "md5")?.width).toBe(32);
  });
});
