// A faulty link for testing (docs/link.md §4.6, docs/security.md "Link fault
// injection"): sits between the node and a device's byte stream, cuts each
// direction into frames at the 0x00 delimiter, and flips bits in, truncates,
// drops, duplicates, reorders and delays frames at configurable rates, from a
// seeded generator so that a run can be repeated. The node side is a
// ByteTransport like the device's, so a LinkClient or LinkEngine runs over it
// unchanged.

import { BoardEmulationError, ByteQueue, type ByteTransport } from "../engines/transport.js";
import { seededRandom } from "../seeded-random.js";
import { FRAME_DELIMITER } from "./frame.js";

/** The faults, each applied to a frame with its own probability (0..1). */
export const LINK_FAULTS = ["flip", "truncate", "drop", "duplicate", "reorder", "delay"] as const;
export type LinkFault = (typeof LINK_FAULTS)[number];
export type LinkFaultRates = Partial<Record<LinkFault, number>>;

export interface FaultProxyOptions {
  rates: LinkFaultRates;
  seed: number;
  /** Longest delay of a delayed frame, and longest hold of a reordered one (default 50 ms). */
  maxDelayMs?: number;
}

/** Frames seen and faults applied in one direction. */
export type LinkFaultCounts = Record<"frames" | LinkFault, number>;

const noCounts = (): LinkFaultCounts => ({ frames: 0, flip: 0, truncate: 0, drop: 0, duplicate: 0, reorder: 0, delay: 0 });

/** How often the pump polls the device while nothing arrives. */
const PUMP_READ_MS = 50;

/**
 * Parses `flip=0.05,drop=0.1,...` (rates 0..1; `all=R` sets every kind),
 * optionally `delay-ms=N`. Returns a one-line reason for bad input.
 */
export function parseFaultSpec(text: string): { ok: true; rates: LinkFaultRates; maxDelayMs?: number } | { ok: false; reason: string } {
  const rates: LinkFaultRates = {};
  let maxDelayMs: number | undefined;
  for (const part of text.split(",").filter((p) => p !== "")) {
    const [key, value, extra] = part.split("=");
    const n = Number(value);
    if (value === undefined || extra !== undefined || value.trim() === "" || !Number.isFinite(n)) return { ok: false, reason: `"${part}" is not kind=number` };
    if (key === "delay-ms") {
      if (n < 0 || n > 10_000) return { ok: false, reason: `delay-ms ${value} is not between 0 and 10000` };
      maxDelayMs = n;
      continue;
    }
    if (n < 0 || n > 1) return { ok: false, reason: `rate ${value} of ${key} is not between 0 and 1` };
    if (key === "all") for (const k of LINK_FAULTS) rates[k] = n;
    else if ((LINK_FAULTS as readonly string[]).includes(key!)) rates[key as LinkFault] = n;
    else return { ok: false, reason: `unknown fault "${key}" (known: ${LINK_FAULTS.join(", ")}, all, delay-ms)` };
  }
  return maxDelayMs === undefined ? { ok: true, rates } : { ok: true, rates, maxDelayMs };
}

/** One direction: frames cut from a byte stream, faulted, and delivered in order after their delays. */
class FaultyPipe {
  readonly counts = noCounts();
  private partial: number[] = [];
  /** Delivery of the frames so far, in order: each waits for the one before. */
  private chain: Promise<void> = Promise.resolve();
  /** A frame held back to go after the next one (reorder), and its timer. */
  private held: { bytes: Uint8Array; timer: NodeJS.Timeout } | undefined;
  private closed = false;

  constructor(
    private readonly random: () => number,
    private readonly rates: LinkFaultRates,
    private readonly maxDelayMs: number,
    private readonly deliver: (bytes: Uint8Array) => Promise<void>,
  ) {}

