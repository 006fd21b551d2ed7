// Exactly-once commands over a faulty link to the emulated Arduino Uno
// (simavr): the fault-injection run of fault-injection.test.ts at one
// moderate setting, every fault at once (docs/security.md).

import { describe, expect, it } from "vitest";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { LINK_FAULTS } from "../../compiler/link/fault-proxy.js";
import { checkRun } from "./fault-check.js";
import { describeRun, faultRun } from "./fault-run.js";

const seed = Number(process.env.ALKY_FAULT_SEED ?? 0x1a2b3c) >>> 0;

describe("link fault injection on the emulated Uno", () => {
  it("every fault at once at 3 %: no wrong answer, nothing run twice, HELLO answered afterwards", async () => {
    const firmware = buildUnoDevice();
    console.log(`[fault-injection uno] firmware text ${firmware.sizes.text} B, data+bss ${firmware.sizes.data + firmware.sizes.bss} B`);
    const device = await SimavrProcess.start(firmware.elf, { wallTimeoutMs: 120_000 });
    try {
      const r = await faultRun(device, {
        rates: Object.fromEntries(LINK_FAULTS.map((k) => [k, 0.03])),
        seed,
        commands: 40,
        retryMs: 400,
        timeoutMs: 4_000,
        maxDelayMs: 30,
        maxEcho: 50,
      });
      console.log(`[fault-injection uno] ${describeRun(r)}`);
      checkRun(r);
      expect(r.ok).toBeGreaterThan(20);
    } finally {
      await device.close();
    }
  }, 120_000);
});
