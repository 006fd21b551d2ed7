// Exactly-once commands over a faulty link (docs/link.md §4.6): the counter
// app's calls through the fault-injection proxy against the host C device,
// at several rates of each fault and combined. Every command must come back
// right or be reported failed, none may run twice, and the device must
// answer a plain HELLO afterwards. The counts are printed (docs/security.md).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildHostDevice } from "../../compiler/engines/firmware-build.js";
import { PipeProcess } from "../../compiler/engines/pipe.js";
import { LINK_FAULTS, parseFaultSpec, type LinkFaultRates } from "../../compiler/link/fault-proxy.js";
import { checkRun } from "./fault-check.js";
import { describeRun, faultRun, type FaultRunResult } from "./fault-run.js";

let exe = "";
let sealedExe = "";
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
const open: PipeProcess[] = [];
beforeAll(() => {
  exe = buildHostDevice();
  sealedExe = buildHostDevice({ linkKey: KEY });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

const seed = Number(process.env.ALKY_FAULT_SEED ?? 0x1a2b3c) >>> 0;

async function run(rates: LinkFaultRates, commands: number, s = seed, sealed = false): Promise<FaultRunResult> {
  const device = sealed ? PipeProcess.start(sealedExe, ["--store", join(mkdtempSync(join(tmpdir(), "alky-faults-")), "device.store")]) : PipeProcess.start(exe);
  open.push(device);
  const r = await faultRun(device, { rates, seed: s, commands, retryMs: 120, timeoutMs: 1_500, maxDelayMs: 30, ...(sealed ? { key: KEY } : {}) });
  console.log(`[fault-injection c${sealed ? " sealed" : ""}] ${describeRun(r)}`);
  checkRun(r);
  return r;
}

describe("link fault injection on the host C device", () => {
  it("parses fault specs and refuses bad ones in one line", () => {
    expect(parseFaultSpec("flip=0.05,drop=0.1,delay-ms=20")).toEqual({ ok: true, rates: { flip: 0.05, drop: 0.1 }, maxDelayMs: 20 });
    expect(parseFaultSpec("all=0.02")).toEqual({ ok: true, rates: Object.fromEntries(LINK_FAULTS.map((k) => [k, 0.02])) });
    expect(parseFaultSpec("flip=2")).toEqual({ ok: false, reason: "rate 2 of flip is not between 0 and 1" });
    expect(parseFaultSpec("melt=0.1")).toMatchObject({ ok: false });
    expect(parseFaultSpec("drop")).toEqual({ ok: false, reason: `"drop" is not kind=number` });
  });

  it("without faults every command comes back right and nothing is sent twice", async () => {
    const r = await run({}, 60);
    expect(r.ok).toBe(60);
    expect(r.resent).toBe(0);
    expect(r.finalCounter).toBe(r.counterValues.length);
  });

  for (const kind of LINK_FAULTS) {
    it(`${kind} at 5 % and 20 % of frames`, async () => {
      for (const rate of [0.05, 0.2]) {
        const r = await run({ [kind]: rate }, 50);
        const faulted = r.faults.toDevice[kind] + r.faults.toNode[kind];
        expect(faulted, `some frames were faulted (${kind})`).toBeGreaterThan(0);
        // Faults that only slow a frame or repeat it never cost a command.
        if (kind === "delay" || kind === "duplicate") expect(r.failed).toBe(0);
      }
    }, 60_000);
  }

  it("every fault at once, at 3 % and 8 % each", async () => {
    for (const rate of [0.03, 0.08]) {
      const r = await run(Object.fromEntries(LINK_FAULTS.map((k) => [k, rate])), 80);
      expect(r.ok).toBeGreaterThan(40);
    }
  }, 90_000);

  it("every fault at once at 8 % over a sealed link: nothing altered is acted on, nothing runs twice", async () => {
    const r = await run(Object.fromEntries(LINK_FAULTS.map((k) => [k, 0.08])), 80, seed, true);
    expect(r.ok).toBeGreaterThan(40);
    // Frames that were flipped or cut reach the device's tag check only if their CRC still holds; either way they are dropped.
    expect(r.droppedFrames).toBeGreaterThan(0);
  }, 90_000);
});
