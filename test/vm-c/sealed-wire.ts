// A Wire that seals a link for the frame-level device tests (link-wire.ts):
// the plain request frames LinkTester writes go out sealed with the next
// counter (HELLO stays plain), and the device's sealed reports come back
// opened, checked against its last counter, as plain frames. Every sealed
// frame on the wire is kept, so a test can replay, forge or alter it on the
// wire underneath (`raw`).

import { encodeFrame, FrameFlag, FrameReader, type Frame } from "../../compiler/link/frame.js";
import { decodePayload, messageSpec } from "../../compiler/link/messages.js";
import { Direction, openFrame, sealFrame } from "../../compiler/link/seal.js";
import type { Wire } from "./link-wire.js";

export class SealingWire implements Wire {
  /** Sealed request frames as they went out (encoded, with the delimiter), in order. */
  readonly sent: Uint8Array[] = [];
  /** The device's frames as they came (sealed), in order. */
  readonly received: Frame[] = [];
  /** Next request counter (set from HELLO_REPLY.rxFloor). */
  counter = 1;
  /** The device's last counter taken. */
  deviceCounter: number | undefined;
  private readonly requests = new FrameReader();
  private readonly reports = new FrameReader();

  constructor(readonly raw: Wire, readonly key: Uint8Array) {}

  async write(bytes: Uint8Array): Promise<void> {
    for (const e of this.requests.push(bytes)) {
      if (e.kind !== "frame") throw new Error(`test wrote a bad frame: ${e.reason}`);
      const f = e.frame;
      if (f.type === messageSpec("HELLO").id && f.flags === 0) {
        await this.raw.write(encodeFrame(f));
        continue;
      }
      const wire = encodeFrame(sealFrame(f, this.key, Direction.NodeToDevice, this.counter++));
      this.sent.push(wire);
      await this.raw.write(wire);
    }
  }

  async read(maxWaitMs: number): Promise<Uint8Array> {
    const out: Uint8Array[] = [];
    for (const e of this.reports.push(await this.raw.read(maxWaitMs))) {
      if (e.kind !== "frame") throw new Error(`the device sent a bad frame: ${e.reason}`);
      this.received.push(e.frame);
      if (!(e.frame.flags & FrameFlag.Sealed)) throw new Error(`the device sent an unsealed frame (type 0x${e.frame.type.toString(16)})`);
      const opened = openFrame(e.frame, this.key, Direction.DeviceToNode);
      if (!opened.ok) throw new Error(`the device sent a frame that does not open: ${opened.reason}`);
      if (this.deviceCounter !== undefined && opened.counter <= this.deviceCounter)
        throw new Error(`the device reused counter ${opened.counter} (last ${this.deviceCounter})`);
      this.deviceCounter = opened.counter;
      if (opened.frame.type === messageSpec("HELLO_REPLY").id) {
        const hello = decodePayload(opened.frame.type, opened.frame.payload);
        if (hello.ok && hello.message.name === "HELLO_REPLY") this.counter = Math.max(this.counter, hello.message.fields.rxFloor + 1);
      }
      out.push(encodeFrame(opened.frame));
    }
    return new Uint8Array(Buffer.concat(out));
  }

  close(): Promise<void> {
    return this.raw.close();
  }
}

/** A fixed test key (never a real device's). */
export function testKey(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xff);
}
