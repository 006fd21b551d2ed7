// Splits a function's code into the units the disassembler prints, one per
// line: decodable instructions, and raw byte runs for everything else (unknown
// opcodes, truncated immediates, bad width codes). Works on any bytes, valid or
// not, so that even unverified images can be printed and reassembled exactly.

import { immediateSize, OPCODE_BY_BYTE, type OpcodeInfo } from "./opcodes.js";
import { isWidthCode } from "./types.js";

export interface DecodedInstruction {
  kind: "instruction";
  offset: number;
  info: OpcodeInfo;
  /** The immediate bytes, as in the code (big-endian where it matters). */
  immediate: Uint8Array;
  /** Offset of the next unit. */
  end: number;
}

export interface RawBytes {
  kind: "raw";
  offset: number;
  bytes: Uint8Array;
  /** Why these bytes are not an instruction (shown as a comment). */
  reason: string;
  end: number;
}

export type CodeUnit = DecodedInstruction | RawBytes;

export function decodeCode(code: Uint8Array): CodeUnit[] {
  const units: CodeUnit[] = [];
  let offset = 0;
  while (offset < code.length) {
    const unit = decodeUnitAt(code, offset);
    units.push(unit);
    offset = unit.end;
  }
  return units;
}

function decodeUnitAt(code: Uint8Array, offset: number): CodeUnit {
  const byte = code[offset]!;
  const info = OPCODE_BY_BYTE[byte];
  if (!info) return raw(code, offset, offset + 1, "not an opcode");
  const size = immediateSize(info);
  const end = offset + 1 + size;
  if (end > code.length) return raw(code, offset, code.length, `${info.name} with a truncated immediate`);
  const immediate = code.slice(offset + 1, end);
  if (info.immediate === "width" && !isWidthCode(immediate[0]!)) return raw(code, offset, end, `${info.name} with width code ${immediate[0]}`);
  return { kind: "instruction", offset, info, immediate, end };
}

function raw(code: Uint8Array, offset: number, end: number, reason: string): RawBytes {
  return { kind: "raw", offset, bytes: code.slice(offset, end), reason, end };
}

/** The signed 16-bit relative offset of RJUMP/RJUMPI. */
export function rel16(immediate: Uint8Array): number {
  const v = (immediate[0]! << 8) | immediate[1]!;
  return v >= 0x8000 ? v - 0x10000 : v;
}

/** Where a relative jump lands: relative to the next instruction (EIP-4200). */
export function jumpTarget(unit: DecodedInstruction): number {
  return unit.end + rel16(unit.immediate);
}
