// What an Aryl script is checked against besides the aryl profile: the
// contract's ABI (events for `On` handlers, functions for `contract.f(...)`)
// and the device apps whose public functions it calls (docs/aryl.md §2).
// Also the naming of the node-call imports an Aryl image uses for calls out of
// the script, shared by the compiler and the script runner (aryl/script.ts).

import { FunctionKind, type Image } from "../ir/image.js";
import { ValueKind, type ValueType } from "../ir/types.js";

/** The part of a Solidity JSON ABI entry Aryl reads (viem's `Abi` is assignable to it). */
export interface AbiParameter {
  readonly name?: string;
  readonly type: string;
}

export interface AbiEntry {
  readonly type: string;
  readonly name?: string;
  readonly inputs?: readonly AbiParameter[];
  readonly outputs?: readonly AbiParameter[];
  readonly stateMutability?: string;
}

export type AbiLike = readonly AbiEntry[];

/** The entries of a parsed JSON ABI (solc's, viem's) that Aryl can read: those with a string `type`. */
export function abiOf(entries: readonly unknown[]): AbiLike {
  return entries.filter((e): e is AbiEntry => typeof e === "object" && e !== null && typeof (e as { type?: unknown }).type === "string");
}

/** A public function of a device app, as a script calls it. */
export interface DeviceFunction {
  name: string;
  params: ValueType[];
  /** The app (file name) that defines it, for messages. */
  app: string;
}

export interface ArylEnv {
  /** Undefined when no ABI was given (`On` handlers and `contract.f()` then report it). */
  abi: AbiLike | undefined;
  /** Undefined when no app was given: device calls are then not checked. */
  deviceFunctions: Map<string, DeviceFunction[]> | undefined;
}

/** Capacity of the buffer the compiler reserves for a string a host call returns (Decrypt, a contract read). */
export const RESULT_BUFFER_BYTES = 256;

/** Prefix of an `On Event` handler's function name in the image. */
export const HANDLER_PREFIX = "On_";

/** Import name prefixes: a device function, a contract read (eth_call), a contract transaction. */
export const DEVICE_CALL_PREFIX = "device_";
export const CONTRACT_READ_PREFIX = "call_";
export const CONTRACT_SEND_PREFIX = "send_";

const uint = (width: 0 | 1 | 2 | 3 | 4): ValueType => ({ kind: ValueKind.Uint, width });
const sint = (width: 0 | 1 | 2 | 3 | 4): ValueType => ({ kind: ValueKind.Int, width });

/**
 * The Aryl value type of a Solidity ABI type: `uintN`/`intN` the narrowest of
 * 8, 16, 32, 64, 256 bits holding it, `address` a `uint256`, `bool`, `string`;
 * undefined for the rest (arrays, tuples, `bytes`).
 */
export function abiValueType(abiType: string): ValueType | undefined {
  if (abiType === "bool") return { kind: ValueKind.Bool, width: 0 };
  if (abiType === "string") return { kind: ValueKind.String, width: 1 };
  if (abiType === "address") return uint(4);
  const m = /^(u?)int(\d*)$/.exec(abiType);
  if (!m) return undefined;
  const bits = m[2] === "" ? 256 : Number(m[2]);
  if (bits < 8 || bits > 256 || bits % 8 !== 0) return undefined;
  const code = bits <= 8 ? 0 : bits <= 16 ? 1 : bits <= 32 ? 2 : bits <= 64 ? 3 : 4;
  return m[1] === "u" ? uint(code) : sint(code);
}

export function abiEvents(abi: AbiLike): AbiEntry[] {
  return abi.filter((e) => e.type === "event" && e.name !== undefined);
}

export function abiFunctions(abi: AbiLike): AbiEntry[] {
  return abi.filter((e) => e.type === "function" && e.name !== undefined);
}

/** Whether a contract function is read with eth_call (view or pure) rather than sent as a transaction. */
export function isReadOnly(fn: AbiEntry): boolean {
  return fn.stateMutability === "view" || fn.stateMutability === "pure";
}

/** The public functions of device apps by name (several when apps share a name). */
export function deviceFunctionsOf(apps: readonly { file: string; image: Image }[]): Map<string, DeviceFunction[]> {
  const map = new Map<string, DeviceFunction[]>();
  for (const { file, image } of apps)
    for (const fn of image.functions) {
      if (fn.kind !== FunctionKind.Public) continue;
      const list = map.get(fn.name) ?? [];
      list.push({ name: fn.name, params: fn.locals.slice(0, fn.paramCount), app: file });
      map.set(fn.name, list);
    }
  return map;
}
