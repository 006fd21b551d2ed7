// `alkyvm run --size` on the AOT board backends builds the firmware with the
// app compiled in and measures it: more flash than the interpreter firmware
// alone, still within the chip.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { boardById } from "../../boards/boards.js";
import { firmwareSize } from "../../compiler/engines/elf-size.js";
import { buildMsp430Firmware, msp430DeviceFirmware } from "../../compiler/engines/firmware-build.js";
import { backendByName } from "../../compiler/run/backends.js";
import { compileApp } from "../helpers/backends.js";
import { alkyvm, ensureBuilt, ROOT } from "../helpers/cli.js";

const LOCK = "examples/smartlock/lock.alkyl";

beforeAll(() => ensureBuilt(), 180_000);

describe("alkyvm run --size --backend msp430-aot", () => {
  it("prints the firmware with the app against the LaunchPad's budget, then runs the steps", () => {
    const r = alkyvm(["run", LOCK, "--profile", "smartlock", "--backend", "msp430-aot", "--size", "--steps", "examples/smartlock/demo.steps"]);
    expect(r.stderr).toBe("");
    const [size, ...trace] = r.stdout.trim().split("\n");
    const m = /^lpmsp430g2553: flash (\d+) bytes \(budget 16384, chip 16384\), static RAM (\d+) bytes \(budget 416, chip 512\): within budget$/.exec(size!);
    expect(m, size).not.toBeNull();
    expect(trace).toEqual(["syscall IncorrectBeep()", "syscall Unlock()"]);

    // The lock's AOT code is in it: more than the interpreter firmware, which the app does not change,
    // built as the AOT one is without the on-device verifier (vm-c/config/lpmsp430g2553.h, docs/aot.md).
    const app = compileApp(readFileSync(join(ROOT, LOCK), "utf8"), "smartlock");
    const device = msp430DeviceFirmware();
    const unverified = buildMsp430Firmware({ ...device, name: "msp430_device_unverified", defines: [...device.defines, "ALKY_WITH_VERIFY=0"] });
    const interpreter = firmwareSize(unverified.elf, boardById("lpmsp430g2553")!.memory!).flash;
    expect(interpreter).toBeLessThan(backendByName("msp430")!.firmwareSize!(app).flash);
    expect(Number(m![1])).toBeGreaterThan(interpreter + 400);
    expect(Number(m![1])).toBe(backendByName("msp430-aot")!.firmwareSize!(app).flash);
  }, 240_000);
});
