// Parses Alkyl IR assembly (docs/ir.md §8) line by line into a program draft:
// header fields, imports, and functions whose code is a list of byte runs and
// unresolved references (labels, function and import symbols). Sizes are known
// as soon as a line is read, so label offsets are final when parsing ends;
// asm.ts resolves the references and builds the image.

import { lexLine, type Token } from "./asm-lexer.js";
import type { AsmError } from "./asm.js";
import { LABEL_PATTERN, nameOfSymbol, SYMBOL_PATTERN } from "./asm-syntax.js";
import { FEATURE_NAMES, FUNCTION_KIND_NAMES, FunctionKind, IMPORT_KIND_NAMES, ImportKind, IMAGE_VERSION, MAX_NAME_LENGTH, type StringBuffer } from "./image.js";
import { PROFILES, profileByName } from "../profiles/profiles.js";
import { immediateSize, OPCODE_BY_NAME, type OpcodeInfo } from "./opcodes.js";
import { parseTypeName, widthCodeOf, type ValueType } from "./types.js";

export interface Pos {
  line: number;
  column: number;
}

export interface Setting<T> {
  value: T;
  pos: Pos;
}

export type CodeItem =
  | { kind: "bytes"; bytes: number[] }
  /** RJUMP/RJUMPI to a label of the same function. */
  | { kind: "jump"; opcode: number; label: string; pos: Pos }
  /** CALLF (functions) or SYSCALL/NCALL (imports) naming its target by symbol. */
  | { kind: "ref"; opcode: number; table: "functions" | "imports"; symbol: string; pos: Pos };

export interface ImportDraft {
  symbol: string;
  kind: ImportKind;
  /** Undefined: look the syscall id up in the profile by name. */
  id: number | undefined;
  params: ValueType[];
  result: ValueType | undefined;
  pos: Pos;
}

export interface FunctionDraft {
  symbol: string;
  kind: FunctionKind;
  /** Undefined: 0, or for an event handler the profile's event of the same name. */
  eventId: number | undefined;
  params: ValueType[];
  /** Locals after the parameters (`.locals`). */
  locals: ValueType[];
  result: ValueType | undefined;
  buffers: Setting<StringBuffer>[];
  maxStack: Setting<number> | undefined;
  items: CodeItem[];
  /** Offset of each item in the function's code. */
  itemOffsets: number[];
  /** Where each item was written, to point at the line of a verifier complaint. */
  itemPositions: Pos[];
  size: number;
  labels: Map<string, { offset: number; pos: Pos }>;
  pos: Pos;
}

export interface ProgramDraft {
  version: Setting<number> | undefined;
  profile: Setting<number> | undefined;
  memory: Setting<number> | undefined;
  storage: Setting<number> | undefined;
  features: Setting<number> | undefined;
  data: number[];
  /** Where the first `.data` line is, for errors about the data as a whole. */
  dataPos: Pos | undefined;
  imports: ImportDraft[];
  functions: FunctionDraft[];
}

type HeaderKey = "version" | "memory" | "storage" | "features" | "profile";

const INTEGER = /^[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)$/;
const HEX_DATA = /^(0[xX])?([0-9a-fA-F]{2})+$/;
const WIDTH_OPERANDS = "8, 16, 32, 64 or 256";
const MAX_PUSH = (1n << 256n) - 1n;

function parseInteger(text: string): bigint | undefined {
  if (!INTEGER.test(text)) return undefined;
  const negative = text.startsWith("-");
  const digits = text.replace(/^[+-]/, "");
  const v = BigInt(digits);
  return negative ? -v : v;
}

function pushBytes(value: bigint, n: number): number[] {
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
  return out;
}

function minimalPushSize(value: bigint): number {
  let n = 0;
  while (value >> BigInt(8 * n) !== 0n) n++;
  return n;
}

function newFunction(
  pos: Pos,
  d: { symbol: string; kind: FunctionKind; id: number | undefined; params: ValueType[]; result: ValueType | undefined },
): FunctionDraft {
  return {
    symbol: d.symbol,
    kind: d.kind,
    eventId: d.id,
    params: d.params,
    locals: [],
    result: d.result,
    buffers: [],
    maxStack: undefined,
    items: [],
    itemOffsets: [],
    itemPositions: [],
    size: 0,
    labels: new Map(),
    pos,
  };
}

