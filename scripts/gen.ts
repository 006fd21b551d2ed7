// Generated outputs (`npm run gen`). Each target renders text from a table in
// compiler/ (the single source of truth) and writes it into the repository,
// either as a whole file or between `BEGIN GENERATED: <marker>` and
// `END GENERATED: <marker>` lines, whatever the comment syntax around them
// (`<!-- -->` in markdown, `/* */` in C), so that hand-written text around a
// region survives. Files are written only when their content changes. Tests
// check that the committed outputs match what the generators render now.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { renderProfilesDoc } from "../compiler/profiles/profile-doc.js";
import { LINK_HEADER_FILE, renderLinkHeader } from "../compiler/link/c-header.js";
import { OPCODES, type ImmediateKind, type OpcodeInfo, type OperandClass, type SpecialKind } from "../compiler/ir/opcodes.js";

export interface GeneratedTarget {
  /** Path from the repository root. */
  file: string;
  /** The region to replace; undefined when the generator owns the whole file. */
  marker: string | undefined;
  render(): string;
}

/** Every generated output. Add a target here for each new generator (e.g. the C opcode header). */
export const TARGETS: readonly GeneratedTarget[] = [
  { file: "docs/ir.md", marker: "opcodes", render: renderOpcodeDocTable },
  { file: "docs/profiles.md", marker: undefined, render: renderProfilesDoc },
  { file: LINK_HEADER_FILE, marker: undefined, render: renderLinkHeader },
];

// ---------------------------------------------------------------- docs/ir.md §7

const IMMEDIATE_TEXT: Record<ImmediateKind, string> = {
  none: "—",
  push: "n bytes, big-endian",
  width: "width code (u8)",
  local: "frame offset (u8)",
  func: "function index (u8)",
  import: "import index (u8)",
  rel16: "relative offset (i16, big-endian)",
};

/** Instructions whose pops or pushes the table cannot list: they depend on the target or the immediate. */
const COMPUTED_EFFECT: Partial<Record<SpecialKind, { pops: boolean; pushes: boolean }>> = {
  dup: { pops: false, pushes: true },
  convert: { pops: false, pushes: true },
  callf: { pops: true, pushes: true },
  syscall: { pops: true, pushes: true },
  nodecall: { pops: true, pushes: true },
  retf: { pops: true, pushes: false },
};

/** Opcodes rendered as one row: PUSH1…PUSH32, DUP1…DUP16, SWAP1…SWAP16, MODE8…MODE256. */
interface OpcodeRow {
  first: OpcodeInfo;
  last: OpcodeInfo;
  /** The doc of every member, with the member's number written as `n`. */
  doc: string;
}

const NUMBERED = /^([A-Z]+)(\d+)$/;

/**
 * A member's doc with its number generalised to `n` (and `n+1` to `(n+1)`:
 * SWAPn talks about the (n+1)th value). Only numbers standing alone count, not
 * those in `2^W` or `W/8`.
 */
function docTemplate(info: OpcodeInfo): string | undefined {
  const m = NUMBERED.exec(info.name);
  if (!m) return undefined;
  const n = Number(m[2]);
  return info.doc.replace(/(?<![0-9^/])[0-9]+(?![0-9])/g, (k) => (Number(k) === n + 1 ? "(n+1)" : Number(k) === n ? "n" : k));
}

/** Consecutive table entries of one family (same name stem, kind and generalised doc) become one row. */
function opcodeRows(): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  for (const info of OPCODES) {
    const row = rows[rows.length - 1];
    const template = docTemplate(info);
    if (row && template !== undefined && sameFamily(row.last, info) && docTemplate(row.last) === template) {
      row.last = info;
      row.doc = template;
    } else {
      rows.push({ first: info, last: info, doc: info.doc });
    }
  }
  return rows;
}

function sameFamily(a: OpcodeInfo, b: OpcodeInfo): boolean {
  const stem = (o: OpcodeInfo): string | undefined => NUMBERED.exec(o.name)?.[1];
  return stem(a) !== undefined && stem(a) === stem(b) && a.special === b.special && a.immediate === b.immediate && a.origin === b.origin && b.byte === a.byte + 1;
}

function hex(b: number): string {
  return `\`0x${b.toString(16).padStart(2, "0")}\``;
}

