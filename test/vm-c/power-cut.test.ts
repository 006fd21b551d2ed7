// Power-safe app updates (docs/link.md §5, docs/security.md "Power-safe
// updates"): the host link device, built with the Uno's store geometry, has
// its power cut at every byte an update writes to its store file
// (ALKY_POWER_CUT_AT, vm-c/port/host/main.c); each time it is started again
// on the same file and must run exactly the old app or exactly the new one
// (or, where the new one displaces the old, no app), never a torn image, and
// a complete update must then succeed.

import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHostDevice } from "../../compiler/engines/firmware-build.js";
import { MAX_PAYLOAD } from "../../compiler/link/frame.js";
import type { Message } from "../../compiler/link/messages.js";
import { le, LinkTester, ProcessWire } from "./link-wire.js";
import { app, call as callOn, FN, installed as installedOn, resultU32, runs, type App } from "./power-cut-apps.js";

/** The Uno's EEPROM as the host's store: 2 × 479 + 1 + 64 = 1023 bytes, an image area of 934. */
const UNO_GEOMETRY = ["ALKY_HOST_SLOT_BYTES=479u", "ALKY_HOST_STORAGE_BYTES=64u"];
const STORAGE_BYTES = 64;
const RECORD_BYTES = 12;
/** Exit status of a device whose power was cut (main.c). */
const CUT_STATUS = 3;
const call = (t: LinkTester, fn: number, args?: Uint8Array): Promise<Message> => callOn(t, MAX_PAYLOAD, fn, args);
const installed = (t: LinkTester, apps: readonly App[]): Promise<string> => installedOn(t, MAX_PAYLOAD, apps);

let exe = "";
const dir = mkdtempSync(join(tmpdir(), "alky-power-"));
let files = 0;

beforeAll(() => {
  exe = buildHostDevice({ defines: UNO_GEOMETRY });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How the power fails: on the `at`-th byte written, that cell left holding `leaves` (else its old value), each write going up or (`downward`, as on the Uno) last byte first. */
interface Cut {
  at: number;
  leaves?: number;
  downward?: boolean;
}

/** A device on `store`, with its power cut as `cut` says. */
function device(store: string, cut?: Cut): { t: LinkTester; wire: ProcessWire } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ALKY_POWER_CUT_AT;
  delete env.ALKY_POWER_CUT_LEAVES;
  delete env.ALKY_POWER_CUT_DOWNWARD;
  if (cut) env.ALKY_POWER_CUT_AT = String(cut.at);
  if (cut?.leaves !== undefined) env.ALKY_POWER_CUT_LEAVES = String(cut.leaves);
  if (cut?.downward) env.ALKY_POWER_CUT_DOWNWARD = "1";
  const wire = new ProcessWire(spawn(exe, ["--store", store], { stdio: ["pipe", "pipe", "pipe"], env }));
  return { t: new LinkTester(wire, 10_000), wire };
}

/** A store file holding the apps loaded in order, the last one with `value` in its storage. */
async function prepare(apps: readonly App[], value?: number): Promise<string> {
  const store = join(dir, `template-${files++}`);
  const { t, wire } = device(store);
  for (const a of apps) expect((await t.load(a.image, MAX_PAYLOAD)).end.name).toBe("ACK");
  if (value !== undefined) expect((await call(t, FN.Put, le(value, 4))).name).toBe("DONE");
  await wire.close();
  return store;
}

interface Sweep {
  /** What the device came back with after a cut at byte 1, 2, …: "0", or an app's name. */
  outcomes: string[];
  /** Bytes the update writes (the first N at which it completed, minus 1). */
  writes: number;
  /** Storage value seen after each cut that left the old app / the new one. */
  oldValues: Set<number>;
  newValues: Set<number>;
}

/** Cut runs in flight at once (each mostly waits on its processes). */
const PARALLEL = 4;

/**
 * One cut point: updates a copy of `template` to `next` with the power cut
 * at byte n. Undefined if the update completed (n is past its last write);
 * else the device is started again on the same file, its app identified and
 * its storage read, and `next` loaded completely.
 */
async function cutRun(template: string, next: App, apps: readonly App[], n: number): Promise<{ seen: string; value?: number } | undefined> {
  const store = join(dir, `store-${files++}`);
  copyFileSync(template, store);
  const cut = device(store, { at: n });
  let end: string | undefined;
  try {
    end = (await cut.t.load(next.image, MAX_PAYLOAD)).end.name;
  } catch {
    // the power was cut: the device exited mid-answer
  }
  if (end !== undefined) {
    expect(end, `the update with no cut`).toBe("ACK");
    await cut.wire.close();
    return undefined;
  }
  expect(await cut.wire.exited, `exit status after the cut at byte ${n}`).toBe(CUT_STATUS);

  const { t, wire } = device(store);
  const seen = await installed(t, apps);
  const value = seen === "0" ? undefined : resultU32(await call(t, FN.Get));
  expect((await t.load(next.image, MAX_PAYLOAD)).end.name, `the update after the cut at byte ${n}`).toBe("ACK");
  expect(await installed(t, apps)).toBe(next.name);
  await wire.close();
  rmSync(store);
  return value === undefined ? { seen } : { seen, value };
}

/**
 * Every cut point of the update of `template` to `next`: N = 1, 2, … until
 * the update completes (PARALLEL at a time; the runs past the first that
 * completed must complete too).
 */
async function sweep(template: string, next: App, apps: readonly App[]): Promise<Sweep> {
  const s: Sweep = { outcomes: [], writes: -1, oldValues: new Set(), newValues: new Set() };
  for (let n = 1; s.writes < 0; n += PARALLEL) {
    const batch = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => cutRun(template, next, apps, n + i)));
    batch.forEach((r, i) => {
      if (s.writes >= 0) expect(r, `the run cut at byte ${n + i}, past the update's writes`).toBeUndefined();
      else if (!r) s.writes = n + i - 1;
      else {
        s.outcomes.push(r.seen);
        if (r.value !== undefined) (r.seen === next.name ? s.newValues : s.oldValues).add(r.value);
      }
    });
  }
  return s;
}

