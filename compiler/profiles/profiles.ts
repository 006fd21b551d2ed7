// Device profiles: the Service Provider Interface a device offers to apps, the
// events its drivers raise and the syscalls its HAL implements. This file is the
// single source of truth; C tables for the firmware are generated from it.

import { parseTypeName, type ValueType } from "../ir/types.js";

export interface ProfileParam {
  name: string;
  type: ValueType;
}

export interface ProfileEvent {
  id: number;
  name: string;
  params: ProfileParam[];
  doc: string;
}

export interface ProfileSyscall {
  id: number;
  name: string;
  params: ProfileParam[];
  result: ValueType | undefined;
  /** The result is the device clock (seconds since the Unix epoch, set by the node). */
  returnsClock?: boolean;
  /**
   * The result is a string the host writes into a buffer of the app's: the last
   * two parameters (`uint16 out, uint16 capacity`: its address) are that buffer, supplied by
   * the compiler, not written in the call (docs/aryl.md §2).
   */
  resultBuffer?: boolean;
  doc: string;
}

export interface Profile {
  id: number;
  name: string;
  doc: string;
  events: ProfileEvent[];
  syscalls: ProfileSyscall[];
  /**
   * Only the Aryl node runs apps of this profile: a device build carrying
   * every profile leaves it out unless ALKY_WITH_NODE_PROFILES is on
   * (vm-c/vm_config.h; off on the Uno and the MSP430, docs/performance.md).
   */
  nodeOnly?: boolean;
}

/** `"char key"` → { name: "key", type: char }. Types use the assembler's spelling. */
function params(...specs: string[]): ProfileParam[] {
  return specs.map((spec) => {
    const [type, name] = spec.split(" ");
    const t = parseTypeName(type!);
    if (!t || !name) throw new Error(`bad profile parameter ${spec}`);
    return { name, type: t };
  });
}

function type(name: string): ValueType {
  const t = parseTypeName(name);
  if (!t) throw new Error(`bad profile type ${name}`);
  return t;
}

