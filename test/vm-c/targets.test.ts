// The VM core compiles warning-free for the two MCUs (avr-gcc 5.4 for the
// ATmega328P, clang for the MSP430G2553) in every configuration of
// vm-c/tools/sizes.sh, and its code stays within the sizes docs/vm-c.md
// reports (a regression guard with a little headroom, not a tight budget).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requireTool, ROOT } from "./c-vm.js";

interface Row {
  config: string;
  avr: number;
  msp430: number;
}

let rows: Row[] | undefined;

function sizes(): Row[] {
  if (rows) return rows;
  requireTool("avr-gcc");
  requireTool("clang");
  const r = spawnSync("bash", [join(ROOT, "vm-c", "tools", "sizes.sh")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`vm-c/tools/sizes.sh failed:\n${r.stderr}${r.stdout}`);
  rows = r.stdout
    .split("\n")
    .filter((l) => /^\| .* \| \d+ \| \d+ \|$/.test(l))
    .map((l) => {
      const cells = l.split("|").map((c) => c.trim());
      return { config: cells[1]!, avr: Number(cells[2]), msp430: Number(cells[3]) };
    });
  return rows;
}

function row(prefix: string): Row {
  const found = sizes().find((r) => r.config.startsWith(prefix));
  if (!found) throw new Error(`no configuration ${prefix} in sizes.sh output`);
  return found;
}

describe("vm-c on the MCUs (run scripts/setup.sh if a toolchain is missing)", () => {
  // sizes.sh builds eight configurations: about 50 s alone, longer next to other tests.
  it("compiles with avr-gcc and clang --target=msp430, -Wall -Wextra -Werror, in all four configurations", () => {
    expect(sizes().map((r) => r.config)).toHaveLength(4);
  }, 240_000);

  it("the full configuration stays under 12.5 KB of AVR code and 14.5 KB of MSP430 code", () => {
    expect(row("full").avr).toBeLessThan(12.5 * 1024);
    expect(row("full").msp430).toBeLessThan(14.5 * 1024);
  });

  it("the smallest configuration (no verifier, no 64/256-bit) stays under 7.75 KB on the AVR and 8.5 KB on the MSP430", () => {
    const small = row("no verifier, no 64/256-bit");
    expect(small.avr).toBeLessThan(7.75 * 1024);
    expect(small.msp430).toBeLessThan(8.5 * 1024);
  });
});
