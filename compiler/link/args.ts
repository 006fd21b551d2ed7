// Argument streams (docs/link.md §3.3): how CALL/EVENT arguments and SYSCALL
// arguments travel. Each parameter in order: a scalar as its W/8 bytes,
// little-endian; a string as a u16 length and its bytes (no NUL). The
// receiver knows the parameter types from the image, so the stream carries
// no type tags.

import { ValueKind, widthBytes, type ValueType } from "../ir/types.js";
import type { Raw, RawArg } from "../vm/effects.js";

function rawToBigInt(v: Raw): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

/** Encodes arguments for parameters of the given types; a string parameter takes bytes, a scalar a raw value. */
export function encodeArgs(types: readonly ValueType[], args: readonly RawArg[]): Uint8Array {
  const parts: number[] = [];
  types.forEach((t, i) => {
    const a = args[i]!;
    if (t.kind === ValueKind.String) {
      const bytes = a instanceof Uint8Array ? a : new Uint8Array(0);
      parts.push(bytes.length & 0xff, bytes.length >> 8, ...bytes);
      return;
    }
    let v = a instanceof Uint8Array ? 0n : BigInt.asUintN(8 * widthBytes(t.width), rawToBigInt(a));
    for (let k = 0; k < widthBytes(t.width); k++, v >>= 8n) parts.push(Number(v & 0xffn));
  });
  return Uint8Array.from(parts);
}

/** A little-endian value at a width: a number up to 32 bits, a bigint above (as the reference VM reports them). */
export function rawFromLittleEndian(bytes: Uint8Array, width: number): Raw {
  let v = 0n;
  for (let k = width - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k] ?? 0);
  return width <= 4 ? Number(v) : v;
}

export type ArgsDecoded = { ok: true; args: RawArg[] } | { ok: false; reason: string };

/** Decodes an argument stream for parameters of the given types; it must be used up exactly. */
export function decodeArgs(types: readonly ValueType[], bytes: Uint8Array): ArgsDecoded {
  const args: RawArg[] = [];
  let at = 0;
  for (const [i, t] of types.entries()) {
    if (t.kind === ValueKind.String) {
      if (at + 2 > bytes.length) return { ok: false, reason: `argument ${i + 1}: string length missing` };
      const n = bytes[at]! | (bytes[at + 1]! << 8);
      at += 2;
      if (at + n > bytes.length) return { ok: false, reason: `argument ${i + 1}: string of ${n} bytes, ${bytes.length - at} received` };
      args.push(bytes.slice(at, at + n));
      at += n;
      continue;
    }
    const w = widthBytes(t.width);
    if (at + w > bytes.length) return { ok: false, reason: `argument ${i + 1}: ${w} bytes expected, ${bytes.length - at} received` };
    args.push(rawFromLittleEndian(bytes.subarray(at, at + w), w));
    at += w;
  }
  if (at !== bytes.length) return { ok: false, reason: `${bytes.length - at} bytes after the last argument` };
  return { ok: true, args };
}