/** Reads the tokens of one line, reporting the first mistake of the line. */
class LineReader {
  private i = 0;
  constructor(
    private readonly tokens: readonly Token[],
    readonly line: number,
    private readonly endColumn: number,
    private readonly report: (e: AsmError) => void,
  ) {}

  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  pos(t: Token | undefined): Pos {
    return { line: this.line, column: t ? t.column : this.endColumn };
  }
  fail(t: Token | undefined, message: string): undefined {
    this.report({ ...this.pos(t), message });
    return undefined;
  }
  /** The next token if it is the punctuation `c` (consumed). */
  acceptPunct(c: string): boolean {
    const t = this.peek();
    if (t?.kind === "punct" && t.text === c) {
      this.i++;
      return true;
    }
    return false;
  }
  expectPunct(c: string, what: string): boolean {
    if (this.acceptPunct(c)) return true;
    this.fail(this.peek(), `expected '${c}' ${what}`);
    return false;
  }
  expectEnd(): boolean {
    const t = this.peek();
    if (t === undefined) return true;
    this.fail(t, `unexpected '${t.text}'`);
    return false;
  }
  atom(what: string): Token | undefined {
    const t = this.next();
    if (t?.kind === "atom") return t;
    return this.fail(t, t ? `expected ${what}, got '${t.text}'` : `expected ${what}`);
  }
  integer(what: string, min: number, max: number): number | undefined {
    const t = this.atom(what);
    if (!t) return undefined;
    const v = parseInteger(t.text);
    if (v === undefined || v < BigInt(min) || v > BigInt(max)) return this.fail(t, `bad ${what} '${t.text}': expected an integer from ${min} to ${max}`);
    return Number(v);
  }
  type(): ValueType | undefined {
    const t = this.atom("a type");
    if (!t) return undefined;
    return parseTypeName(t.text) ?? this.fail(t, `unknown type '${t.text}' (types are uint8..uint256, int8..int256, bool, char, string)`);
  }
  /** `type, type, ...` up to the end of the line or a `)`; may be empty when `allowEmpty`. */
  typeList(allowEmpty: boolean): ValueType[] | undefined {
    const out: ValueType[] = [];
    const t = this.peek();
    if (t === undefined || (t.kind === "punct" && t.text === ")")) return allowEmpty ? out : this.fail(t, "expected a type");
    for (;;) {
      const ty = this.type();
      if (!ty) return undefined;
      out.push(ty);
      if (!this.acceptPunct(",")) return out;
    }
  }
}

export class Parser {
  readonly errors: AsmError[] = [];
  readonly program: ProgramDraft = {
    version: undefined,
    profile: undefined,
    memory: undefined,
    storage: undefined,
    features: undefined,
    data: [],
    dataPos: undefined,
    imports: [],
    functions: [],
  };
  private readonly functionSymbols = new Map<string, number>();
  private readonly importSymbols = new Map<string, number>();

  private get current(): FunctionDraft | undefined {
    return this.program.functions[this.program.functions.length - 1];
  }

  private report = (e: AsmError): void => {
    this.errors.push(e);
  };

  parseLine(text: string, line: number): void {
    const lexed = lexLine(text);
    if (!lexed.ok) {
      this.report({ line, column: lexed.error.column, message: lexed.error.message });
      return;
    }
    const r = new LineReader(lexed.tokens, line, text.length + 1, this.report);
    const first = r.peek();
    if (first === undefined) return;
    if (first.kind === "atom" && lexed.tokens[1]?.kind === "punct" && lexed.tokens[1].text === ":") {
      r.next();
      r.next();
      if (!this.defineLabel(r, first)) return;
      if (r.atEnd()) return;
    }
    const head = r.atom("a mnemonic or directive");
    if (!head) return;
    if (head.text.startsWith(".")) this.directive(r, head);
    else this.instruction(r, head);
  }

  private defineLabel(r: LineReader, t: Token): boolean {
    const fn = this.current;
    if (!fn) return r.fail(t, "label outside a function (start one with .func)") ?? false;
    if (!LABEL_PATTERN.test(t.text)) return r.fail(t, `bad label name '${t.text}'`) ?? false;
    const previous = fn.labels.get(t.text);
    if (previous) return r.fail(t, `duplicate label '${t.text}' (first defined on line ${previous.pos.line})`) ?? false;
    fn.labels.set(t.text, { offset: fn.size, pos: r.pos(t) });
    return true;
  }

