// Where every variable lives. Memory (docs/language.md §7 is the normative
// statement of these rules):
//   0            one reserved zero byte: a char* that was never set reads as "".
//   then         scalar globals, in declaration order (first, so most get 1-byte addresses);
//   then         initialised global arrays, in declaration order;
//   then         string literals, NUL-terminated, deduplicated, in order of first use;
//                -- the image's data section ends here (trailing zeros trimmed) --
//   then         zero-initialised global arrays, in declaration order;
//   then         the string buffers of public functions' char* parameters;
//   then         local arrays, overlaid: a function's arrays start after those of
//                every function that can be active below it in a call chain.
// Storage: persistent globals in declaration order from address 0.
// No alignment: the IR's loads and stores take any address.

import type { DiagnosticBag, Span } from "./diagnostics.js";
import type { StringBuffer } from "../ir/image.js";
import type { CheckedProgram, FunctionInfo, InitValue, StaticVar } from "./tree.js";
import { bytesOf, sizeOf, type ScalarType } from "./types.js";

const MAX_SPACE = 0xffff;

export interface Layout {
  /** Memory or storage address of each static variable (per its space). */
  address: Map<StaticVar, number>;
  /** Memory address of each string literal. */
  stringAddress: number[];
  /** String buffers of each public function, in parameter order. */
  stringBuffers: Map<FunctionInfo, StringBuffer[]>;
  memorySize: number;
  storageSize: number;
  /** Initial memory contents from address 0 (the data section). */
  data: Uint8Array;
}

/** Bytes of local arrays each function needs, and the offset below which its callers' arrays lie. */
function overlayBases(functions: readonly FunctionInfo[]): Map<FunctionInfo, number> {
  const size = new Map(functions.map((f) => [f, f.localArrays.reduce((n, v) => n + sizeOf(v.type), 0)]));
  const base = new Map(functions.map((f) => [f, 0]));
  // Longest path over the call graph. Functions on a cycle own no arrays (the
  // checker's recursion rule), so a cycle adds nothing and this converges.
  for (let round = 0; round <= functions.length; round++) {
    let changed = false;
    for (const caller of functions) {
      const end = base.get(caller)! + size.get(caller)!;
      for (const callee of caller.callees) {
        if (base.get(callee)! < end) {
          base.set(callee, end);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return base;
}

class Allocator {
  next: number;
  overflowAt: Span | undefined;
  constructor(start: number) {
    this.next = start;
  }
  take(bytes: number, span: Span): number {
    const at = this.next;
    this.next += bytes;
    if (this.next > MAX_SPACE && !this.overflowAt) this.overflowAt = span;
    return at;
  }
}

function writeLE(out: number[], at: number, bytes: number, value: bigint): void {
  for (let i = 0; i < bytes; i++) out[at + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

/** Assigns addresses to every static variable, literal and buffer, and builds the data section. */
export function layoutProgram(p: CheckedProgram, diags: DiagnosticBag): Layout | undefined {
  const address = new Map<StaticVar, number>();
  const mem = new Allocator(1);
  const storage = new Allocator(0);
  const memoryGlobals = p.globals.filter((g) => g.space === "memory");
  for (const g of p.globals) if (g.space === "storage") address.set(g, storage.take(sizeOf(g.type), g.span));
  for (const g of memoryGlobals) if (g.type.kind !== "array") address.set(g, mem.take(sizeOf(g.type), g.span));
  for (const g of memoryGlobals) if (g.type.kind === "array" && g.init) address.set(g, mem.take(sizeOf(g.type), g.span));
  const stringAddress = p.strings.map((s) => mem.take(s.length + 1, { start: 0, end: 0 }));
  const dataEnd = mem.next;
  for (const g of memoryGlobals) if (g.type.kind === "array" && !g.init) address.set(g, mem.take(sizeOf(g.type), g.span));
  const stringBuffers = new Map<FunctionInfo, StringBuffer[]>();
  for (const fn of p.functions) {
    const buffers: StringBuffer[] = [];
    fn.stringCapacities.forEach((capacity, i) => {
      if (capacity > 0) buffers.push({ address: mem.take(capacity, fn.params[i]!.span), capacity });
    });
    stringBuffers.set(fn, buffers);
  }
  const overlayStart = mem.next;
  const bases = overlayBases(p.functions);
  let overlayEnd = overlayStart;
  for (const fn of p.functions) {
    let at = overlayStart + bases.get(fn)!;
    for (const v of fn.localArrays) {
      address.set(v, at);
      at += sizeOf(v.type);
      if (at > MAX_SPACE && !mem.overflowAt) mem.overflowAt = v.span;
    }
    overlayEnd = Math.max(overlayEnd, at);
  }
  if (mem.overflowAt) {
    diags.report("E0702", mem.overflowAt, Math.max(overlayEnd, mem.next), "memory");
    return undefined;
  }
  if (storage.overflowAt) {
    diags.report("E0702", storage.overflowAt, storage.next, "storage");
    return undefined;
  }

  const bytes: number[] = new Array<number>(dataEnd).fill(0);
  p.strings.forEach((s, i) => s.forEach((b, j) => (bytes[stringAddress[i]! + j] = b)));
  const valueOf = (v: InitValue): bigint =>
    v.k === "bits" ? v.value : v.k === "string" ? BigInt(stringAddress[v.literal]!) : BigInt(address.get(v.target)!);
  for (const g of memoryGlobals) {
    if (!g.init) continue;
    const at = address.get(g)!;
    if (g.init.k === "scalar") writeLE(bytes, at, bytesOf(g.type as ScalarType), valueOf(g.init.value));
    else if (g.type.kind === "array") {
      const size = bytesOf(g.type.elem);
      g.init.elements.forEach((e, i) => writeLE(bytes, at + i * size, size, valueOf(e)));
    }
  }
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return {
    address,
    stringAddress,
    stringBuffers,
    memorySize: Math.max(1, overlayEnd),
    storageSize: storage.next,
    data: Uint8Array.from(bytes.slice(0, end)),
  };
}
