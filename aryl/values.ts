// Values the node passes to device functions: what Aryl scripts and the
// library API hand over (integers, booleans, text), how they are kept in the
// command queue, and how they become a device call's raw arguments.

import { ValueKind, widthBits, type ValueType } from "../compiler/ir/types.js";
import type { Literal } from "../compiler/run/literals.js";
import { literalToRaw } from "../compiler/run/values.js";
import type { RawArg } from "../compiler/vm/effects.js";
import type { ScriptValue } from "./script.js";

/** The script's values (aryl/script.ts): integers as bigint, booleans, text. */
export type CallValue = ScriptValue;

type Stored = { t: "i"; v: string } | { t: "b"; v: boolean } | { t: "s"; v: string };

export function encodeValues(values: readonly CallValue[]): string {
  return JSON.stringify(
    values.map((v): Stored => (typeof v === "bigint" ? { t: "i", v: v.toString() } : typeof v === "boolean" ? { t: "b", v } : { t: "s", v })),
  );
}

export function decodeValues(json: string): CallValue[] {
  return (JSON.parse(json) as Stored[]).map((s) => (s.t === "i" ? BigInt(s.v) : s.v));
}

export function formatValues(values: readonly CallValue[]): string {
  return values.map((v) => (typeof v === "string" ? JSON.stringify(v) : String(v))).join(", ");
}

function literalOf(v: CallValue): Literal {
  if (typeof v === "bigint") return { kind: "int", value: v, text: v.toString() };
  if (typeof v === "boolean") return { kind: "bool", value: v, text: String(v) };
  return { kind: "string", value: new TextEncoder().encode(v), text: JSON.stringify(v) };
}

export type RawArgs = { ok: true; args: RawArg[] } | { ok: false; message: string };

/** The raw arguments of a call to a function with these parameter types, or why the values do not fit. */
export function rawArgs(types: readonly ValueType[], values: readonly CallValue[]): RawArgs {
  if (types.length !== values.length) return { ok: false, message: `takes ${types.length} argument(s), got ${values.length}` };
  const args: RawArg[] = [];
  for (let i = 0; i < types.length; i++) {
    const v = values[i]!;
    // A char is written as a one-character string, or as its code.
    const literal: Literal = types[i]!.kind === ValueKind.Char && typeof v === "string" && v.length === 1 ? { kind: "char", value: v.charCodeAt(0), text: `'${v}'` } : literalOf(v);
    const converted = literalToRaw(literal, types[i]!);
    if (!converted.ok) return { ok: false, message: `argument ${i + 1}: ${converted.message}` };
    args.push(converted.value);
  }
  return { ok: true, args };
}

/** A raw value a device sent (a node call's argument) as the value a script sees. */
export function callValueOfRaw(raw: RawArg, type: ValueType): CallValue {
  if (raw instanceof Uint8Array) return new TextDecoder().decode(raw);
  if (type.kind === ValueKind.Bool) return raw !== 0 && raw !== 0n;
  const v = BigInt(raw);
  return type.kind === ValueKind.Int ? BigInt.asIntN(widthBits(type.width), v) : v;
}