  private directive(r: LineReader, head: Token): void {
    switch (head.text) {
      case ".version":
        return this.header(r, head, "version", () => {
          const t = r.peek();
          const v = r.integer("version", 0, 255);
          return v === undefined || v === IMAGE_VERSION ? v : r.fail(t, `only image version ${IMAGE_VERSION} exists`);
        });
      case ".profile":
        return this.header(r, head, "profile", () => this.profileOperand(r));
      case ".memory":
        return this.header(r, head, "memory", () => r.integer("memory size", 0, 0xffff));
      case ".storage":
        return this.header(r, head, "storage", () => r.integer("storage size", 0, 0xffff));
      case ".features":
        return this.header(r, head, "features", () => this.featuresOperand(r));
      case ".data":
        return this.data(r, head);
      case ".import":
        return this.importDirective(r, head);
      case ".func":
        return this.funcDirective(r, head);
      case ".locals":
      case ".buffer":
      case ".maxstack":
      case ".byte":
        return this.functionDirective(r, head);
      default:
        r.fail(head, `unknown directive '${head.text}'`);
    }
  }

  private header(r: LineReader, head: Token, key: HeaderKey, read: () => number | undefined): void {
    const previous = this.program[key];
    if (previous) {
      r.fail(head, `duplicate ${head.text} (first given on line ${previous.pos.line})`);
      return;
    }
    const value = read();
    if (value !== undefined && r.expectEnd()) this.program[key] = { value, pos: r.pos(head) };
  }

  /** A profile id (any, so images for unknown profiles round-trip) or a known profile's name. */
  private profileOperand(r: LineReader): number | undefined {
    const t = r.peek();
    if (t?.kind === "atom" && !INTEGER.test(t.text)) {
      r.next();
      const names = PROFILES.map((p) => p.name).join(", ");
      return profileByName(t.text)?.id ?? r.fail(t, `unknown profile '${t.text}' (profiles are ${names}, or give an id)`);
    }
    return r.integer("profile id", 0, 0xffff);
  }

  private featuresOperand(r: LineReader): number | undefined {
    const first = r.peek();
    if (first?.kind === "atom" && first.text === "none") {
      r.next();
      return 0;
    }
    let bits = 0;
    for (;;) {
      const t = r.atom("a feature name");
      if (!t) return undefined;
      const entry = FEATURE_NAMES.find(([, name]) => name === t.text);
      if (!entry) return r.fail(t, `unknown feature '${t.text}' (features are ${FEATURE_NAMES.map(([, n]) => n).join(", ")} or none)`);
      bits |= entry[0];
      if (!r.acceptPunct(",")) return bits;
    }
  }

  private data(r: LineReader, head: Token): void {
    const bytes: number[] = [];
    if (r.atEnd()) {
      r.fail(undefined, "expected hex bytes or a string after .data");
      return;
    }
    while (!r.atEnd()) {
      const t = r.next()!;
      if (t.kind === "string") {
        for (const c of t.text) bytes.push(c.charCodeAt(0));
      } else if (t.kind === "atom" && HEX_DATA.test(t.text)) {
        const hex = t.text.replace(/^0[xX]/, "");
        for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
      } else {
        r.fail(t, `bad data '${t.text}': expected hex digits in pairs or a string`);
        return;
      }
    }
    this.program.dataPos ??= r.pos(head);
    this.program.data.push(...bytes);
  }

  /** `KIND [ID] SYMBOL(TYPES) [-> TYPE]`, shared by .import and .func. */
  private declaration<K extends number>(
    r: LineReader,
    kindNames: readonly string[],
    what: string,
  ): { kind: K; id: number | undefined; symbol: string; symbolToken: Token; params: ValueType[]; result: ValueType | undefined } | undefined {
    const k = r.atom(`a ${what} kind (${kindNames.join(", ")})`);
    if (!k) return undefined;
    const kind = kindNames.indexOf(k.text);
    if (kind < 0) return r.fail(k, `unknown ${what} kind '${k.text}' (expected ${kindNames.join(", ")})`);
    let id: number | undefined;
    const maybeId = r.peek();
    if (maybeId?.kind === "atom" && INTEGER.test(maybeId.text)) {
      id = r.integer(`${what} id`, 0, 255);
      if (id === undefined) return undefined;
    }
    const s = r.atom(`a ${what} name`);
    if (!s) return undefined;
    if (!SYMBOL_PATTERN.test(s.text)) return r.fail(s, `bad ${what} name '${s.text}': names are letters, digits and _, not starting with a digit`);
    if (nameOfSymbol(s.text).length > MAX_NAME_LENGTH) return r.fail(s, `${what} name '${s.text}' is longer than ${MAX_NAME_LENGTH} characters`);
    if (!r.expectPunct("(", "before the parameter types")) return undefined;
    const params = r.typeList(true);
    if (!params || !r.expectPunct(")", "after the parameter types")) return undefined;
    let result: ValueType | undefined;
    const arrow = r.peek();
    if (arrow !== undefined) {
      if (arrow.kind !== "punct" || arrow.text !== "->") return r.fail(arrow, `expected '->' and a result type, got '${arrow.text}'`);
      r.next();
      const t = r.peek();
      if (t?.kind === "atom" && t.text === "void") r.next();
      else {
        result = r.type();
        if (!result) return undefined;
      }
      if (!r.expectEnd()) return undefined;
    }
    return { kind: kind as K, id, symbol: s.text, symbolToken: s, params, result };
  }

