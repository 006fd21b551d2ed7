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
  doc: string;
}

export interface Profile {
  id: number;
  name: string;
  doc: string;
  events: ProfileEvent[];
  syscalls: ProfileSyscall[];
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
];

export function profileByName(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}

export function profileById(id: number): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}

export const DEFAULT_PROFILE = "test";