const OLD_VALUE = 0x11223344;
/** Bytes a commit writes: the record, the storage zeroed, its tag. */
const COMMIT_WRITES = RECORD_BYTES + STORAGE_BYTES + 1;

describe("power cuts during updates (host device with the Uno's store; run scripts/setup.sh if gcc is missing)", () => {
  it("first install (nothing → A): every cut leaves no app or A, never a torn one", async () => {
    const a = app("A", 0xa, 150);
    const s = await sweep(await prepare([]), a, [a]);
    // LOAD_BEGIN invalidates the slot's record (1 byte), the image, the commit.
    expect(s.writes).toBe(1 + a.image.length + COMMIT_WRITES);
    // Up to the record's last byte: no app; from then on (storage being cleared): A.
    expect(runs(s.outcomes)).toBe(`0×${1 + a.image.length + RECORD_BYTES} A×${STORAGE_BYTES + 1}`);
    expect([...s.newValues]).toEqual([0]);
  }, 120_000);

  it("A → B beside it: every cut leaves A with its storage, or B with cleared storage", async () => {
    const a = app("A", 0xa, 150);
    const b = app("B", 0xb, 200);
    const s = await sweep(await prepare([a], OLD_VALUE), b, [a, b]);
    expect(s.writes).toBe(1 + b.image.length + COMMIT_WRITES);
    expect(runs(s.outcomes)).toBe(`A×${1 + b.image.length + RECORD_BYTES} B×${STORAGE_BYTES + 1}`);
    expect([...s.oldValues]).toEqual([OLD_VALUE]);
    expect([...s.newValues]).toEqual([0]);
  }, 240_000);

  it("A → B displacing A: A until A's record is cleared, then no app until B's record is complete, then B", async () => {
    // Each is more than half the area, so B goes over A. B's commit writes
    // the record of the slot A's cleared record is in, and B has A's length
    // and place: a record torn after its first byte must not bring A's record
    // back to life over B's bytes (the device would run B and report A).
    const a = app("A", 0xa, 480);
    const b = app("B", 0xb, 480);
    const s = await sweep(await prepare([a], OLD_VALUE), b, [a, b]);
    // LOAD_BEGIN: the free slot's record, then A's (1 byte each).
    expect(s.writes).toBe(2 + b.image.length + COMMIT_WRITES);
    expect(runs(s.outcomes)).toBe(`A×2 0×${b.image.length + RECORD_BYTES} B×${STORAGE_BYTES + 1}`);
    expect([...s.oldValues]).toEqual([OLD_VALUE]);
    expect([...s.newValues]).toEqual([0]);
  }, 240_000);

  it.each([
    { order: "up", downward: false, expected: [0x11223344, 0x112233dd, 0x1122ccdd, 0x11bbccdd] },
    { order: "down (the Uno)", downward: true, expected: [0x11223344, 0xaa223344, 0xaabb3344, 0xaabbcc44] },
    // The cell being written when the power fails holds neither value.
    { order: "up, the cut cell left erased", downward: false, leaves: 0xff, expected: [0x112233ff, 0x1122ffdd, 0x11ffccdd, 0xffbbccdd] },
  ])("contract storage, bytes written $order: a cut during a 4-byte SSTORE leaves the bytes before it new, after it old (byte granularity)", async ({ downward, leaves, expected }) => {
    const a = app("A", 0xa, 150);
    const template = await prepare([a], OLD_VALUE);
    const store = join(dir, `store-${files++}`);
    const NEW_VALUE = 0xaabbccdd;
    const seen: number[] = [];
    for (let n = 1; ; n++) {
      copyFileSync(template, store);
      const cut = device(store, leaves === undefined ? { at: n, downward } : { at: n, downward, leaves });
      let end: Message | undefined;
      try {
        end = await call(cut.t, FN.Put, le(NEW_VALUE, 4));
      } catch {
        // the power was cut
      }
      if (end) {
        expect(end.name).toBe("DONE");
        await cut.wire.close();
        expect(n - 1).toBe(4);
        break;
      }
      expect(await cut.wire.exited).toBe(CUT_STATUS);
      const { t, wire } = device(store);
      expect(await installed(t, [a])).toBe("A");
      seen.push(resultU32(await call(t, FN.Get)));
      await wire.close();
    }
    expect(seen).toEqual(expected);
  }, 60_000);
});