  private importDirective(r: LineReader, head: Token): void {
    const d = this.declaration<ImportKind>(r, IMPORT_KIND_NAMES, "import");
    if (!d) return;
    const previous = this.importSymbols.get(d.symbol);
    if (previous !== undefined) {
      r.fail(d.symbolToken, `duplicate import name '${d.symbol}' (first declared on line ${this.program.imports[previous]!.pos.line})`);
      return;
    }
    if (d.kind === ImportKind.NodeCall && d.id !== undefined && d.id !== 0) {
      r.fail(d.symbolToken, "a nodecall import has no id (or id 0)");
      return;
    }
    this.importSymbols.set(d.symbol, this.program.imports.length);
    this.program.imports.push({ symbol: d.symbol, kind: d.kind, id: d.id, params: d.params, result: d.result, pos: r.pos(head) });
  }

  private funcDirective(r: LineReader, head: Token): void {
    // A function starts even when its line is wrong, so that the lines after
    // it are not blamed on the previous function (nothing is built then).
    const d = this.declaration<FunctionKind>(r, FUNCTION_KIND_NAMES, "function");
    const draft = newFunction(r.pos(head), d ?? { symbol: "", kind: FunctionKind.Helper, id: undefined, params: [], result: undefined });
    this.program.functions.push(draft);
    if (!d) return;
    const previous = this.functionSymbols.get(d.symbol);
    if (previous !== undefined) {
      r.fail(d.symbolToken, `duplicate function name '${d.symbol}' (first declared on line ${this.program.functions[previous]!.pos.line})`);
      return;
    }
    if (d.kind !== FunctionKind.Event && d.id !== undefined && d.id !== 0) {
      r.fail(d.symbolToken, "only event functions have an event id");
      return;
    }
    this.functionSymbols.set(d.symbol, this.program.functions.length - 1);
  }

  private functionDirective(r: LineReader, head: Token): void {
    const fn = this.current;
    if (!fn) {
      r.fail(head, `${head.text} outside a function (start one with .func)`);
      return;
    }
    switch (head.text) {
      case ".locals": {
        const types = r.typeList(false);
        if (types && r.expectEnd()) fn.locals.push(...types);
        return;
      }
      case ".buffer": {
        const address = r.integer("buffer address", 0, 0xffff);
        if (address === undefined || !r.expectPunct(",", "between the buffer's address and capacity")) return;
        const capacity = r.integer("buffer capacity", 1, 255);
        if (capacity !== undefined && r.expectEnd()) fn.buffers.push({ value: { address, capacity }, pos: r.pos(head) });
        return;
      }
      case ".maxstack": {
        if (fn.maxStack) {
          r.fail(head, `duplicate .maxstack (first given on line ${fn.maxStack.pos.line})`);
          return;
        }
        const v = r.integer("max stack", 0, 0xffff);
        if (v !== undefined && r.expectEnd()) fn.maxStack = { value: v, pos: r.pos(head) };
        return;
      }
      case ".byte": {
        const bytes: number[] = [];
        for (;;) {
          const b = r.integer("byte", 0, 255);
          if (b === undefined) return;
          bytes.push(b);
          if (!r.acceptPunct(",")) break;
        }
        if (r.expectEnd()) this.emit(fn, { kind: "bytes", bytes }, bytes.length, r.pos(head));
        return;
      }
    }
  }

  private emit(fn: FunctionDraft, item: CodeItem, size: number, pos: Pos): void {
    fn.items.push(item);
    fn.itemOffsets.push(fn.size);
    fn.itemPositions.push(pos);
    fn.size += size;
  }