function effect(classes: readonly OperandClass[], computed: boolean): string {
  if (classes.length > 0) return classes.join(" ");
  return computed ? "*" : "—";
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

function renderRow(row: OpcodeRow): string {
  const { first, last } = row;
  const single = first === last;
  const computed = first.special ? COMPUTED_EFFECT[first.special] : undefined;
  const columns = [
    single ? hex(first.byte) : `${hex(first.byte)}–${hex(last.byte)}`,
    single ? `\`${first.name}\`` : `\`${first.name}\`…\`${last.name}\``,
    IMMEDIATE_TEXT[first.immediate],
    effect(first.pops, computed?.pops ?? false),
    effect(first.pushes, computed?.pushes ?? false),
    first.origin,
    row.doc,
  ];
  return `| ${columns.map(cell).join(" | ")} |`;
}

/** The markdown opcode table of docs/ir.md §7, rendered from compiler/ir/opcodes.ts. */
export function renderOpcodeDocTable(): string {
  return [
    "<!-- Rendered from compiler/ir/opcodes.ts by `npm run gen` (scripts/gen.ts); do not edit by hand. -->",
    "",
    "Pops are listed top of stack first. `W` is a value of the current width, `B` an",
    "8-bit boolean, `A` a 16-bit address; `*` means the values depend on the",
    "instruction's immediate (the callee's or import's signature, the conversion's",
    "width, the duplicated value) as described in §4.",
    "",
    "| byte | name | immediate | pops | pushes | origin | semantics |",
    "|---|---|---|---|---|---|---|",
    ...opcodeRows().map(renderRow),
    "",
  ].join("\n");
}

// ---------------------------------------------------------------- writing

const beginLine = (marker: string): string => `BEGIN GENERATED: ${marker}`;
const endLine = (marker: string): string => `END GENERATED: ${marker}`;

/** Where the region's content starts and ends in `text` (the marker lines excluded). */
function regionBounds(text: string, marker: string): { start: number; end: number } | undefined {
  const begin = text.indexOf(beginLine(marker));
  const end = text.indexOf(endLine(marker));
  if (begin < 0 || end < begin) return undefined;
  const start = text.indexOf("\n", begin) + 1;
  const lineStart = text.lastIndexOf("\n", end) + 1;
  if (start === 0 || lineStart < start) return undefined;
  return { start, end: lineStart };
}

/** The text between a region's marker lines, or undefined when the markers are missing. */
export function generatedRegion(text: string, marker: string): string | undefined {
  const b = regionBounds(text, marker);
  return b && text.slice(b.start, b.end);
}

function withFinalNewline(s: string): string {
  return s.endsWith("\n") ? s : s + "\n";
}

/**
 * Replaces the region `marker` of `file` with `content`, writing only when it
 * changes. Returns whether the file was written. Throws when the file has no
 * such region (a repository defect, reported by main below).
 */
export function writeGenerated(file: string, marker: string, content: string): boolean {
  const text = readFileSync(file, "utf8");
  const b = regionBounds(text, marker);
  if (!b) throw new Error(`${file}: no '${beginLine(marker)}' / '${endLine(marker)}' lines`);
  const next = text.slice(0, b.start) + withFinalNewline(content) + text.slice(b.end);
  if (next === text) return false;
  writeFileSync(file, next);
  return true;
}

/** Writes a whole generated file, only when its content changes. Returns whether it was written. */
export function writeGeneratedFile(file: string, content: string): boolean {
  if (existsSync(file) && readFileSync(file, "utf8") === content) return false;
  writeFileSync(file, content);
  return true;
}

/** Runs every target; returns the files that changed. */
export function generateAll(root: string): string[] {
  const changed: string[] = [];
  for (const t of TARGETS) {
    const path = join(root, t.file);
    const wrote = t.marker === undefined ? writeGeneratedFile(path, t.render()) : writeGenerated(path, t.marker, t.render());
    if (wrote) changed.push(t.file);
  }
  return changed;
}

/** The repository root: the nearest folder above this module holding package.json (works from scripts/ and dist/scripts/). */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above scripts/gen");
    dir = up;
  }
  return dir;
}

function main(): void {
  try {
    const changed = generateAll(repositoryRoot());
    console.log(changed.length === 0 ? "gen: everything up to date" : `gen: wrote ${changed.join(", ")}`);
  } catch (e) {
    console.error(`gen: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
