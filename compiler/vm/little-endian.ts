// Loads and stores of W-wide raws in memory and storage. Both spaces are
// little-endian (docs/ir.md §3). Bounds are the caller's job.

import type { WidthCode } from "../ir/types.js";
import type { Raw } from "./effects.js";

/** Reads the W/8 bytes at `addr` as an unsigned raw of width `w`. */
export function loadLE(bytes: Uint8Array, view: DataView, addr: number, w: WidthCode): Raw {
  switch (w) {
    case 0:
      return bytes[addr]!;
    case 1:
      return bytes[addr]! | (bytes[addr + 1]! << 8);
    case 2:
      return (bytes[addr]! | (bytes[addr + 1]! << 8) | (bytes[addr + 2]! << 16) | (bytes[addr + 3]! << 24)) >>> 0;
    case 3:
      return view.getBigUint64(addr, true);
    case 4: {
      let v = 0n;
      for (let i = 24; i >= 0; i -= 8) v = (v << 64n) | view.getBigUint64(addr + i, true);
      return v;
    }
  }
}

/** Writes the W/8 bytes of `v` at `addr`, least significant byte first. */
export function storeLE(bytes: Uint8Array, view: DataView, addr: number, w: WidthCode, v: Raw): void {
  switch (w) {
    case 0:
      bytes[addr] = v as number;
      return;
    case 1:
      bytes[addr] = v as number;
      bytes[addr + 1] = (v as number) >>> 8;
      return;
    case 2:
      view.setUint32(addr, v as number, true);
      return;
    case 3:
      view.setBigUint64(addr, v as bigint, true);
      return;
    case 4: {
      let x = v as bigint;
      for (let i = 0; i < 32; i += 8) {
        view.setBigUint64(addr + i, BigInt.asUintN(64, x), true);
        x >>= 64n;
      }
      return;
    }
  }
}

/** The low byte of a raw (MSTORE8). */
export function lowByte(v: Raw): number {
  return typeof v === "number" ? v & 0xff : Number(v & 0xffn);
}
