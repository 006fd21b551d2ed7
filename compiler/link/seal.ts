// Sealed frames (docs/link.md §2.1): ChaCha20-Poly1305 (RFC 8439) over a
// frame's payload, authenticating its header, counter, sequence number and
// type. One 32-byte key per device; the nonce is the direction, zeros and the
// sender's message counter, and each side sends strictly increasing counters,
// so no (key, nonce) pair is ever used twice. The C side is vm-c/seal.c.

import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { FrameFlag, frameHead, SEAL_TAG_BYTES, type Frame } from "./frame.js";

export const LINK_KEY_BYTES = 32;
export const NONCE_BYTES = 12;

/** Who sent a frame: the first byte of its nonce. */
export const Direction = { NodeToDevice: 0, DeviceToNode: 1 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** Largest counter; a side that reaches it stops sending (the key must be replaced). */
export const MAX_COUNTER = 0xffff_ffff;

/** direction u8 | 7 zero bytes | counter u32 LE. */
export function sealNonce(direction: Direction, counter: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES);
  nonce[0] = direction;
  new DataView(nonce.buffer).setUint32(8, counter >>> 0, true);
  return nonce;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== LINK_KEY_BYTES) throw new Error(`a link key is ${LINK_KEY_BYTES} bytes, not ${key.length}`);
}

/** The sealed form of a plain frame: SEALED flag, the counter, the payload encrypted and its tag appended. */
export function sealFrame(frame: Omit<Frame, "version" | "counter"> & { version?: number }, key: Uint8Array, direction: Direction, counter: number): Frame {
  checkKey(key);
  if (!Number.isInteger(counter) || counter < 0 || counter > MAX_COUNTER) throw new Error(`link counter ${counter} out of range`);
  const sealed: Frame = { version: frame.version ?? 1, flags: frame.flags | FrameFlag.Sealed, seq: frame.seq, type: frame.type, counter, payload: frame.payload };
  const aad = frameHead(sealed);
  sealed.payload = chacha20poly1305(key, sealNonce(direction, counter), aad).encrypt(frame.payload);
  return sealed;
}

export type Opened = { ok: true; frame: Frame; counter: number } | { ok: false; reason: string };

/** Checks and decrypts a sealed frame; the result is the plain frame (SEALED flag cleared), or why it was refused. */
export function openFrame(frame: Frame, key: Uint8Array, direction: Direction): Opened {
  checkKey(key);
  if (!(frame.flags & FrameFlag.Sealed) || frame.counter === undefined) return { ok: false, reason: "frame is not sealed" };
  if (frame.payload.length < SEAL_TAG_BYTES) return { ok: false, reason: "sealed frame without a tag" };
  let payload: Uint8Array;
  try {
    payload = chacha20poly1305(key, sealNonce(direction, frame.counter), frameHead(frame)).decrypt(frame.payload);
  } catch {
    return { ok: false, reason: `sealed frame (counter ${frame.counter}) failed authentication` };
  }
  return { ok: true, counter: frame.counter, frame: { version: frame.version, flags: frame.flags & ~FrameFlag.Sealed, seq: frame.seq, type: frame.type, payload } };
}
