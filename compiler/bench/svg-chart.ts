// The overhead chart of the benchmark as a self-contained SVG: per kernel a
// bar for the AOT code and one for the interpreter, length = cycles / native
// cycles on a logarithmic axis (the interpreter is orders of magnitude slower
// than AOT code, so a linear axis would flatten the AOT bars), labelled with
// the overhead in percent as in the table.

import { overheadPercent, summarize, type BenchRow } from "./report.js";

const BAR = 8;
const ROW = 2 * BAR + 8;
const LEFT = 120;
const PLOT = 640;
const RIGHT = 110;
const TOP = 56;
const COLORS = { aot: "#2b6cb0", interp: "#dd6b20" };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const fmtPercent = (p: number): string => `${p >= 0 ? "+" : ""}${Math.round(p)} %`;

export interface ChartOptions {
  title: string;
  /** A line under the title: board, toolchain, commit. */
  subtitle: string;
}

export function overheadChartSvg(rows: readonly BenchRow[], options: ChartOptions): string {
  const ratios = rows.flatMap((r) => [r.aot_cycles / r.native_cycles, r.interp_cycles / r.native_cycles]);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(1, ...ratios))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(10, ...ratios))));
  const x = (ratio: number): number => LEFT + (PLOT * Math.log10(ratio / lo)) / Math.log10(hi / lo);
  const summary = summarize(rows);
  const height = TOP + rows.length * ROW + 70;
  const width = LEFT + PLOT + RIGHT;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="20" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<text x="${LEFT}" y="38" fill="#444">${escapeXml(options.subtitle)}</text>`,
  ];
  const plotBottom = TOP + rows.length * ROW;
  for (let t = lo; t <= hi * 1.0001; t *= 10) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" y1="${TOP - 4}" x2="${tx}" y2="${plotBottom}" stroke="#ccc"/>`);
    out.push(`<text x="${tx}" y="${plotBottom + 14}" text-anchor="middle" fill="#444">${t >= 1 ? `${t}x` : `${t.toFixed(-Math.log10(t))}x`}</text>`);
  }
  out.push(`<line x1="${x(1).toFixed(1)}" y1="${TOP - 4}" x2="${x(1).toFixed(1)}" y2="${plotBottom}" stroke="#000"/>`);
  rows.forEach((r, i) => {
    const y = TOP + i * ROW;
    out.push(`<text x="${LEFT - 6}" y="${y + BAR + 4}" text-anchor="end">${escapeXml(r.kernel)}</text>`);
    const bars: [keyof typeof COLORS, number][] = [
      ["aot", r.aot_cycles],
      ["interp", r.interp_cycles],
    ];
    bars.forEach(([kind, cycles], k) => {
      const ratio = cycles / r.native_cycles;
      const x0 = x(Math.min(1, ratio));
      const x1 = x(Math.max(1, ratio));
      const by = y + k * BAR;
      out.push(`<rect x="${x0.toFixed(1)}" y="${by}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${BAR - 1}" fill="${COLORS[kind]}"/>`);
      out.push(`<text x="${(x1 + 4).toFixed(1)}" y="${by + BAR - 1}" font-size="9" fill="#333">${fmtPercent(overheadPercent(cycles, r.native_cycles))}</text>`);
    });
  });
  const ly = plotBottom + 34;
  out.push(`<text x="${LEFT + PLOT / 2}" y="${plotBottom + 28}" text-anchor="middle" fill="#444">cycles / native C cycles (log scale); labels: overhead over native</text>`);
  out.push(`<rect x="${LEFT}" y="${ly + 4}" width="12" height="8" fill="${COLORS.aot}"/>`);
  out.push(`<text x="${LEFT + 16}" y="${ly + 12}">AOT (geometric mean ${fmtPercent(100 * (summary.aotRatio - 1))}, ${summary.aotRatio.toFixed(2)}x)</text>`);
  out.push(`<rect x="${LEFT + 330}" y="${ly + 4}" width="12" height="8" fill="${COLORS.interp}"/>`);
  out.push(`<text x="${LEFT + 346}" y="${ly + 12}">interpreter (geometric mean ${fmtPercent(100 * (summary.interpRatio - 1))}, ${summary.interpRatio.toFixed(1)}x)</text>`);
  out.push("</svg>", "");
  return out.join("\n");
}
