// Image → canonical Alkyl IR assembly text (docs/ir.md §8). The output
// reassembles to the identical bytes, for any image decodeImage accepts, even
// one whose code the verifier would reject: what is not a well-formed
// instruction is printed as `.byte`. Never throws.

import { decodeCode, jumpTarget, rel16, type CodeUnit } from "./asm-decode.js";
import {
  DATA_BYTES_PER_LINE,
  formatFeatures,
  formatHexByte,
  formatHexBytes,
  formatRelative,
  formatSignature,
  formatTypeList,
  symbolsOf,
} from "./asm-syntax.js";
import { FUNCTION_KIND_NAMES, FunctionKind, IMAGE_VERSION, IMPORT_KIND_NAMES, type Image, type IrFunction } from "./image.js";
import { profileById } from "../profiles/profiles.js";
import { widthBits, type WidthCode } from "./types.js";

const INDENT = "    ";

interface Symbols {
  functions: readonly string[];
  imports: readonly string[];
}

export function disassemble(image: Image): string {
  const symbols: Symbols = {
    functions: symbolsOf(image.functions.map((f) => f.name)),
    imports: symbolsOf(image.imports.map((i) => i.name)),
  };
  const sections = [headerLines(image)];
  if (image.imports.length > 0) sections.push(image.imports.map((imp, i) => `.import ${kindName(IMPORT_KIND_NAMES, imp.kind)} ${imp.id} ${formatSignature(symbols.imports[i]!, imp.params, imp.result)}`));
  image.functions.forEach((fn, i) => sections.push(functionLines(fn, symbols.functions[i]!, symbols)));
  return sections.map((lines) => lines.join("\n")).join("\n\n") + "\n";
}

function kindName(names: readonly string[], kind: number): string {
  return names[kind] ?? String(kind);
}

function headerLines(image: Image): string[] {
  const lines: string[] = [];
  if (image.version !== IMAGE_VERSION) lines.push(`.version ${image.version}`);
  const profile = profileById(image.profileId);
  lines.push(profile ? `.profile ${image.profileId} ; ${profile.name}` : `.profile ${image.profileId}`);
  lines.push(`.memory ${image.memorySize}`, `.storage ${image.storageSize}`, `.features ${formatFeatures(image.features)}`);
  for (let at = 0; at < image.data.length; at += DATA_BYTES_PER_LINE) {
    const chunk = image.data.subarray(at, at + DATA_BYTES_PER_LINE);
    lines.push(`.data ${formatHexBytes(chunk).slice(2)} ; address ${at}`);
  }
  return lines;
}

function functionLines(fn: IrFunction, symbol: string, symbols: Symbols): string[] {
  const params = fn.locals.slice(0, fn.paramCount);
  const others = fn.locals.slice(fn.paramCount);
  const showEventId = fn.kind === FunctionKind.Event || fn.eventId !== 0;
  const kind = kindName(FUNCTION_KIND_NAMES, fn.kind) + (showEventId ? ` ${fn.eventId}` : "");
  const lines = [`.func ${kind} ${formatSignature(symbol, params, fn.result)}`];
  if (others.length > 0) lines.push(`.locals ${formatTypeList(others)}`);
  for (const b of fn.stringBuffers) lines.push(`.buffer ${b.address}, ${b.capacity}`);
  lines.push(`.maxstack ${fn.maxStack}`);
  const units = decodeCode(fn.code);
  const labels = labelsFor(units);
  for (const unit of units) {
    const label = labels.get(unit.offset);
    if (label !== undefined) lines.push(`${label}:`);
    lines.push(INDENT + unitText(unit, labels, symbols));
  }
  return lines;
}

/** `L0`, `L1`, … at every unit a jump lands on, numbered in code order. */
function labelsFor(units: readonly CodeUnit[]): Map<number, string> {
  const starts = new Set(units.map((u) => u.offset));
  const targets = new Set<number>();
  for (const u of units) {
    if (u.kind === "instruction" && u.info.immediate === "rel16") {
      const t = jumpTarget(u);
      if (starts.has(t)) targets.add(t);
    }
  }
  const labels = new Map<number, string>();
  for (const t of [...targets].sort((a, b) => a - b)) labels.set(t, `L${labels.size}`);
  return labels;
}

function unitText(unit: CodeUnit, labels: ReadonlyMap<number, string>, symbols: Symbols): string {
  if (unit.kind === "raw") return `.byte ${Array.from(unit.bytes, formatHexByte).join(", ")} ; ${unit.reason}`;
  const { info, immediate } = unit;
  const index = immediate[0]!;
  switch (info.immediate) {
    case "none":
      return info.name;
    case "push":
      return `${info.name} ${formatHexBytes(immediate)}`;
    case "width":
      return `${info.name} ${widthBits(index as WidthCode)}`;
    case "local":
      return `${info.name} ${index}`;
    case "func":
      return `${info.name} ${symbols.functions[index] ?? index}`;
    case "import":
      return `${info.name} ${symbols.imports[index] ?? index}`;
    case "rel16":
      return `${info.name} ${labels.get(jumpTarget(unit)) ?? formatRelative(rel16(immediate))}`;
  }
}
