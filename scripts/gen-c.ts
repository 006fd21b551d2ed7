// Renders the C headers of the device VM (vm-c/generated/) from the TypeScript
// tables, which stay the single source of truth: the opcode table, widths and
// container constants (alky_opcodes.h) and the device profiles (alky_profiles.h).
// All decisions are computed here; the templates only lay the text out.
//
//   npm run gen:c        writes the headers whose content changed

import { readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { immediateSize, Op, OPCODES, type OpcodeInfo, type OperandClass } from "../compiler/ir/opcodes.js";
import { ADDRESS_WIDTH, BOOL_WIDTH, encodeTypeByte, typeName, VALUE_KIND_NAMES, VOID_TYPE_BYTE, WIDTH_BITS, type ValueType } from "../compiler/ir/types.js";
import {
  Feature,
  FEATURE_MASK,
  FUNCTION_ENTRY_SIZE,
  FUNCTION_KIND_NAMES,
  HEADER_SIZE,
  IMAGE_MAGIC,
  IMAGE_VERSION,
  IMPORT_ENTRY_SIZE,
  IMPORT_KIND_NAMES,
  MAX_NAME_LENGTH,
  TRAILER_SIZE,
} from "../compiler/ir/image.js";
import { PROFILES, type Profile, type ProfileParam } from "../compiler/profiles/profiles.js";

/** The repository root: the nearest folder above this file with a package.json (works from dist/ too). */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
const TEMPLATES = join(ROOT, "templates");
export const GENERATED_DIR = join(ROOT, "vm-c", "generated");

function compile(name: string): HandlebarsTemplateDelegate {
  const text = readFileSync(join(TEMPLATES, name), "utf8");
  return Handlebars.compile(text, { noEscape: true, strict: true });
}

function hex(n: number, digits = 2): string {
  return `0x${n.toString(16).toUpperCase().padStart(digits, "0")}`;
}

/** Text placed inside a C block comment must not close it. */
function commentText(s: string): string {
  if (s.includes("*/")) throw new Error(`comment text contains */: ${s}`);
  return s;
}

function cIdentifier(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

// ---------------------------------------------------------------- opcodes

const CLASS_CODE: Record<OperandClass, number> = { W: 1, B: 2, A: 3 };

/** The kind of an opcode: its special handling, or its generic pop/push signature. */
function kindOf(info: OpcodeInfo): string {
  if (info.special) return `SPECIAL_${cIdentifier(info.special)}`;
  if (info.pops.length > 3 || info.pushes.length > 1) throw new Error(`${info.name}: signature does not fit the C kind table`);
  return `G_${info.pops.join("") || "0"}_${info.pushes.join("") || "0"}`;
}

interface KindRow {
  name: string;
  index: number;
  popClasses: string;
  flags: string;
  ops: string;
  doc: string;
  comma: string;
  cont: string;
}

// The verifier's flags byte of a kind (templates/opcodes.h.hbs ALKY_KF_*).
const KF_PUSH_SHIFT = 2;
const KF_KEEP = 0x10;
const KF_EMPTY = 0x20;
const KF_IMM_SHIFT = 6;
/** DUPn and SWAPn check n and n + 1 values: a base count plus the opcode's low four bits. */
const REPEATED_POPS: Partial<Record<string, { base: number; first: number; pushes: readonly OperandClass[] }>> = {
  dup: { base: 1, first: Op.DUP1, pushes: ["W"] },
  swap: { base: 2, first: Op.SWAP1, pushes: [] },
};
/** Kinds after which the operand stack must be empty. */
const EMPTY_AFTER: readonly string[] = ["jump", "jumpi", "jumpdest"];

function kindRows(): KindRow[] {
  const byKind = new Map<string, OpcodeInfo[]>();
  for (const info of OPCODES) {
    const k = kindOf(info);
    byKind.set(k, [...(byKind.get(k) ?? []), info]);
  }
  const names = [...byKind.keys()];
  return names.map((name, index) => {
    const ops = byKind.get(name)!;
    const first = ops[0]!;
    const isPush = first.special === "push";
    // Within a kind every opcode has the same immediate size, except PUSHn whose size is in its byte.
    for (const o of ops)
      if (!isPush && immediateSize(o) !== immediateSize(first)) throw new Error(`kind ${name}: opcodes with different immediate sizes`);
    const imm = isPush ? 0 : immediateSize(first);
    const repeated = first.special ? REPEATED_POPS[first.special] : undefined;
    let popCount: number;
    let popClasses: number;
    let pushes: readonly OperandClass[];
    if (repeated) {
      if ((repeated.first & 15) !== 0 || ops.some((o, i) => o.byte !== repeated.first + i)) throw new Error(`kind ${name}: opcodes not from a multiple of 16 on`);
      popCount = repeated.base;
      popClasses = 0x55; // W, repeated
      pushes = repeated.pushes;
    } else {
      // Every other kind's operands are fixed by its opcode table entry (none for the calls and RETF: their signature decides).
      for (const o of ops)
        if (o.pops.join() !== first.pops.join() || o.pushes.join() !== first.pushes.join()) throw new Error(`kind ${name}: opcodes with different operands`);
      popCount = first.pops.length;
      popClasses = first.pops.reduce((acc, c, i) => acc | (CLASS_CODE[c] << (2 * i)), 0);
      pushes = first.pushes;
    }
    if (popCount > 3 || pushes.length > 1 || imm > 3) throw new Error(`kind ${name}: does not fit the C kind table`);
    const flags =
      popCount |
      ((pushes.length === 1 ? CLASS_CODE[pushes[0]!] : 0) << KF_PUSH_SHIFT) |
      (repeated ? KF_KEEP : 0) |
      (first.special && EMPTY_AFTER.includes(first.special) ? KF_EMPTY : 0) |
      (imm << KF_IMM_SHIFT);
    const generic = first.special === undefined;
    const doc = generic
      ? `pops ${first.pops.join(" ") || "nothing"}, pushes ${first.pushes.join(" ") || "nothing"}`
      : `special: ${first.special}`;
    return {
      name,
      index,
      popClasses: hex(popClasses),
      flags: hex(flags),
      ops: ops.map((o) => `X(${o.name})`).join(" "),
      doc: `${doc}: ${ops.length === 1 ? first.name : `${first.name} .. ${ops[ops.length - 1]!.name}`}`,
      comma: index === names.length - 1 ? "" : ",",
      cont: index === names.length - 1 ? "" : " \\",
    };
  });
}

function widthRows(): { code: number; bits: number; bytes: number }[] {
  return WIDTH_BITS.map((bits, code) => ({ code, bits, bytes: bits / 8 }));
}

function enumRows(names: readonly string[]): { name: string; value: number }[] {
  return names.map((n, value) => ({ name: cIdentifier(n), value }));
}

/** The C header with the opcode list, the verifier's kind table, widths and container constants. */
export function renderOpcodeHeader(): string {
  const kinds = kindRows();
  const opcodes = OPCODES.map((info, i) => ({
    name: info.name,
    hex: hex(info.byte),
    doc: commentText(info.doc),
    kind: `ALKY_KIND_${kindOf(info)}`,
    imm: immediateSize(info),
    terminal: info.terminal ? 1 : 0,
    cont: i === OPCODES.length - 1 ? "" : " \\",
  }));
  const features = Object.entries(Feature).map(([name, bit]) => ({ name: cIdentifier(name), hex: hex(bit) }));
  return compile("opcodes.h.hbs")({
    opcodes,
    kinds,
    kindCount: kinds.length,
    kfPushShift: KF_PUSH_SHIFT,
    kfKeep: hex(KF_KEEP),
    kfEmpty: hex(KF_EMPTY),
    kfImmShift: KF_IMM_SHIFT,
    widthCount: WIDTH_BITS.length,
    widthBytes: WIDTH_BITS.map((b) => b / 8).join(", "),
    widths: widthRows(),
    boolWidth: BOOL_WIDTH,
    addressWidth: ADDRESS_WIDTH,
    voidType: hex(VOID_TYPE_BYTE),
    valueKinds: VALUE_KIND_NAMES.map((n, value) => ({ name: cIdentifier(n), value })),
    version: IMAGE_VERSION,
    headerSize: HEADER_SIZE,
    functionEntrySize: FUNCTION_ENTRY_SIZE,
    importEntrySize: IMPORT_ENTRY_SIZE,
    trailerSize: TRAILER_SIZE,
    maxNameLength: MAX_NAME_LENGTH,
    magic: IMAGE_MAGIC.map((b, index) => ({ index, hex: hex(b) })),
    features,
    featureMask: hex(FEATURE_MASK),
    functionKinds: enumRows(FUNCTION_KIND_NAMES),
    importKinds: enumRows(IMPORT_KIND_NAMES),
  });
}

// ---------------------------------------------------------------- profiles

const SYSCALL_FLAG_CLOCK = 0x01;
/** Bytes of a profile's header in the blob (templates/profiles.h.hbs). */
const PROFILE_HEADER_BYTES = 7;

function signature(name: string, params: readonly ProfileParam[], result: ValueType | undefined): string {
  const head = `${name}(${params.map((p) => `${typeName(p.type)} ${p.name}`).join(", ")})`;
  return commentText(result ? `${head} -> ${typeName(result)}` : head);
}

function byteList(bytes: readonly number[]): string {
  return bytes.map((b) => hex(b)).join(", ");
}

function profileRow(p: Profile): Record<string, unknown> {
  if (p.id === 0 || p.id === 0xffff) throw new Error(`profile ${p.name}: ids 0 and 0xFFFF are reserved in C builds`);
  const upper = cIdentifier(p.name);
  const events = p.events.map((e) => ({
    upper: cIdentifier(e.name),
    id: e.id,
    doc: commentText(e.doc),
    signature: signature(e.name, e.params, undefined),
    blob: byteList([e.id, e.params.length, ...e.params.map((x) => encodeTypeByte(x.type))]),
  }));
  const syscalls = p.syscalls.map((s) => {
    const result = s.result ? encodeTypeByte(s.result) : VOID_TYPE_BYTE;
    const flags = s.returnsClock ? SYSCALL_FLAG_CLOCK : 0;
    const name = Array.from(s.name, (c) => c.charCodeAt(0));
    return {
      upper: cIdentifier(s.name),
      id: s.id,
      doc: commentText(s.doc),
      signature: signature(s.name, s.params, s.result),
      blob: byteList([s.id, s.params.length, ...s.params.map((x) => encodeTypeByte(x.type)), result, flags, name.length, ...name]),
    };
  });
  if (p.events.length > 255 || p.syscalls.length > 255) throw new Error(`profile ${p.name}: too many entries`);
  const count = (rows: readonly { blob: string }[]) => rows.reduce((n, r) => n + r.blob.split(",").length, 0);
  const syscallsAt = PROFILE_HEADER_BYTES + count(events);
  const length = syscallsAt + count(syscalls);
  if (syscallsAt > 0xff || length > 0xffff) throw new Error(`profile ${p.name}: too large for the blob's offsets`);
  return {
    name: p.name,
    upper,
    id: p.id,
    doc: commentText(p.doc),
    header: byteList([p.id & 0xff, p.id >> 8, p.events.length, p.syscalls.length, length & 0xff, length >> 8, syscallsAt]),
    nodeOnly: p.nodeOnly === true,
    events,
    syscalls,
  };
}

/** The C header with each profile's ids and the verifier's profile blob. */
export function renderProfileHeader(): string {
  const profiles = PROFILES.map(profileRow);
  return compile("profiles.h.hbs")({
    profiles,
    blobList: profiles.map((p) => `ALKY_PROFILE_BLOB_${String(p.upper)}`).join(" "),
  });
}

// ---------------------------------------------------------------- main

/** The generated files by name (relative to vm-c/generated/). */
export function renderAll(): Map<string, string> {
  return new Map([
    ["alky_opcodes.h", renderOpcodeHeader()],
    ["alky_profiles.h", renderProfileHeader()],
  ]);
}

/** Writes each header whose content differs from the file; returns the names written. */
export function writeGenerated(dir = GENERATED_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of renderAll()) {
    const path = join(dir, name);
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    writeFileSync(path, text);
    written.push(name);
  }
  return written;
}

export function main(): void {
  const written = writeGenerated();
  for (const name of written) console.log(`wrote vm-c/generated/${name}`);
  if (written.length === 0) console.log("vm-c/generated is up to date");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
