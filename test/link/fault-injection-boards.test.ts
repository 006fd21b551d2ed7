// Exactly-once commands over a faulty link to the emulated boards: the
// fault-injection run of fault-injection.test.ts at one moderate setting,
// every fault at once, on the Arduino Uno (simavr) and the MSP430G2553
// (mspdebug's simulator) (docs/security.md).

import { describe, expect, it } from "vitest";
import { buildMsp430Device, buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { MspdebugProcess } from "../../compiler/engines/mspdebug.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import type { ByteTransport } from "../../compiler/engines/transport.js";
import { LINK_FAULTS } from "../../compiler/link/fault-proxy.js";
import { checkRun } from "./fault-check.js";
import { describeRun, faultRun } from "./fault-run.js";

const seed = Number(process.env.ALKY_FAULT_SEED ?? 0x1a2b3c) >>> 0;

const BOARDS = [
  {
    name: "uno",
    start: async (): Promise<ByteTransport> => {
      const firmware = buildUnoDevice();
      console.log(`[fault-injection uno] firmware text ${firmware.sizes.text} B, data+bss ${firmware.sizes.data + firmware.sizes.bss} B`);
      return SimavrProcess.start(firmware.elf, { wallTimeoutMs: 120_000 });
    },
    // A string argument longer than the Uno's 64-byte payload goes on in ARGS frames.
    maxEcho: 50,
  },
  {
    name: "msp430",
    start: async (): Promise<ByteTransport> => MspdebugProcess.start(buildMsp430Device().elf, { runTimeoutMs: 120_000 }),
    maxEcho: 20,
  },
];

describe("link fault injection on the emulated boards", () => {
  for (const board of BOARDS) {
    it(`${board.name}: every fault at once at 3 %: no wrong answer, nothing run twice, HELLO answered afterwards`, async () => {
      const device = await board.start();
      try {
        const r = await faultRun(device, {
          rates: Object.fromEntries(LINK_FAULTS.map((k) => [k, 0.03])),
          seed,
          commands: 40,
          retryMs: 1_000,
          timeoutMs: 10_000,
          maxDelayMs: 30,
          maxEcho: board.maxEcho,
        });
        console.log(`[fault-injection ${board.name}] ${describeRun(r)}`);
        checkRun(r);
        expect(r.ok).toBeGreaterThan(20);
      } finally {
        await device.close();
      }
    }, 180_000);
  }
});
