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
export function benchTable(rows: readonly BenchRow[]): string[] {
  const lines = [
    "| kernel | width | native cycles | AOT cycles | AOT overhead | interp. cycles | interp. overhead | native B | AOT B | image B |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.kernel} | ${r.width} | ${r.native_cycles} | ${r.aot_cycles} | ${percent(overheadPercent(r.aot_cycles, r.native_cycles))} | ${r.interp_cycles} | ${percent(overheadPercent(r.interp_cycles, r.native_cycles))} | ${r.native_bytes} | ${r.aot_bytes} | ${r.interp_bytes} |`,
    );
  }
  const s = summarize(rows);
  lines.push(
    `| **geometric mean** (${rows.length}) | | | | **${percent(100 * (s.aotRatio - 1))}** (${s.aotRatio.toFixed(2)}x) | | **${percent(100 * (s.interpRatio - 1))}** (${s.interpRatio.toFixed(1)}x) | | | |`,
  );
  return lines;
}
