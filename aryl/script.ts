// The Aryl script runner (docs/aryl.md §2): runs a compiled Aryl script (an
// Alkyl IR image of the aryl profile) in the TypeScript reference VM, sandboxed.
// The script reaches nothing but the ArylHost it is given, through the aryl
// profile's syscalls and its node-call imports (device calls, contract reads and
// transactions); each invocation has a fuel budget. Contract reads and
// transactions are asynchronous: the VM suspends the invocation at the NCALL
// and resumes it with the answer (compiler/vm/reference.ts). Invocations of one
// script run one at a time, in the order they were asked for; the script's
// memory (its globals) lives as long as the ArylScript.

import { keccak_256 } from "@noble/hashes/sha3.js";
import { FunctionKind, ImportKind, type Image, type IrFunction, type IrImport } from "../compiler/ir/image.js";
import { ValueKind, type ValueType } from "../compiler/ir/types.js";
import { formatVerifyError, verifyImage } from "../compiler/ir/verify.js";
import {
  abiEvents, abiFunctions, abiOf, abiValueType, CONTRACT_READ_PREFIX, CONTRACT_SEND_PREFIX, DEVICE_CALL_PREFIX, HANDLER_PREFIX, type AbiEntry, type AbiLike,
} from "../compiler/lang/aryl-env.js";
import { ARYL_PROFILE, profileByName } from "../compiler/profiles/profiles.js";
import { effectToTrace } from "../compiler/run/session.js";
import { toRaw, toSigned } from "../compiler/vm/arith.js";
import { SUSPEND, type Raw, type RawArg, type RawEffect } from "../compiler/vm/effects.js";
import { DEFAULT_FUEL, ReferenceVm } from "../compiler/vm/reference.js";
import { fromHex } from "./ecies.js";

/** A value crossing the script boundary: integers as bigint, booleans, strings (chars as bigint). */
export type ScriptValue = bigint | boolean | string;

/** Everything a script can reach. The node implements it; tests implement it to record effects. */
export interface ArylHost {
  /** Device names in scope: all (no group) or those of a group. */
  devices(group?: string): string[];
  /** Enqueues a call of a device's public function; the node delivers it (queues it while the device is offline). */
  callDevice(device: string, fn: string, args: ScriptValue[]): void;
  /** The block of the log being handled, else the latest. */
  block(): { number: bigint; timestamp: bigint };
  /** Decrypts an ECIES ciphertext with the node's key (aryl/ecies.ts); throws when it does not authenticate. */
  decrypt(ciphertext: Uint8Array): Uint8Array;
  /** eth_call of a view or pure function of the contract. */
  readContract(fn: string, args: ScriptValue[]): Promise<ScriptValue>;
  /** A transaction to the contract, signed by the node's key. */
  sendTransaction(fn: string, args: ScriptValue[]): Promise<void>;
  /** System-wide state shared by all devices. */
  state: { get(key: string): bigint | undefined; set(key: string, value: bigint): void };
  log(line: string): void;
}

export interface ArylScriptOptions {
  /** Instructions per invocation (handler or public function), default 1,000,000. */
  fuel?: number;
}

/** A one-line error: a script that does not load, or an invocation that failed. */
export class ArylScriptError extends Error {}

/** A public function of the script, as devices call it. */
export interface ScriptFunction {
  name: string;
  params: ValueType[];
  result: ValueType | undefined;
}

const decoder = new TextDecoder("utf-8", { fatal: false });
const encoder = new TextEncoder();
const ARYL = profileByName(ARYL_PROFILE)!;

/** An import of the image as the runner serves it. */
type Service =
  | { kind: "builtin"; name: string }
  | { kind: "device"; fn: string }
  | { kind: "read" | "send"; fn: string; abi: AbiEntry };

/** Per-invocation state: the device table (handles are indexes) and the pending host answer. */
interface Invocation {
  host: ArylHost;
  devices: string[];
  pending: Promise<Raw> | undefined;
}

function fail(message: string): never {
  throw new ArylScriptError(message);
}

function sameValueType(a: ValueType, b: ValueType): boolean {
  return a.kind === b.kind && a.width === b.width;
}

/** An integer from a viem-decoded value (bigint, number, hex address, boolean). */
function toBigInt(v: unknown, what: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  if (typeof v === "boolean") return v ? 1n : 0n;
  if (typeof v === "string" && /^0x[0-9a-fA-F]*$/.test(v)) return BigInt(v === "0x" ? 0 : v);
  return fail(`${what}: expected an integer, got ${typeof v === "string" ? JSON.stringify(v) : typeof v}`);
}

