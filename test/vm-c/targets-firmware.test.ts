// The link-device firmwares the emulated boards run (buildUnoDevice,
// buildMsp430Device: the whole firmware, not only the VM core) measured as
// `alkyvm run --size` measures them, against the budgets
// (boards/boards.ts): the Uno within 12 KB of flash and 1 KB of static RAM,
// the MSP430G2553 within its 16 KB of flash (less the 2 KB app store) and
// 512 B of RAM less the C stack. docs/performance.md has the numbers and the
// commit they were measured at.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boardById } from "../../boards/boards.js";
import { compileAlkyl } from "../../compiler/compile.js";
import { firmwareSize, type FirmwareSize } from "../../compiler/engines/elf-size.js";
import { buildMsp430Device, buildUnoDevice, DEVICE_INCLUDE_DIRS, REPO_ROOT, VM_C_DIR } from "../../compiler/engines/firmware-build.js";
import { MspdebugProcess } from "../../compiler/engines/mspdebug.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { LinkEngine } from "../../compiler/run/link-engine.js";
import { runSteps } from "../../compiler/run/session.js";
import { parseStepsFile } from "../../compiler/run/steps.js";

/** The feature switches a board's config header leaves in force (vm_config.h after it), read with the board's own preprocessor. */
function switches(compiler: string[], config: string): Record<string, number> {
  const args = [...compiler.slice(1), "-dM", "-E", `-DALKY_CONFIG_HEADER="config/${config}.h"`, ...DEVICE_INCLUDE_DIRS.map((d) => `-I${d}`), join(VM_C_DIR, "vm_config.h")];
  const r = spawnSync(compiler[0]!, args, { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`${compiler[0]} -E failed (run scripts/setup.sh if it is missing):\n${r.stderr}`);
  const out: Record<string, number> = {};
  for (const m of r.stdout.matchAll(/^#define (ALKY_WITH_\w+) (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

const budget = (board: string): { flash: number; ram: number } => boardById(board)!.budget!;
const sized = (elf: string, board: string): FirmwareSize => firmwareSize(elf, boardById(board)!.memory!);

/** Bytes of flash the MSP430 linker script keeps for the app store (STORE, vm-c/config/lpmsp430g2553.h). */
const MSP430_STORE_BYTES = 2048;
/** Bytes of the MSP430's C stack region that must stay untouched after the deepest runs below (a margin, so a stack reaching .bss fails). */
const MSP430_STACK_MARGIN = 16;

/**
 * Peak C stack of the MSP430 firmware while it installs `source` and runs
 * `steps` under mspdebug's simulator, whose RAM starts as 0xFF: the bytes
 * between the end of the static RAM and the top of RAM that were written.
 */
async function msp430StackPeak(source: string, profile: string, steps: string): Promise<{ peak: number; region: number; lines: number }> {
  const compiled = compileAlkyl(readFileSync(join(REPO_ROOT, source), "utf8"), source, { profile: profileByName(profile)! });
  if (!compiled.ok) throw new Error(`${source} does not compile`);
  const verified = verifyImage(compiled.bytes, { profile: profileByName(profile)! });
  if (!verified.ok) throw new Error(`${source} does not verify`);
  const parsed = parseStepsFile(readFileSync(join(REPO_ROOT, steps), "utf8"), steps);
  if (!parsed.ok) throw new Error(parsed.message);
  const elf = buildMsp430Device().elf;
  const map = boardById("lpmsp430g2553")!.memory!;
  const staticEnd = Math.max(...sized(elf, "lpmsp430g2553").sections.filter((x) => x.address >= map.ram.start && x.address < map.ram.end).map((x) => x.address + x.size));
  const device = await MspdebugProcess.start(elf);
  const engine = await LinkEngine.open(device, verified.value.image, compiled.bytes);
  try {
    let lines = 0;
    await runSteps(verified.value.image, profileByName(profile)!, engine, parsed.steps, () => lines++);
    const ram = await device.readMemory(staticEnd, map.ram.end - staticEnd);
    const untouched = ram.findIndex((b) => b !== 0xff);
    return { peak: untouched < 0 ? 0 : ram.length - untouched, region: ram.length, lines };
  } finally {
    await engine.close();
  }
}

describe("the Uno link-device firmware against its budget (run scripts/setup.sh if avr-gcc is missing)", () => {
  it("is built with the on-device verifier, storage and node calls, without 64/256-bit", () => {
    const s = switches(["avr-gcc", "-mmcu=atmega328p"], "uno");
    expect(s).toMatchObject({ ALKY_WITH_VERIFY: 1, ALKY_WITH_W64: 0, ALKY_WITH_W256: 0, ALKY_WITH_STORAGE: 1, ALKY_WITH_NCALL: 1 });
  });

  it("fits the 12 KB flash and 1 KB static RAM budgets", () => {
    const size = sized(buildUnoDevice().elf, "uno");
    expect(budget("uno")).toEqual({ flash: 12288, ram: 1024 });
    expect(size.flash).toBeLessThanOrEqual(budget("uno").flash);
    expect(size.ram).toBeLessThanOrEqual(budget("uno").ram);
  });
});

describe("the MSP430G2553 link-device firmware against its budget (run scripts/setup.sh if clang is missing)", () => {
  it("is built with the on-device verifier, without 64/256-bit", () => {
    const s = switches(["clang", "--target=msp430", "-mmcu=msp430g2553", "-ffreestanding"], "lpmsp430g2553");
    expect(s).toMatchObject({ ALKY_WITH_VERIFY: 1, ALKY_WITH_W64: 0, ALKY_WITH_W256: 0 });
  });

  it("fits the 16 KB of flash less the 2 KB app store, and 512 B of RAM less the C stack", () => {
    const size = sized(buildMsp430Device().elf, "lpmsp430g2553");
    expect(budget("lpmsp430g2553")).toEqual({ flash: 16384, ram: 416 });
    expect(size.flash).toBeLessThanOrEqual(budget("lpmsp430g2553").flash - MSP430_STORE_BYTES);
    expect(size.ram).toBeLessThanOrEqual(budget("lpmsp430g2553").ram);
  });

  // The budget's "working stack": the deepest paths are a syscall report
  // with a string argument (strings_params) and the smart lock's install
  // (LOAD_COMMIT runs the verifier) and key presses (docs/performance.md
  // has the measured peaks).
  it.each([
    ["examples/smartlock/lock.alkyl", "smartlock", "examples/smartlock/demo.steps"],
    ["test/conformance/strings_params.alkyl", "test", "test/conformance/strings_params.steps"],
  ])(`keeps ${MSP430_STACK_MARGIN} bytes of its C stack untouched while it installs and runs %s`, async (source, profile, steps) => {
    const r = await msp430StackPeak(source, profile, steps);
    expect(r.lines, "the run printed its trace").toBeGreaterThan(0);
    expect(r.peak, "the run used the C stack").toBeGreaterThan(0);
    expect(r.region - r.peak).toBeGreaterThanOrEqual(MSP430_STACK_MARGIN);
  }, 120_000);
});