export const PROFILES: readonly Profile[] = [
  {
    id: 1,
    name: "test",
    doc: "Generic profile for tests and examples: output syscalls for every type, a clock, and a few events.",
    events: [
      { id: 0, name: "Tick", params: [], doc: "a periodic tick" },
      { id: 1, name: "Input", params: params("uint32 value"), doc: "a sensor reading" },
      { id: 2, name: "Key", params: params("char key"), doc: "a key press" },
    ],
    syscalls: [
      { id: 0, name: "Out8", params: params("uint8 v"), result: undefined, doc: "report an unsigned 8-bit value" },
      { id: 1, name: "Out16", params: params("uint16 v"), result: undefined, doc: "report an unsigned 16-bit value" },
      { id: 2, name: "Out32", params: params("uint32 v"), result: undefined, doc: "report an unsigned 32-bit value" },
      { id: 3, name: "Out64", params: params("uint64 v"), result: undefined, doc: "report an unsigned 64-bit value" },
      { id: 4, name: "Out256", params: params("uint256 v"), result: undefined, doc: "report an unsigned 256-bit value" },
      { id: 5, name: "OutI8", params: params("int8 v"), result: undefined, doc: "report a signed 8-bit value" },
      { id: 6, name: "OutI16", params: params("int16 v"), result: undefined, doc: "report a signed 16-bit value" },
      { id: 7, name: "OutI32", params: params("int32 v"), result: undefined, doc: "report a signed 32-bit value" },
      { id: 8, name: "OutI64", params: params("int64 v"), result: undefined, doc: "report a signed 64-bit value" },
      { id: 9, name: "OutI256", params: params("int256 v"), result: undefined, doc: "report a signed 256-bit value" },
      { id: 10, name: "OutBool", params: params("bool v"), result: undefined, doc: "report a boolean" },
      { id: 11, name: "OutChar", params: params("char v"), result: undefined, doc: "report a character" },
      { id: 12, name: "Print", params: params("string s"), result: undefined, doc: "report a NUL-terminated string" },
      { id: 13, name: "Now", params: [], result: type("uint32"), returnsClock: true, doc: "seconds since the Unix epoch, as last set by the node" },
    ],
  },
  {
    id: 2,
    name: "smartlock",
    doc: "The paper's smart lock: a keypad, a lock actuator, a buzzer and a clock.",
    events: [{ id: 0, name: "KeyPressed", params: params("char key"), doc: "a key of the keypad was pressed" }],
    syscalls: [
      { id: 0, name: "Unlock", params: [], result: undefined, doc: "open the lock" },
      { id: 1, name: "Lock", params: [], result: undefined, doc: "close the lock" },
      { id: 2, name: "IncorrectBeep", params: [], result: undefined, doc: "sound the buzzer for a wrong PIN" },
      { id: 3, name: "Now", params: [], result: type("uint32"), returnsClock: true, doc: "seconds since the Unix epoch, as last set by the node" },
    ],
  },
  {
    id: 3,
    name: "aryl",
    nodeOnly: true,
    doc: "Aryl scripts, run by the Aryl node (docs/aryl.md §2): the node's built-in functions. Calls of device functions and contract functions are node-call imports, not syscalls.",
    events: [],
    syscalls: [
      {
        id: 0,
        name: "Decrypt",
        params: params("string ciphertext", "uint16 out", "uint16 capacity"),
        result: type("string"),
        resultBuffer: true,
        doc: "decrypt hex text sealed to the node's key (ECIES on secp256k1); the text is written to a buffer the compiler reserves",
      },
      { id: 1, name: "BlockNumber", params: [], result: type("uint64"), doc: "`block.number`: the block of the event handled, else the latest" },
      { id: 2, name: "BlockTimestamp", params: [], result: type("uint32"), doc: "`block.timestamp`: that block's time, seconds since the Unix epoch" },
      { id: 3, name: "DeviceGroup", params: params("string group"), result: type("uint16"), doc: "`for each`: adds the devices of a group (\"\" = all) to the invocation's device table, returns the first handle" },
      { id: 4, name: "DeviceCount", params: [], result: type("uint16"), doc: "`for each`: the size of the invocation's device table (the end handle)" },
      { id: 5, name: "DeviceNamed", params: params("string name"), result: type("uint16"), doc: "`device(\"name\")`: adds the named device to the device table, returns its handle" },
      { id: 6, name: "GetState", params: params("string key"), result: type("uint256"), doc: "system-wide state shared by all devices: the value of a key (0 if unset)" },
      { id: 7, name: "SetState", params: params("string key", "uint256 value"), result: undefined, doc: "set a key of the system-wide state" },
      { id: 8, name: "Keccak256", params: params("string data"), result: type("uint256"), doc: "keccak-256 of a string's bytes, as a 256-bit number" },
      { id: 9, name: "Log", params: params("string text"), result: undefined, doc: "write a line to the node's log" },
      { id: 10, name: "LogValue", params: params("string label", "uint256 value"), result: undefined, doc: "write `label value` to the node's log" },
    ],
  },
  {
    id: 4,
    name: "meter",
    doc: "A utility meter: a pulse per unit consumed (e.g. one watt-hour), a periodic tick, a supply relay and a clock.",
    events: [
      { id: 0, name: "Pulse", params: [], doc: "one unit was consumed" },
      { id: 1, name: "Tick", params: [], doc: "a periodic tick (the reporting interval)" },
    ],
    syscalls: [
      { id: 0, name: "Supply", params: params("bool on"), result: undefined, doc: "switch the supply relay on or off" },
      { id: 1, name: "Now", params: [], result: type("uint32"), returnsClock: true, doc: "seconds since the Unix epoch, as last set by the node" },
    ],
  },
];

export function profileByName(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}

export function profileById(id: number): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}

export const DEFAULT_PROFILE = "test";

/** The profile Aryl scripts are compiled against. */
export const ARYL_PROFILE = "aryl";
