// Link frames (docs/link.md §2): the layer between bytes on a wire and
// messages. A frame is
//
//   header u8 | seq u8 | type u8 | payload | CRC-16/CCITT-FALSE u16 (LE)
//
// COBS-encoded and ended by 0x00. The header holds the protocol version (high
// nibble) and flags. A SEALED frame (docs/link.md §2.1) carries a message
// counter after the header and a tag after the encrypted payload:
//
//   header u8 | counter u32 (LE) | seq u8 | type u8 | ciphertext | tag 16 | CRC-16
//
// This module lays the bytes out; compiler/link/seal.ts encrypts and checks.

import { cobsDecode, cobsEncode } from "./cobs.js";
import { crc16 } from "./crc.js";

export const LINK_VERSION = 1;

export const FrameFlag = {
  /** The message continues in the next frame of the same type and sequence number (device reports only). */
  More: 0x01,
  /** Sent by the device. */
  FromDevice: 0x02,
  /** Authenticated and encrypted: a counter after the header, a tag after the payload (docs/link.md §2.1). */
  Sealed: 0x04,
} as const;
export const FRAME_FLAG_MASK = 0x0f;

/** header + seq + type + CRC: the bytes a plain frame adds to its payload. */
export const FRAME_OVERHEAD = 5;
/** Longest frame before COBS: the device encodes and decodes in place only up to this length. */
export const MAX_FRAME_BYTES = 254;
/** Largest payload a plain frame can carry. */
export const MAX_PAYLOAD = MAX_FRAME_BYTES - FRAME_OVERHEAD;
/** Smallest max payload a device may announce: a 256-bit RESULT and HELLO_REPLY must fit one frame. */
export const MIN_PAYLOAD = 40;
export const FRAME_DELIMITER = 0x00;
/** A sealed frame's message counter (after the header) and authentication tag (after the ciphertext). */
export const SEAL_COUNTER_BYTES = 4;
export const SEAL_TAG_BYTES = 16;
/** The bytes sealing adds to a frame. */
export const SEAL_OVERHEAD = SEAL_COUNTER_BYTES + SEAL_TAG_BYTES;

export interface Frame {
  version: number;
  flags: number;
  seq: number;
  type: number;
  /** Plain frames: the payload. Sealed frames: the ciphertext and the tag (seal.ts). */
  payload: Uint8Array;
  /** Sealed frames only: the sender's message counter. */
  counter?: number;
}

/** The bytes of a frame on the wire: COBS of header..CRC, then the 0x00 delimiter. */
export function encodeFrame(frame: Omit<Frame, "version"> & { version?: number }): Uint8Array {
  const head = frameHead(frame);
  const raw = new Uint8Array(head.length + frame.payload.length + 2);
  raw.set(head);
  raw.set(frame.payload, head.length);
  const crc = crc16(raw, 0, raw.length - 2);
  raw[raw.length - 2] = crc & 0xff;
  raw[raw.length - 1] = crc >> 8;
  const body = cobsEncode(raw);
  const wire = new Uint8Array(body.length + 1);
  wire.set(body);
  wire[body.length] = FRAME_DELIMITER;
  return wire;
}

/**
 * The bytes before the payload: header, seq, type; for a sealed frame header,
 * counter, seq, type (they are also its additional authenticated data).
 */
export function frameHead(frame: Omit<Frame, "version" | "payload"> & { version?: number }): Uint8Array {
  const sealed = (frame.flags & FrameFlag.Sealed) !== 0;
  const head = new Uint8Array(sealed ? 3 + SEAL_COUNTER_BYTES : 3);
  head[0] = ((frame.version ?? LINK_VERSION) << 4) | (frame.flags & FRAME_FLAG_MASK);
  let at = 1;
  if (sealed) {
    new DataView(head.buffer).setUint32(1, (frame.counter ?? 0) >>> 0, true);
    at += SEAL_COUNTER_BYTES;
  }
  head[at] = frame.seq & 0xff;
  head[at + 1] = frame.type & 0xff;
  return head;
}

export type FrameDecoded = { ok: true; frame: Frame } | { ok: false; reason: string };

/** Decodes one frame body (the bytes between two delimiters). */
export function decodeFrame(body: Uint8Array): FrameDecoded {
  const cobs = cobsDecode(body);
  if (!cobs.ok) return { ok: false, reason: `bad COBS: ${cobs.reason}` };
  const raw = cobs.data;
  if (raw.length < FRAME_OVERHEAD) return { ok: false, reason: `frame of ${raw.length} bytes is shorter than ${FRAME_OVERHEAD}` };
  const want = crc16(raw, 0, raw.length - 2);
  const got = raw[raw.length - 2]! | (raw[raw.length - 1]! << 8);
  if (want !== got) return { ok: false, reason: `bad CRC: 0x${got.toString(16).padStart(4, "0")}, computed 0x${want.toString(16).padStart(4, "0")}` };
  const version = raw[0]! >> 4;
  const flags = raw[0]! & FRAME_FLAG_MASK;
  if (!(flags & FrameFlag.Sealed)) return { ok: true, frame: { version, flags, seq: raw[1]!, type: raw[2]!, payload: raw.slice(3, raw.length - 2) } };
  if (raw.length < FRAME_OVERHEAD + SEAL_OVERHEAD) return { ok: false, reason: `sealed frame of ${raw.length} bytes is shorter than ${FRAME_OVERHEAD + SEAL_OVERHEAD}` };
  const counter = new DataView(raw.buffer, raw.byteOffset).getUint32(1, true);
  const at = 1 + SEAL_COUNTER_BYTES;
  return { ok: true, frame: { version, flags, counter, seq: raw[at]!, type: raw[at + 1]!, payload: raw.slice(at + 2, raw.length - 2) } };
}

export type ReaderEvent = { kind: "frame"; frame: Frame } | { kind: "dropped"; reason: string };

/**
 * Splits a byte stream into frames. Bytes before the first delimiter are
 * treated as a frame like any other (a receiver that starts mid-frame drops
 * one bad frame and is in step from the next delimiter on); empty frames
 * (consecutive delimiters) are ignored, as senders may add delimiters freely.
 */
export class FrameReader {
  private pending: number[] = [];
  /** Bodies longer than this are dropped without decoding (a lost delimiter must not grow the buffer forever). */
  constructor(private readonly maxBody = 64 * 1024) {}

  push(bytes: Uint8Array): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    for (const b of bytes) {
      if (b !== FRAME_DELIMITER) {
        if (this.pending.length <= this.maxBody) this.pending.push(b);
        continue;
      }
      if (this.pending.length === 0) continue;
      const body = Uint8Array.from(this.pending);
      this.pending = [];
      if (body.length > this.maxBody) {
        events.push({ kind: "dropped", reason: `frame longer than ${this.maxBody} bytes` });
        continue;
      }
      const d = decodeFrame(body);
      events.push(d.ok ? { kind: "frame", frame: d.frame } : { kind: "dropped", reason: d.reason });
    }
    return events;
  }
}
