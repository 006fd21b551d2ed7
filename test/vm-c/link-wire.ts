// Frame-level access to a link device for the device tests: send one request
// frame, collect the reports of its answer (MORE frames joined) up to the
// terminal one. Deliberately thin (no retries, no sessions): the tests look
// at the wire. The host's real client is compiler/link/client.ts.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { afterEach, beforeAll } from "vitest";
import { buildHostDevice } from "../../compiler/engines/firmware-build.js";
import { crc32 } from "../../compiler/ir/crc32.js";
import { encodeFrame, FrameFlag, FrameReader, LINK_VERSION, type Frame } from "../../compiler/link/frame.js";
import {
  decodePayload,
  encodePayload,
  messageSpec,
  type Message,
  type MessageName,
  type PayloadOf,
} from "../../compiler/link/messages.js";
import { BoardEmulationError, ByteQueue } from "../../compiler/engines/transport.js";

/** What carries the bytes: a pipe to a host process, simavr, mspdebug. */
export interface Wire {
  write(bytes: Uint8Array): Promise<void>;
  read(maxWaitMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface Answer {
  /** Non-terminal reports, in order (SYSCALL). */
  reports: Message[];
  /** The terminal report. */
  end: Message;
  /** Frames the answer took (a report split by MORE counts each frame). */
  frames: number;
}

export interface FrameOptions {
  version?: number;
  flags?: number;
  seq?: number;
  /** A SEALED frame's counter (the layout of docs/link.md §2.1). */
  counter?: number;
}

export class LinkTester {
  private readonly reader = new FrameReader();
  private readonly pending: Frame[] = [];
  private seq = 0;

  constructor(readonly wire: Wire, private readonly timeoutMs = 5_000) {}

  /** The next sequence number (1..255, wrapping past 0). */
  nextSeq(): number {
    this.seq = (this.seq % 255) + 1;
    return this.seq;
  }

  /** Sends a request frame with any header; returns its sequence number. */
  async sendFrame(type: number, payload: Uint8Array, options: FrameOptions = {}): Promise<number> {
    const seq = options.seq ?? this.nextSeq();
    const frame: Parameters<typeof encodeFrame>[0] = { flags: options.flags ?? 0, seq, type, payload };
    if (options.version !== undefined) frame.version = options.version;
    if (options.counter !== undefined) frame.counter = options.counter;
    await this.wire.write(encodeFrame(frame));
    return seq;
  }

  async sendRaw(bytes: Uint8Array): Promise<void> {
    await this.wire.write(bytes);
  }

  /** Sends request `name` and waits for its whole answer. */
  async request<N extends MessageName>(name: N, fields: PayloadOf<N>, options: FrameOptions = {}): Promise<Answer> {
    const seq = await this.sendFrame(messageSpec(name).id, encodePayload(name, fields), options);
    return this.answer(seq);
  }

  /** Sends a raw frame and waits for the answer. */
  async requestRaw(type: number, payload: Uint8Array, options: FrameOptions = {}): Promise<Answer> {
    const seq = await this.sendFrame(type, payload, options);
    return this.answer(seq);
  }

  /** Collects the answer to request `seq` (up to its terminal report or a NODE_CALL): every frame must carry it and come from the device. */
  async answer(seq: number): Promise<Answer> {
    const reports: Message[] = [];
    let frames = 0;
    let joined: { type: number; parts: Uint8Array[] } | undefined;
    for (;;) {
      const f = await this.nextFrame();
      frames++;
      if (f.seq !== seq) throw new Error(`report with seq ${f.seq}, expected ${seq}`);
      if (!(f.flags & FrameFlag.FromDevice) || f.version !== LINK_VERSION) throw new Error(`bad report header ${f.version}/${f.flags}`);
      if (joined && joined.type !== f.type) throw new Error(`MORE frame of type ${joined.type} followed by type ${f.type}`);
      joined ??= { type: f.type, parts: [] };
      joined.parts.push(f.payload);
      if (f.flags & FrameFlag.More) continue;
      const payload = Buffer.concat(joined.parts);
      const decoded = decodePayload(joined.type, new Uint8Array(payload));
      if (!decoded.ok) throw new Error(`undecodable report: ${decoded.reason}`);
      joined = undefined;
      // A NODE_CALL also ends the device's turn: it waits for NODE_ANSWER.
      if (messageSpec(decoded.message.name).terminal || decoded.message.name === "NODE_CALL") {
        return { reports, end: decoded.message, frames };
      }
      reports.push(decoded.message);
    }
  }

  /** Fails if the device sends anything within ms. */
  async expectSilence(ms: number): Promise<void> {
    const bytes = await this.wire.read(ms);
    if (bytes.length) throw new Error(`unexpected bytes from the device: ${Buffer.from(bytes).toString("hex")}`);
  }

  private async nextFrame(): Promise<Frame> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.pending.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no report within ${this.timeoutMs} ms`);
      for (const e of this.reader.push(await this.wire.read(left))) {
        if (e.kind === "dropped") throw new Error(`the device sent a bad frame: ${e.reason}`);
        this.pending.push(e.frame);
      }
    }
    return this.pending.shift()!;
  }

  /** Loads an image the way a host does: LOAD_BEGIN (crc = the image's trailer), chunks, LOAD_COMMIT; returns the commit's answer. */
  async load(image: Uint8Array, maxPayload: number, crc = trailerOf(image)): Promise<Answer> {
    const begin = await this.request("LOAD_BEGIN", { length: image.length, crc });
    if (begin.end.name !== "ACK") return begin;
    const chunk = maxPayload - 2;
    for (let at = 0; at < image.length; at += chunk) {
      const a = await this.request("LOAD_CHUNK", { offset: at, data: image.subarray(at, at + chunk) });
      if (a.end.name !== "ACK") return a;
    }
    return this.request("LOAD_COMMIT", {});
  }

  /** CALL or EVENT with an argument stream, continued by ARGS frames while the device answers ACK. */
  async invoke(kind: "CALL" | "EVENT", target: number, fuel: number, args: Uint8Array, maxPayload: number): Promise<Answer> {
    const first = maxPayload - 5;
    let answer =
      kind === "CALL"
        ? await this.request("CALL", { function: target, fuel, args: args.subarray(0, first) })
        : await this.request("EVENT", { event: target, fuel, args: args.subarray(0, first) });
    for (let at = first; answer.end.name === "ACK" && at < args.length; at += maxPayload) {
      answer = await this.request("ARGS", { args: args.subarray(at, at + maxPayload) });
    }
    return answer;
  }
}

/** The image's CRC-32 trailer (what LOAD_BEGIN carries). */
export function trailerOf(image: Uint8Array): number {
  return new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(image.length - 4, true);
}

/** A copy of the image with byte `at` changed and (optionally) a trailer made to match again. */
export function corrupt(image: Uint8Array, at: number, value: number, fixTrailer: boolean): Uint8Array {
  const out = Uint8Array.from(image);
  out[at] = value;
  if (fixTrailer) new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

/** A host process as a Wire: stdin/stdout are the link. */
export class ProcessWire implements Wire {
  private readonly received = new ByteQueue();
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    child.stdout.on("data", (b: Buffer) => this.received.push(new Uint8Array(b)));
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.on("close", (code) => {
        this.received.fail(new BoardEmulationError("exited", `device exited with ${code}`));
        resolve(code);
      });
    });
  }

  static start(program: string, args: readonly string[]): ProcessWire {
    return new ProcessWire(spawn(program, [...args], { stdio: ["pipe", "pipe", "pipe"] }));
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.child.stdin.write(bytes);
  }

  read(maxWaitMs: number): Promise<Uint8Array> {
    return this.received.read(maxWaitMs);
  }

  /** Ends the input; the device exits on EOF. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const kill = setTimeout(() => this.child.kill("SIGKILL"), 2_000);
    await this.exited;
    clearTimeout(kill);
  }
}

export function le(value: number | bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** Argument stream of one string (docs/link.md §3.3). */
export function stringArg(text: string | Uint8Array): Uint8Array {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  return Uint8Array.from([bytes.length & 0xff, bytes.length >> 8, ...bytes]);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Host link devices for the tests of one file: the firmware is built once
 * (beforeAll), and every device started is closed after each test. Returns
 * the function that starts one (with its app store in `store`, if given).
 */
export function hostDevices(timeoutMs?: number): (store?: string) => LinkTester {
  let exe = "";
  const open: ProcessWire[] = [];
  beforeAll(() => {
    exe = buildHostDevice();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
  return (store) => {
    const wire = ProcessWire.start(exe, store ? ["--store", store] : []);
    open.push(wire);
    return new LinkTester(wire, timeoutMs);
  };
}