/** A host value as the raw argument of a parameter of type `t`. */
function toRawArg(v: unknown, t: ValueType, what: string): RawArg {
  switch (t.kind) {
    case ValueKind.String:
      if (typeof v !== "string") fail(`${what}: expected a string, got ${typeof v}`);
      return encoder.encode(v);
    case ValueKind.Bool:
      if (typeof v !== "boolean") fail(`${what}: expected a boolean, got ${typeof v}`);
      return v ? 1 : 0;
    default:
      return toRaw(t.width, toBigInt(v, what));
  }
}

/** A raw argument or result of type `t` as a script value. */
function toScriptValue(v: RawArg, t: ValueType): ScriptValue {
  if (v instanceof Uint8Array) return decoder.decode(v);
  switch (t.kind) {
    case ValueKind.Bool:
      return v !== 0;
    case ValueKind.Int:
      return BigInt(toSigned(t.width, v));
    default:
      return BigInt(v);
  }
}

/** A device or contract argument for the host; an ABI `address` becomes its 0x-hex text. */
function contractArg(v: ScriptValue, abiType: string): ScriptValue {
  if (abiType === "address" && typeof v === "bigint") return `0x${BigInt.asUintN(160, v).toString(16).padStart(40, "0")}`;
  return v;
}

export class ArylScript {
  readonly image: Image;
  /** Contract events the script handles. */
  readonly eventNames: string[];
  /** Functions devices may call. */
  readonly publicFunctions: ScriptFunction[];
  private readonly vm: ReferenceVm;
  private readonly services: Service[];
  private readonly handlers = new Map<string, number>();
  private readonly publics = new Map<string, number>();
  private current: Invocation | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(image: Image, services: Service[], options: ArylScriptOptions) {
    this.image = image;
    this.services = services;
    image.functions.forEach((fn, i) => {
      if (fn.kind !== FunctionKind.Public) return;
      if (fn.name.startsWith(HANDLER_PREFIX)) this.handlers.set(fn.name.slice(HANDLER_PREFIX.length), i);
      else this.publics.set(fn.name, i);
    });
    this.eventNames = [...this.handlers.keys()];
    this.publicFunctions = [...this.publics.values()].map((i) => {
      const fn = image.functions[i]!;
      return { name: fn.name, params: fn.locals.slice(0, fn.paramCount), result: fn.result };
    });
    this.vm = new ReferenceVm(image, {
      fuel: options.fuel ?? DEFAULT_FUEL,
      syscall: (index, args) => this.builtin(index, args),
      nodeCall: (index, args) => this.outCall(index, args),
    });
  }

  /** Verifies the image against the aryl profile and the contract ABI; throws a one-line ArylScriptError. */
  static load(bytes: Uint8Array, abiEntries: AbiLike | readonly unknown[], options: ArylScriptOptions = {}): ArylScript {
    const abi = abiOf(abiEntries);
    const verified = verifyImage(bytes, { profile: ARYL });
    if (!verified.ok) fail(`aryl script: error verify: ${formatVerifyError(verified.error)}`);
    const image = verified.value.image;
    for (const fn of image.functions) if (fn.kind === FunctionKind.Public && fn.name.startsWith(HANDLER_PREFIX)) checkHandler(fn, abi);
    return new ArylScript(image, image.imports.map((imp) => serviceOf(imp, abi)), options);
  }

  /** Runs the `On name` handler with the event's arguments (viem-decoded, ABI order). */
  handleEvent(name: string, args: readonly unknown[], host: ArylHost): Promise<void> {
    const index = this.handlers.get(name);
    if (index === undefined) return Promise.reject(new ArylScriptError(`aryl script: no handler for event ${name}`));
    return this.serialized(async () => {
      const fn = this.image.functions[index]!;
      if (args.length !== fn.paramCount) fail(`On ${name}: the event has ${args.length} argument(s), the handler takes ${fn.paramCount}`);
      const raw = args.map((a, i) => toRawArg(a, fn.locals[i]!, `On ${name}: argument ${i + 1}`));
      await this.run(index, raw, host, `On ${name}`);
    });
  }

