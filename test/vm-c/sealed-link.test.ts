// The host link device built with a link key (docs/link.md §2.1): HELLO in
// the clear, everything else sealed; replayed, forged, altered and unsealed
// requests refused without an answer; counters that survive a restart of the
// process without reuse; the node's client refusing a replayed report.

import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildHostDevice } from "../../compiler/engines/firmware-build.js";
import { PipeProcess } from "../../compiler/engines/pipe.js";
import type { ByteTransport } from "../../compiler/engines/transport.js";
import { LinkClient, type Answer } from "../../compiler/link/client.js";
import { FrameReader } from "../../compiler/link/frame.js";
import { decodeImage } from "../../compiler/ir/image.js";
import { LinkEngine } from "../../compiler/run/link-engine.js";
import { LINK_FEATURES } from "../../compiler/link/messages.js";
import { LinkTester, ProcessWire } from "./link-wire.js";
import { counterApp, count, countersSurviveRestart, FUEL, hello, refusesAttacks } from "./sealed-scenarios.js";
import { SealingWire, testKey } from "./sealed-wire.js";

const KEY = testKey(1);
const SEALED = LINK_FEATURES.find((f) => f.name === "sealed")!.code;
let exe = "";
const open: ProcessWire[] = [];

beforeAll(() => {
  exe = buildHostDevice({ linkKey: KEY });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

function device(store: string): { t: LinkTester; wire: SealingWire } {
  const raw = ProcessWire.start(exe, ["--store", store]);
  open.push(raw);
  const wire = new SealingWire(raw, KEY);
  return { t: new LinkTester(wire), wire };
}

const newStore = (): string => join(mkdtempSync(join(tmpdir(), "alky-sealed-")), "device.store");

describe("host link device with a link key", () => {
  it("is built privately: its folder is its owner's only", () => {
    expect(statSync(dirname(exe)).mode & 0o077).toBe(0);
    expect(readFileSync(exe).includes(Buffer.from(KEY))).toBe(true); // the key is in the executable: hence the mode
  });

  it("announces a sealed link, loads and runs an app over it", async () => {
    const { t } = device(newStore());
    const h = await hello(t);
    expect(h.linkFeatures & SEALED).toBe(SEALED);
    expect(h.rxFloor).toBe(0);
    expect((await t.load(counterApp(), h.maxPayload)).end.name).toBe("ACK");
    expect(await count(t)).toBe(1);
  });

  it("refuses replayed, forged, altered and unsealed requests without answering, and keeps answering", async () => {
    const { t, wire } = device(newStore());
    expect((await t.load(counterApp(), (await hello(t)).maxPayload)).end.name).toBe("ACK");
    expect(await refusesAttacks(t, wire, 0, 300)).toBe(3);
  });

  it("refuses to start without a store file (its counters must survive restarts)", async () => {
    const p = ProcessWire.start(exe, []);
    expect(await p.exited).toBe(2);
  });

  it("never reuses a counter across restarts: the floor and its own counter start past the marks", async () => {
    const store = newStore();
    await countersSurviveRestart(async () => device(store), 300);
  });

  it("LinkClient seals its requests and refuses a replayed report", async () => {
    const transport = PipeProcess.start(exe, ["--store", newStore()]);
    const recorder = new ReplayingTransport(transport);
    const dropped: string[] = [];
    const client = new LinkClient(recorder, { key: KEY, onDropped: (r) => dropped.push(r) });
    try {
      const h = await client.hello();
      expect(h.linkFeatures & SEALED).toBe(SEALED);
      await client.load(counterApp());
      const first = await client.request("CALL", { function: 0, fuel: FUEL, args: new Uint8Array(0) });
      expect(resultOf(first)).toBe(1);
      // The device's earlier frames arrive again before the next answer: refused as replays.
      // (Counted from the bytes replayed, not from what arrived later: the answer may come in several reads.)
      const replaying = recorder.seen.slice();
      recorder.replayNext = replaying.slice();
      const second = await client.request("CALL", { function: 0, fuel: FUEL, args: new Uint8Array(0) });
      expect(resultOf(second)).toBe(2);
      const replayed = new FrameReader().push(new Uint8Array(Buffer.concat(replaying))).length;
      expect(replayed).toBeGreaterThan(3);
      expect(dropped.filter((d) => d.startsWith("replayed report refused")).length).toBeGreaterThanOrEqual(replayed);
    } finally {
      await transport.close();
    }
  });

  it("a client without the key is told the device seals its link; one with a key is told a plain device does not", async () => {
    const sealedDevice = PipeProcess.start(exe, ["--store", newStore()]);
    const plainDevice = PipeProcess.start(buildHostDevice(), []);
    try {
      await expect(new LinkClient(sealedDevice, { timeoutMs: 5_000 }).hello()).rejects.toThrow(/seals its link: give its link key/);
      await expect(new LinkClient(plainDevice, { key: KEY, timeoutMs: 5_000 }).hello()).rejects.toThrow(/built without a link key/);
    } finally {
      await sealedDevice.close();
      await plainDevice.close();
    }
  });
});

function resultOf(a: Answer): number | string {
  return a.terminal.name === "RESULT" ? a.terminal.fields.value[0]! : a.terminal.name;
}

describe("LinkEngine with a key (the Aryl node's devices)", () => {
  it("seals the link of a device built with the key, and serves a plain board only when plainAllowed", async () => {
    const app = counterApp();
    const decoded = decodeImage(app);
    if (!decoded.ok) throw new Error("the counter app does not decode");
    const image = decoded.value.image;
    const sealed = await LinkEngine.open(PipeProcess.start(exe, ["--store", newStore()]), image, app, { key: KEY });
    try {
      expect(sealed.sealed).toBe(true);
      expect(await sealed.invoke(0, [])).toContainEqual(expect.objectContaining({ kind: "return" }));
    } finally {
      await sealed.close();
    }
    const plain = await LinkEngine.open(PipeProcess.start(buildHostDevice(), []), image, app, { key: KEY, plainAllowed: true });
    try {
      expect(plain.sealed).toBe(false);
    } finally {
      await plain.close();
    }
    await expect(LinkEngine.open(PipeProcess.start(buildHostDevice(), []), image, app, { key: KEY })).rejects.toThrow(/built without a link key/);
  });
});

/** A transport that keeps every byte chunk the device sent, and can put earlier ones in front of the next read. */
class ReplayingTransport implements ByteTransport {
  readonly seen: Uint8Array[] = [];
  replayNext: Uint8Array[] = [];
  constructor(private readonly inner: ByteTransport) {}
  write(bytes: Uint8Array): Promise<void> {
    return this.inner.write(bytes);
  }
  async read(maxWaitMs: number): Promise<Uint8Array> {
    const bytes = await this.inner.read(maxWaitMs);
    if (bytes.length) this.seen.push(bytes);
    const replay = this.replayNext.splice(0);
    return new Uint8Array(Buffer.concat([...replay, bytes]));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
