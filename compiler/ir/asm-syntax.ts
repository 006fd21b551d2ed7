// Spellings shared by the assembler and the disassembler (docs/ir.md §8), kept
// in one place so that what one prints the other reads.

import { FEATURE_NAMES } from "./image.js";
import { typeName, type ValueType } from "./types.js";

/**
 * Symbols by which CALLF and SYSCALL/NCALL name their target. A name that
 * occurs once is its own symbol; a name shared by several entries (possible in
 * an image, though the verifier rejects it for entry points) gets `@index`
 * appended, which no image name can contain, so symbols are always unique.
 */
export function symbolsOf(names: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return names.map((n, i) => ((counts.get(n) ?? 0) > 1 ? `${n}@${i}` : n));
}

/** The image name a symbol stands for: the part before `@`. */
export function nameOfSymbol(symbol: string): string {
  const at = symbol.indexOf("@");
  return at < 0 ? symbol : symbol.slice(0, at);
}

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SYMBOL_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(@[0-9]+)?$/;
export const LABEL_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatTypeList(types: readonly ValueType[]): string {
  return types.map(typeName).join(", ");
}

/** `Name(uint8, char) -> uint16`, or without the arrow for a void result. */
export function formatSignature(symbol: string, params: readonly ValueType[], result: ValueType | undefined): string {
  const head = `${symbol}(${formatTypeList(params)})`;
  return result === undefined ? head : `${head} -> ${typeName(result)}`;
}

/** Feature bits by name (`w64, storage`), `none` for 0; unknown bits in hex. */
export function formatFeatures(bits: number): string {
  const parts: string[] = [];
  let rest = bits;
  for (const [bit, name] of FEATURE_NAMES) {
    if (bits & bit) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(formatHexByte(rest));
  return parts.length === 0 ? "none" : parts.join(", ");
}

export function formatHexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, "0")}`;
}

/** All bytes as one hex number with exactly two digits per byte, so PUSHn keeps its n. */
export function formatHexBytes(bytes: Uint8Array): string {
  let s = "0x";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** A relative jump offset always carries its sign, so it cannot be mistaken for a label or address. */
export function formatRelative(rel: number): string {
  return rel < 0 ? `${rel}` : `+${rel}`;
}

/** Bytes per `.data` line in the disassembler's output. */
export const DATA_BYTES_PER_LINE = 16;