  private instruction(r: LineReader, head: Token): void {
    const fn = this.current;
    if (!fn) {
      r.fail(head, "instruction outside a function (start one with .func)");
      return;
    }
    if (head.text === "PUSH") {
      this.pushPseudo(r, fn, head);
      return;
    }
    const info = OPCODE_BY_NAME.get(head.text);
    if (!info) {
      const upper = OPCODE_BY_NAME.get(head.text.toUpperCase());
      r.fail(head, `unknown mnemonic '${head.text}'${upper || head.text.toUpperCase() === "PUSH" ? ` (mnemonics are upper case: ${head.text.toUpperCase()})` : ""}`);
      return;
    }
    const item = this.operand(r, info);
    if (item && r.expectEnd()) this.emit(fn, item, 1 + immediateSize(info), r.pos(head));
  }

  /** `PUSH v`: the shortest PUSHn that holds v; `PUSH 0` is PUSH0. */
  private pushPseudo(r: LineReader, fn: FunctionDraft, head: Token): void {
    const t = r.atom("a value");
    if (!t) return;
    const v = parseInteger(t.text);
    if (v === undefined || v < 0n || v > MAX_PUSH) {
      r.fail(t, `bad immediate '${t.text}': PUSH takes an unsigned integer below 2^256 (write negative values in hex at their width)`);
      return;
    }
    if (!r.expectEnd()) return;
    const n = minimalPushSize(v);
    this.emit(fn, { kind: "bytes", bytes: [0x5f + n, ...pushBytes(v, n)] }, 1 + n, r.pos(head));
  }

  private operand(r: LineReader, info: OpcodeInfo): CodeItem | undefined {
    const bytes = (...imm: number[]): CodeItem => ({ kind: "bytes", bytes: [info.byte, ...imm] });
    switch (info.immediate) {
      case "none":
        return bytes();
      case "push": {
        const n = immediateSize(info);
        const t = r.atom(`a ${n}-byte value`);
        if (!t) return undefined;
        const v = parseInteger(t.text);
        if (v === undefined || v < 0n || v >> BigInt(8 * n) !== 0n) return r.fail(t, `bad immediate '${t.text}': ${info.name} takes an unsigned value of at most ${n} byte(s)`);
        return bytes(...pushBytes(v, n));
      }
      case "width": {
        const t = r.atom(`a width (${WIDTH_OPERANDS})`);
        if (!t) return undefined;
        const code = /^[0-9]+$/.test(t.text) ? widthCodeOf(Number(t.text)) : undefined;
        if (code === undefined) return r.fail(t, `bad immediate '${t.text}': ${info.name} takes a width in bits (${WIDTH_OPERANDS})`);
        return bytes(code);
      }
      case "local": {
        const v = r.integer("frame offset", 0, 255);
        return v === undefined ? undefined : bytes(v);
      }
      case "func":
      case "import": {
        const table = info.immediate === "func" ? "functions" : "imports";
        const t = r.atom(info.immediate === "func" ? "a function name" : "an import name");
        if (!t) return undefined;
        if (INTEGER.test(t.text)) {
          const v = parseInteger(t.text)!;
          if (v < 0n || v > 255n) return r.fail(t, `bad immediate '${t.text}': an index is from 0 to 255`);
          return bytes(Number(v));
        }
        if (!SYMBOL_PATTERN.test(t.text)) return r.fail(t, `bad immediate '${t.text}': expected ${info.immediate === "func" ? "a function" : "an import"} name`);
        return { kind: "ref", opcode: info.byte, table, symbol: t.text, pos: r.pos(t) };
      }
      case "rel16": {
        const t = r.atom("a label");
        if (!t) return undefined;
        if (/^[+-]/.test(t.text)) {
          const v = parseInteger(t.text);
          if (v === undefined || v < -0x8000n || v > 0x7fffn) return r.fail(t, `bad immediate '${t.text}': a relative offset is from -32768 to +32767`);
          const u = Number(v) & 0xffff;
          return bytes(u >> 8, u & 0xff);
        }
        if (!LABEL_PATTERN.test(t.text)) return r.fail(t, `bad immediate '${t.text}': expected a label, or a relative offset with its sign (+3, -3)`);
        return { kind: "jump", opcode: info.byte, label: t.text, pos: r.pos(t) };
      }
    }
  }
}
