// The benchmark's results as data, as the JSON the CLI prints, and as the
// text table with overheads the way CapeVM reports them: percent of extra
// cycles over native C (0 % = as fast as native), per kernel and as the
// geometric mean of the ratios.

export interface BenchRow {
  kernel: string;
  width: number;
  native_cycles: number;
  aot_cycles: number;
  interp_cycles: number;
  /** Code size of the kernel: the C function(s), the AOT C function(s), the IR image. */
  native_bytes: number;
  aot_bytes: number;
  interp_bytes: number;
}

/** A row and what the JSON leaves out: the IR instructions one invocation of Run() runs (its fuel use). */
export interface KernelResult extends BenchRow {
  irInstructions: number;
}

/** Extra cycles over native in percent: 100 * (cycles / native - 1). */
export function overheadPercent(cycles: number, native: number): number {
  return 100 * (cycles / native - 1);
}

export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return Math.exp(values.reduce((s, v) => s + Math.log(v), 0) / values.length);
}

export interface BenchSummary {
  /** Geometric means of cycles / native cycles. */
  aotRatio: number;
  interpRatio: number;
}

export function summarize(rows: readonly BenchRow[]): BenchSummary {
  return {
    aotRatio: geometricMean(rows.map((r) => r.aot_cycles / r.native_cycles)),
    interpRatio: geometricMean(rows.map((r) => r.interp_cycles / r.native_cycles)),
  };
}

/** One JSON object per kernel, one per line (the order of the table). */
export function benchJsonLines(rows: readonly BenchRow[]): string[] {
  return rows.map((r) =>
    JSON.stringify({
      kernel: r.kernel,
      width: r.width,
      native_cycles: r.native_cycles,
      aot_cycles: r.aot_cycles,
      interp_cycles: r.interp_cycles,
      native_bytes: r.native_bytes,
      aot_bytes: r.aot_bytes,
      interp_bytes: r.interp_bytes,
    }),
  );
}

const percent = (p: number): string => `${p >= 0 ? "+" : ""}${p.toFixed(0)} %`;

/** The table as Markdown (for docs/performance.md and the terminal alike). */
export function benchTable(rows: readonly KernelResult[]): string[] {
  const lines = [
    "| kernel | width | native cycles | AOT cycles | AOT overhead | interp. cycles | interp. overhead | IR instructions | interp. cycles / instruction | native B | AOT B | image B |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.kernel} | ${r.width} | ${r.native_cycles} | ${r.aot_cycles} | ${percent(overheadPercent(r.aot_cycles, r.native_cycles))} | ${r.interp_cycles} | ${percent(overheadPercent(r.interp_cycles, r.native_cycles))} | ${r.irInstructions} | ${Math.round(r.interp_cycles / r.irInstructions)} | ${r.native_bytes} | ${r.aot_bytes} | ${r.interp_bytes} |`,
    );
  }
  const s = summarize(rows);
  lines.push(
    `| **geometric mean** (${rows.length}) | | | | **${percent(100 * (s.aotRatio - 1))}** (${s.aotRatio.toFixed(2)}x) | | **${percent(100 * (s.interpRatio - 1))}** (${s.interpRatio.toFixed(1)}x) | | | | | |`,
  );
  return lines;
}

/**
 * Cycles per 256-bit operation inside the kernels, per variant: (opKernel -
 * assign256) / 64. Both kernels draw the same input, run 64 operations and
 * hash the same way; assign256's operation is a copy, so the difference is
 * what an ADD or MUL costs beyond loading its second operand. Undefined when
 * either kernel was not measured.
 */
export function perOperation256(rows: readonly BenchRow[], op: "add" | "mul"): { native: number; aot: number; interp: number } | undefined {
  const k = rows.find((r) => r.kernel === `${op}256`);
  const base = rows.find((r) => r.kernel === "assign256");
  if (!k || !base) return undefined;
  const per = (a: number, b: number): number => Math.round((a - b) / 64);
  return { native: per(k.native_cycles, base.native_cycles), aot: per(k.aot_cycles, base.aot_cycles), interp: per(k.interp_cycles, base.interp_cycles) };
}

export interface Op256Line {
  op: "add" | "mul";
  /** Full 256-bit operands, or 32-bit values in 256-bit words. */
  operands: "full" | "small";
  cycles: number;
  bigNumber: number;
  target: number;
}

/** The 256-bit operations against the paper's BigNumber figures and the target speed-up. */
export function op256Lines(ops: readonly Op256Line[], rows: readonly BenchRow[]): string[] {
  const lines = [
    "",
    "| 256-bit operation | operands | cycles, one `alky_big_binop` | per op. in the kernels: native / AOT / interp. | paper's BigNumber | speed-up | target |",
    "|---|---|---:|---:|---:|---:|---|",
  ];
  for (const o of ops) {
    const speedup = o.bigNumber / o.cycles;
    const k = o.operands === "full" ? perOperation256(rows, o.op) : undefined;
    const inKernels = o.operands !== "full" ? "" : k ? `${k.native} / ${k.aot} / ${k.interp}` : `(needs ${o.op}256 and assign256)`;
    lines.push(
      `| ${o.op.toUpperCase()} | ${o.operands === "full" ? "256-bit" : "32-bit values"} | ${o.cycles} | ${inKernels} | ${o.bigNumber} | ${speedup.toFixed(2)}x | ${o.target}x: ${speedup >= o.target ? "met" : "**missed**"} |`,
    );
  }
  return lines;
}
