// The emulated Arduino Uno (simavr) with a link key compiled into its flash
// (issue 7's "done when"): a sealed CALL captured and replayed verbatim is
// refused and does not run again, forged frames (another key, a made-up tag)
// and frames with one byte altered and the CRC recomputed are refused, an
// unsealed CALL is refused, the device keeps answering; its counters are not
// reused across a reset (the EEPROM file kept); the node's client over it.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { LinkClient } from "../../compiler/link/client.js";
import { LINK_FEATURES } from "../../compiler/link/messages.js";
import { LinkTester } from "../vm-c/link-wire.js";
import { counterApp, countersSurviveRestart, FUEL, hello, refusesAttacks } from "../vm-c/sealed-scenarios.js";
import { SealingWire, testKey } from "../vm-c/sealed-wire.js";

const KEY = testKey(2);
const SEALED = LINK_FEATURES.find((f) => f.name === "sealed")!.code;
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.close()));
});

async function uno(eepromFile: string): Promise<{ t: LinkTester; wire: SealingWire }> {
  const sim = await SimavrProcess.start(buildUnoDevice({ linkKey: KEY }).elf, { wallTimeoutMs: 120_000, eepromFile });
  running.push(sim);
  const wire = new SealingWire(sim, KEY);
  return { t: new LinkTester(wire, 30_000), wire };
}

const newEeprom = (): string => join(mkdtempSync(join(tmpdir(), "alky-sealed-uno-")), "uno.eeprom");

describe("Uno under simavr with a link key", () => {
  it("refuses a replayed CALL (it runs once), forged and altered frames and an unsealed CALL, and keeps answering", async () => {
    const { t, wire } = await uno(newEeprom());
    const h = await hello(t);
    expect(h.linkFeatures & SEALED).toBe(SEALED);
    expect(h.maxImage).toBe(927); // 935 less the 8 bytes of counter marks at the end of the EEPROM
    expect((await t.load(counterApp(), h.maxPayload)).end.name).toBe("ACK");
    expect(await refusesAttacks(t, wire, 0, 1_000)).toBe(3);
  });

  it("does not reuse counters across a reset: the floor and its own counter resume past the EEPROM marks", async () => {
    const eeprom = newEeprom();
    await countersSurviveRestart(() => uno(eeprom), 1_000);
  });

  it("LinkClient with the key loads and calls over the sealed link", async () => {
    const sim = await SimavrProcess.start(buildUnoDevice({ linkKey: KEY }).elf, { wallTimeoutMs: 120_000, eepromFile: newEeprom() });
    running.push(sim);
    const client = new LinkClient(sim, { key: KEY, timeoutMs: 30_000 });
    await client.hello();
    await client.load(counterApp());
    const a = await client.request("CALL", { function: 0, fuel: FUEL, args: new Uint8Array(0) });
    expect(a.terminal.name === "RESULT" && a.terminal.fields.value[0]).toBe(1);
  });
});
