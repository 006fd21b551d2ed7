// Power cuts on the emulated Uno (docs/security.md, "Power-safe updates"):
// the Uno link firmware under simavr, whose harness cuts the power on the Nth
// EEPROM byte the firmware writes (--eeprom-cut, scripts/harness/simavr_uart.c)
// and keeps the EEPROM as the writes before it left it. The host device's
// test (power-cut.test.ts) cuts at every byte; here the cut points are a
// spread over the image plus every write of the commit, in the order and
// with the skipped bytes of the Uno's own eeprom_update_block.

import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { le, LinkTester } from "./link-wire.js";
import { app, call, FN, installed, resultU32, runs, type App } from "./power-cut-apps.js";

/** The harness's exit code for a power cut. */
const CUT_STATUS = 7;
const OLD_VALUE = 0x11223344;
const dir = mkdtempSync(join(tmpdir(), "alky-power-uno-"));
let files = 0;
let elf = "";
let payload = 0;

beforeAll(() => {
  elf = buildUnoDevice().elf;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function uno(eeprom: string, cut?: { at: number; leaves?: number }, onLog?: (line: string) => void): Promise<{ t: LinkTester; sim: SimavrProcess }> {
  const sim = await SimavrProcess.start(elf, { wallTimeoutMs: 120_000, eepromFile: eeprom, ...(cut ? { eepromCut: cut } : {}), ...(onLog ? { onLog } : {}) });
  return { t: new LinkTester(sim, 60_000), sim };
}

/** An EEPROM file holding `apps` loaded in order, the last one with OLD_VALUE in its storage. */
async function prepare(apps: readonly App[]): Promise<string> {
  const eeprom = join(dir, `template-${files++}`);
  const { t, sim } = await uno(eeprom);
  const hello = (await t.request("HELLO", {})).end;
  if (hello.name !== "HELLO_REPLY") throw new Error(`HELLO answered ${hello.name}`);
  payload = hello.fields.maxPayload;
  for (const a of apps) expect((await t.load(a.image, payload)).end.name).toBe("ACK");
  expect((await call(t, payload, FN.Put, le(OLD_VALUE, 4))).name).toBe("DONE");
  await sim.close();
  return eeprom;
}

/** EEPROM bytes the update of `template` to `next` writes (counted by the harness). */
async function writesOf(template: string, next: App): Promise<number> {
  const eeprom = join(dir, `count-${files++}`);
  copyFileSync(template, eeprom);
  let count = -1;
  const { t, sim } = await uno(eeprom, { at: 0 }, (line) => {
    const m = /^eeprom-writes (\d+)$/.exec(line);
    if (m) count = Number(m[1]);
  });
  expect((await t.load(next.image, payload)).end.name).toBe("ACK");
  await sim.close();
  return count;
}

/** Cut at write n, restart, identify the app and read its storage, then update completely. */
async function cutRun(template: string, next: App, apps: readonly App[], n: number, leaves?: number): Promise<{ seen: string; value?: number }> {
  const eeprom = join(dir, `store-${files++}`);
  copyFileSync(template, eeprom);
  const cut = await uno(eeprom, leaves === undefined ? { at: n } : { at: n, leaves });
  await expect(cut.t.load(next.image, payload)).rejects.toThrow();
  expect((await cut.sim.exited).code, `exit code after the cut at write ${n}`).toBe(CUT_STATUS);

  const { t, sim } = await uno(eeprom);
  const seen = await installed(t, payload, apps);
  const value = seen === "0" ? undefined : resultU32(await call(t, payload, FN.Get));
  expect((await t.load(next.image, payload)).end.name, `the update after the cut at write ${n}`).toBe("ACK");
  expect(await installed(t, payload, apps)).toBe(next.name);
  await sim.close();
  return value === undefined ? { seen } : { seen, value };
}

/** Cuts at each of `points` (two Unos at a time; the cell being written left holding `leaves`, else its old value); what the device came back with each time. */
async function sweep(template: string, next: App, apps: readonly App[], points: readonly number[], leaves?: number): Promise<{ outcomes: string; oldValues: number[]; newValues: number[] }> {
  const outcomes: string[] = [];
  const oldValues = new Set<number>();
  const newValues = new Set<number>();
  for (let i = 0; i < points.length; i += 2) {
    const batch = await Promise.all(points.slice(i, i + 2).map((n) => cutRun(template, next, apps, n, leaves)));
    for (const r of batch) {
      outcomes.push(r.seen);
      if (r.value !== undefined) (r.seen === next.name ? newValues : oldValues).add(r.value);
    }
  }
  return { outcomes: runs(outcomes), oldValues: [...oldValues], newValues: [...newValues] };
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Bytes the commit writes after the record's magic (the last record byte: eeprom_update_block goes downward): OLD_VALUE's 4 bytes zeroed, the tag. */
const AFTER_MAGIC = 4 + 1;

describe("power cuts during updates on the Uno under simavr (run scripts/setup.sh if simavr is missing)", () => {
  it("A → B displacing A, cut at every EEPROM write, the cell being written left erased (0xFF): A, then no app, then B", async () => {
    const a = app("A", 0xa, 480);
    const b = app("B", 0xb, 480);
    const template = await prepare([a]);
    const writes = await writesOf(template, b);
    // eeprom_update_block skips bytes that already hold their value: A and
    // B share their header and a third of their padding, so fewer than 480
    // image bytes are written.
    expect(writes).toBeGreaterThan(100);
    expect(writes).toBeLessThan(2 + 480 + 12 + AFTER_MAGIC);
    const s = await sweep(template, b, [a, b], range(1, writes), 0xff);
    // LOAD_BEGIN clears the free slot's magic, then A's: a cut on that second
    // write leaves A's magic 0xFF, so A is there only when the cut is on the first.
    expect(s.outcomes).toBe(`A×1 0×${writes - 1 - AFTER_MAGIC} B×${AFTER_MAGIC}`);
    expect(s.oldValues).toEqual([OLD_VALUE]);
    expect(s.newValues).toEqual([0]);
  }, 900_000);

  it("A → B beside A, cut at the first writes, two in the image and every write of the commit: A until B's record is complete, then B", async () => {
    const a = app("A", 0xa, 150);
    const b = app("B", 0xb, 200);
    const template = await prepare([a]);
    const writes = await writesOf(template, b);
    const points = [...new Set([1, 2, 3, Math.floor(writes / 3), Math.floor(writes / 2), ...range(writes - 12 - AFTER_MAGIC, writes)])].sort((x, y) => x - y);
    const s = await sweep(template, b, [a, b], points);
    expect(s.outcomes).toBe(`A×${points.length - AFTER_MAGIC} B×${AFTER_MAGIC}`);
    expect(s.oldValues).toEqual([OLD_VALUE]);
    expect(s.newValues).toEqual([0]);
  }, 600_000);
});