  /** Runs a public function for a device (a device-to-node call); its result, if it has one. */
  callPublic(name: string, args: ScriptValue[], host: ArylHost): Promise<ScriptValue | undefined> {
    const index = this.publics.get(name);
    if (index === undefined) return Promise.reject(new ArylScriptError(`aryl script: no public function ${name}`));
    return this.serialized(async () => {
      const fn = this.image.functions[index]!;
      if (args.length !== fn.paramCount) fail(`${name}: takes ${fn.paramCount} argument(s), ${args.length} given`);
      const raw = args.map((a, i) => toRawArg(a, fn.locals[i]!, `${name}: argument ${i + 1}`));
      const result = await this.run(index, raw, host, name);
      return result === undefined || fn.result === undefined ? undefined : toScriptValue(result, fn.result);
    });
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One invocation to its end: resumes at every host answer; a fault or host error rejects with one line. */
  private async run(index: number, args: RawArg[], host: ArylHost, who: string): Promise<Raw | undefined> {
    const fn = this.image.functions[index]!;
    const invocation: Invocation = { host, devices: [], pending: undefined };
    this.current = invocation;
    try {
      const buffers = fn.stringBuffers;
      let k = 0;
      for (const a of args)
        if (a instanceof Uint8Array) {
          const capacity = buffers[k++]!.capacity;
          if (a.length >= capacity) fail(`${who}: a string of ${a.length} bytes does not fit the ${capacity}-byte buffer of its parameter`);
        }
      let effects = this.invokeGuarded(() => this.vm.invoke(index, args), who);
      for (;;) {
        const ended = this.outcome(effects, fn, who);
        if (!this.vm.suspended) return ended;
        const pending = invocation.pending!;
        invocation.pending = undefined;
        let answer: Raw | undefined;
        let failure: unknown;
        try {
          answer = await pending;
        } catch (e) {
          failure = e;
        }
        effects = this.invokeGuarded(() => this.vm.resume(answer), who);
        if (failure !== undefined) fail(`${who}: ${failure instanceof Error ? failure.message.split("\n")[0] : String(failure)}`);
      }
    } finally {
      this.current = undefined;
    }
  }

  /**
   * Runs the VM; an error a built-in or the host threw (a bad ciphertext, an
   * unknown device, a full queue) becomes the invocation's one-line error.
   */
  private invokeGuarded(step: () => RawEffect[], who: string): RawEffect[] {
    try {
      return step();
    } catch (e) {
      return fail(`${who}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }

  /** The result of finished effects; throws on a fault. */
  private outcome(effects: RawEffect[], fn: IrFunction, who: string): Raw | undefined {
    let result: Raw | undefined;
    for (const e of effects) {
      if (e.kind === "fault") {
        const line = effectToTrace(e, this.image, fn);
        fail(`${who}: error ${e.fault}: ${"message" in line ? line.message : e.fault}`);
      }
      if (e.kind === "return") result = e.value;
    }
    return result;
  }

  private get invocation(): Invocation {
    return this.current ?? fail("aryl script: host call outside an invocation");
  }

  // ------------------------------------------------------------ built-ins

  private builtin(index: number, args: RawArg[]): Raw | undefined {
    const service = this.services[index]!;
    const inv = this.invocation;
    const host = inv.host;
    const text = (i: number): string => decoder.decode(args[i] as Uint8Array);
    switch (service.kind === "builtin" ? service.name : "") {
      case "Decrypt": {
        let plain: Uint8Array;
        try {
          plain = host.decrypt(fromHex(text(0)));
        } catch (e) {
          return fail(`Decrypt: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (plain.includes(0)) fail("Decrypt: the decrypted text contains a NUL byte");
        return this.writeString(plain, args[1] as number, args[2] as number, "Decrypt");
      }
      case "BlockNumber":
        return BigInt.asUintN(64, host.block().number);
      case "BlockTimestamp":
        return Number(BigInt.asUintN(32, host.block().timestamp));
      case "DeviceGroup": {
        const group = text(0);
        const first = inv.devices.length;
        this.addDevices(inv, host.devices(group === "" ? undefined : group));
        return first;
      }
      case "DeviceCount":
        return inv.devices.length;
      case "DeviceNamed": {
        const name = text(0);
        if (!host.devices().includes(name)) fail(`unknown device '${name}'`);
        this.addDevices(inv, [name]);
        return inv.devices.length - 1;
      }
      case "GetState":
        return host.state.get(text(0)) ?? 0n;
      case "SetState":
        host.state.set(text(0), args[1] as bigint);
        return undefined;
      case "Keccak256":
        return BigInt(`0x${Buffer.from(keccak_256(args[0] as Uint8Array)).toString("hex")}`);
      case "Log":
        host.log(text(0));
        return undefined;
      case "LogValue":
        host.log(`${text(0)} ${String(args[1])}`);
        return undefined;
      default:
        return fail(`aryl script: import ${this.image.imports[index]!.name} is not a built-in`);
    }
  }

  private addDevices(inv: Invocation, names: readonly string[]): void {
    if (inv.devices.length + names.length > 0xffff) fail("more than 65535 device handles in one invocation");
    inv.devices.push(...names);
  }

  /** Writes a NUL-terminated string into a result buffer of the script's memory; returns its address. */
  private writeString(bytes: Uint8Array, address: number, capacity: number, who: string): number {
    if (bytes.length >= capacity) fail(`${who}: a string of ${bytes.length} bytes does not fit its ${capacity}-byte buffer`);
    this.vm.memory.set(bytes, address);
    this.vm.memory[address + bytes.length] = 0;
    return address;
  }

  // -------------------------------------------- device and contract calls

  private outCall(index: number, args: RawArg[]): Raw | typeof SUSPEND {
    const service = this.services[index]!;
    const imp = this.image.imports[index]!;
    const inv = this.invocation;
    const values = args.map((a, i) => toScriptValue(a, imp.params[i]!));
    switch (service.kind) {
      case "device": {
        const device = inv.devices[args[0] as number] ?? fail(`device handle ${String(args[0])} is not in the device table`);
        inv.host.callDevice(device, service.fn, values.slice(1));
        return 0;
      }
      case "read": {
        const inputs = service.abi.inputs ?? [];
        const callArgs = inputs.map((p, i) => contractArg(values[i]!, p.type));
        const result = imp.result;
        inv.pending = inv.host.readContract(service.fn, callArgs).then((v) => {
          if (!result) return 0;
          if (result.kind === ValueKind.String) {
            if (typeof v !== "string") fail(`contract.${service.fn} returned ${typeof v}, not a string`);
            return this.writeString(encoder.encode(v), args[inputs.length] as number, args[inputs.length + 1] as number, `contract.${service.fn}`);
          }
          const raw = toRawArg(result.kind === ValueKind.Bool ? v : toBigInt(v, `contract.${service.fn}`), result, `contract.${service.fn}`);
          return raw as Raw;
        });
        return SUSPEND;
      }
      case "send": {
        const inputs = service.abi.inputs ?? [];
        inv.pending = inv.host.sendTransaction(service.fn, inputs.map((p, i) => contractArg(values[i]!, p.type))).then(() => 0);
        return SUSPEND;
      }
      default:
        return fail(`aryl script: import ${imp.name} is not a node call`);
    }
  }
}

/** Checks an `On_Event` handler against the ABI event of that name. */
function checkHandler(fn: IrFunction, abi: AbiLike): void {
  const event = fn.name.slice(HANDLER_PREFIX.length);
  const ev = abiEvents(abi).find((e) => e.name === event);
  if (!ev) fail(`aryl script: handler On ${event}: the contract ABI has no event ${event}`);
  const inputs = ev.inputs ?? [];
  const matches = inputs.length === fn.paramCount && inputs.every((p, i) => {
    const t = abiValueType(p.type);
    return t !== undefined && sameValueType(t, fn.locals[i]!);
  });
  if (!matches) fail(`aryl script: handler On ${event}: its parameters differ from the ABI event ${event}(${inputs.map((p) => p.type).join(", ")})`);
}

/** How the runner serves an import; throws for one it cannot serve (a script for another contract). */
function serviceOf(imp: IrImport, abi: AbiLike): Service {
  if (imp.kind === ImportKind.Syscall) return { kind: "builtin", name: imp.name };
  if (imp.name.startsWith(DEVICE_CALL_PREFIX)) return { kind: "device", fn: imp.name.slice(DEVICE_CALL_PREFIX.length) };
  const read = imp.name.startsWith(CONTRACT_READ_PREFIX);
  if (!read && !imp.name.startsWith(CONTRACT_SEND_PREFIX)) fail(`aryl script: node-call import ${imp.name} is neither a device nor a contract call`);
  const fn = imp.name.slice((read ? CONTRACT_READ_PREFIX : CONTRACT_SEND_PREFIX).length);
  const hidden = imp.result?.kind === ValueKind.String ? 2 : 0;
  const abiFn = abiFunctions(abi).find((f) => f.name === fn && (f.inputs ?? []).length === imp.params.length - hidden);
  if (!abiFn) fail(`aryl script: the contract ABI has no function ${fn} with ${imp.params.length - hidden} parameter(s)`);
  return { kind: read ? "read" : "send", fn, abi: abiFn };
}