  push(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.partial.push(b);
      if (b !== FRAME_DELIMITER) continue;
      const frame = Uint8Array.from(this.partial);
      this.partial = [];
      if (frame.length > 1) this.frame(frame);
      else this.send(frame); // a lone delimiter is no frame
    }
  }

  /** Waits until everything accepted so far is delivered. */
  async drain(): Promise<void> {
    if (this.held) this.release();
    await this.chain;
  }

  close(): void {
    this.closed = true;
    if (this.held) clearTimeout(this.held.timer);
    this.held = undefined;
  }

  private chance(kind: LinkFault): boolean {
    const rate = this.rates[kind] ?? 0;
    if (rate <= 0 || this.random() >= rate) return false;
    this.counts[kind]++;
    return true;
  }

  private frame(wire: Uint8Array): void {
    this.counts.frames++;
    if (this.chance("drop")) return;
    let bytes = wire;
    const body = wire.length - 1;
    if (this.chance("flip")) {
      bytes = Uint8Array.from(bytes);
      const flips = 1 + Math.floor(this.random() * 3);
      for (let i = 0; i < flips; i++) {
        const at = Math.floor(this.random() * body);
        bytes[at]! ^= 1 << Math.floor(this.random() * 8);
      }
    }
    if (this.chance("truncate")) {
      const keep = Math.floor(this.random() * body);
      bytes = Uint8Array.from([...bytes.subarray(0, keep), FRAME_DELIMITER]);
    }
    const copies = this.chance("duplicate") ? 2 : 1;
    const delay = this.chance("delay") ? Math.floor(this.random() * this.maxDelayMs) + 1 : 0;
    const out = copies === 2 ? Uint8Array.from([...bytes, ...bytes]) : bytes;
    const held = this.held;
    if (this.chance("reorder") && !held) {
      // Goes after the next frame, or after maxDelayMs if none comes.
      this.held = { bytes: out, timer: setTimeout(() => this.release(), this.maxDelayMs) };
      return;
    }
    this.send(out, delay);
    if (held) this.release();
  }

  private release(): void {
    const held = this.held;
    if (!held) return;
    clearTimeout(held.timer);
    this.held = undefined;
    this.send(held.bytes);
  }

  private send(bytes: Uint8Array, delayMs = 0): void {
    this.chain = this.chain
      .then(() => (delayMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, delayMs)) : undefined))
      .then(() => (this.closed ? undefined : this.deliver(bytes)))
      .catch(() => {}); // a device gone meanwhile: the node notices by its own reads
  }
}

/**
 * The proxy. `node` is the transport to hand to the node's link client;
 * `device` is the real one. Reads the device continuously until closed.
 */
export class FaultProxy {
  readonly node: ByteTransport;
  readonly seed: number;
  private readonly toDevice: FaultyPipe;
  private readonly toNode: FaultyPipe;
  private readonly received = new ByteQueue();
  private readonly pump: Promise<void>;
  private open = true;

  constructor(
    private readonly device: ByteTransport,
    options: FaultProxyOptions,
  ) {
    this.seed = options.seed >>> 0;
    const random = seededRandom(this.seed);
    const maxDelayMs = options.maxDelayMs ?? 50;
    this.toDevice = new FaultyPipe(random, options.rates, maxDelayMs, (bytes) => device.write(bytes));
    this.toNode = new FaultyPipe(random, options.rates, maxDelayMs, async (bytes) => this.received.push(bytes));
    this.pump = this.run();
    const proxy = this;
    this.node = {
      async write(bytes) {
        if (!proxy.open) throw new BoardEmulationError("closed", "the fault proxy is closed");
        proxy.toDevice.push(bytes);
      },
      read: (maxWaitMs) => this.received.read(maxWaitMs),
      close: () => this.close(),
    };
  }

  /** Frames seen and faults applied, per direction. */
  counts(): { toDevice: LinkFaultCounts; toNode: LinkFaultCounts } {
    return { toDevice: { ...this.toDevice.counts }, toNode: { ...this.toNode.counts } };
  }

  /** Delivers what is on its way to the device and steps out: the device transport stays open for a direct client. */
  async detach(): Promise<void> {
    if (!this.open) return;
    await this.toDevice.drain();
    this.open = false;
    this.toDevice.close();
    this.toNode.close();
    await this.pump;
    this.received.fail(new BoardEmulationError("closed", "the fault proxy is closed"));
  }

  /** Steps out (detach) and closes the device. */
  async close(): Promise<void> {
    await this.detach();
    await this.device.close();
  }

  private async run(): Promise<void> {
    while (this.open) {
      try {
        this.toNode.push(await this.device.read(PUMP_READ_MS));
      } catch (e) {
        // The device failed: the node's next read sees it once the frames before it are out.
        await this.toNode.drain();
        this.received.fail(e instanceof BoardEmulationError ? e : new BoardEmulationError("exited", String(e)));
        return;
      }
    }
  }
}
