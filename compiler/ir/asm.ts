// Alkyl IR assembly text → image (docs/ir.md §8). Reads both the
// disassembler's canonical output (reproducing the image byte for byte) and
// hand-written programs, for which it fills in what was left out: `.maxstack`,
// `.features`, the profile, memory size, syscall and event ids. Mistakes come
// back as errors with line and column; it never throws on any input.

import { nameOfSymbol } from "./asm-syntax.js";
import { Parser, type FunctionDraft, type ImportDraft, type Pos, type ProgramDraft } from "./asm-parse.js";
import {
  decodeImage,
  encodeImage,
  FunctionKind,
  IMAGE_VERSION,
  ImportKind,
  localOffsets,
  stringParamIndexes,
  type Image,
  type IrFunction,
  type IrImport,
} from "./image.js";
import { analyzeFunction, analyzeImage, type VerifyError } from "./verify.js";
import { DEFAULT_PROFILE, profileById, profileByName, type Profile } from "../profiles/profiles.js";

export interface AsmError {
  line: number;
  column: number;
  message: string;
}

export type AssembleResult = { ok: true; image: Image; bytes: Uint8Array } | { ok: false; errors: AsmError[] };

const MAX_ENTRIES = 255;
const MAX_SECTION = 0xffff;

export function assemble(source: string): AssembleResult {
  const parser = new Parser();
  source.split(/\r?\n/).forEach((text, i) => parser.parseLine(text, i + 1));
  if (parser.errors.length > 0) return failure(parser.errors);
  return new Builder(parser.program).build();
}

/** Where the item holding code offset `offset` of function `d` was written. */
function codePosition(d: FunctionDraft, offset: number): Pos {
  let i = 0;
  while (i + 1 < d.itemOffsets.length && d.itemOffsets[i + 1]! <= offset) i++;
  return d.itemPositions[i] ?? d.pos;
}

function failure(errors: AsmError[]): { ok: false; errors: AsmError[] } {
  const sorted = [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, errors: sorted };
}

/** Turns a parsed program into an image: resolves names, fills defaults, checks limits. */
class Builder {
  private readonly errors: AsmError[] = [];
  constructor(private readonly program: ProgramDraft) {}

  private fail(pos: Pos, message: string): undefined {
    this.errors.push({ ...pos, message });
    return undefined;
  }

  build(): AssembleResult {
    const p = this.program;
    const profileId = p.profile?.value ?? profileByName(DEFAULT_PROFILE)?.id ?? 0;
    const profile = profileById(profileId);
    const memorySize = p.memory?.value ?? p.data.length;
    if (p.data.length > memorySize) this.fail(p.dataPos ?? p.memory!.pos, `data is ${p.data.length} bytes but .memory is ${memorySize}`);
    if (p.functions.length > MAX_ENTRIES) this.fail(p.functions[MAX_ENTRIES]!.pos, `more than ${MAX_ENTRIES} functions`);
    if (p.imports.length > MAX_ENTRIES) this.fail(p.imports[MAX_ENTRIES]!.pos, `more than ${MAX_ENTRIES} imports`);
    const imports = p.imports.map((d) => this.importOf(d, profile));
    const functions = p.functions.map((d) => this.functionOf(d, profile, memorySize));
    const codeLength = functions.reduce((n, f) => n + f.code.length, 0);
    if (codeLength > MAX_SECTION) this.fail(p.functions[0]!.pos, `code is ${codeLength} bytes, more than the ${MAX_SECTION} an image holds`);
    if (this.errors.length > 0) return failure(this.errors);

    const image: Image = {
      version: p.version?.value ?? IMAGE_VERSION,
      features: p.features?.value ?? 0,
      profileId,
      memorySize,
      storageSize: p.storage?.value ?? 0,
      functions,
      imports,
      data: Uint8Array.from(p.data),
    };
    this.fillAnalysis(image);
    if (this.errors.length > 0) return failure(this.errors);
    const bytes = encodeImage(image);
    // Last line of defence: every limit the container has should have been
    // checked above, but an image we cannot read back must never leave here.
    const decoded = decodeImage(bytes);
    if (!decoded.ok) return failure([{ line: 1, column: 1, message: `the program does not fit an image: ${decoded.error.message}` }]);
    return { ok: true, image, bytes };
  }

  /**
   * Omitted `.maxstack` and `.features` come from the verifier's own analysis,
   * so the assembler can never disagree with it. That analysis needs valid
   * code: a program the verifier rejects must state both explicitly.
   */
  private fillAnalysis(image: Image): void {
    const p = this.program;
    p.functions.forEach((d, i) => {
      const fn = image.functions[i]!;
      if (d.maxStack) {
        fn.maxStack = d.maxStack.value;
        return;
      }
      const a = analyzeFunction(fn, image);
      if (a.ok) fn.maxStack = a.maxStack;
      else this.cannotCompute(".maxstack", d, a.error);
    });
    if (p.features || this.errors.length > 0) return;
    const a = analyzeImage(image);
    if (a.ok) image.features = a.features;
    else this.cannotCompute(".features", p.functions[a.functionIndex]!, a.error);
  }

  private cannotCompute(what: string, d: FunctionDraft, error: VerifyError): void {
    this.fail(codePosition(d, error.offset), `cannot compute ${what}: ${error.message} (state ${what} to assemble code the verifier rejects)`);
  }

  private importOf(d: ImportDraft, profile: Profile | undefined): IrImport {
    let id = d.id ?? 0;
    if (d.id === undefined && d.kind === ImportKind.Syscall) {
      const syscall = profile?.syscalls.find((s) => s.name === nameOfSymbol(d.symbol));
      if (syscall) id = syscall.id;
      else this.fail(d.pos, `syscall '${d.symbol}' has no id and the profile${profile ? ` '${profile.name}'` : ""} has no syscall of that name`);
    }
    return { kind: d.kind, id, name: nameOfSymbol(d.symbol), params: d.params, result: d.result };
  }

  private functionOf(d: FunctionDraft, profile: Profile | undefined, memorySize: number): IrFunction {
    let eventId = d.eventId ?? 0;
    if (d.eventId === undefined && d.kind === FunctionKind.Event) {
      const event = profile?.events.find((e) => e.name === nameOfSymbol(d.symbol));
      if (event) eventId = event.id;
      else this.fail(d.pos, `event function '${d.symbol}' has no event id and the profile${profile ? ` '${profile.name}'` : ""} has no event of that name`);
    }
    const locals = [...d.params, ...d.locals];
    const fn: IrFunction = {
      kind: d.kind,
      eventId,
      name: nameOfSymbol(d.symbol),
      locals,
      paramCount: d.params.length,
      result: d.result,
      maxStack: 0,
      stringBuffers: d.buffers.map((b) => b.value),
      code: this.codeOf(d),
    };
    if (locals.length > MAX_ENTRIES) this.fail(d.pos, `function '${d.symbol}' has ${locals.length} locals, at most ${MAX_ENTRIES} are allowed`);
    else if (locals.length > 0 && localOffsets(locals)[locals.length - 1]! > 255) this.fail(d.pos, `function '${d.symbol}': locals start beyond frame offset 255`);
    if (fn.code.length === 0) this.fail(d.pos, `function '${d.symbol}' has no instructions`);
    this.checkBuffers(d, fn, memorySize);
    return fn;
  }

  private checkBuffers(d: FunctionDraft, fn: IrFunction, memorySize: number): void {
    const wanted = stringParamIndexes(fn).length;
    if (d.buffers.length !== wanted) {
      const where = d.buffers[wanted]?.pos ?? d.pos;
      const why = fn.kind === FunctionKind.Public ? `has ${wanted} string parameter(s), so it needs ${wanted} .buffer line(s)` : "is not public, so it takes no .buffer";
      this.fail(where, `function '${d.symbol}' ${why}, found ${d.buffers.length}`);
    }
    for (const b of d.buffers) {
      const { address, capacity } = b.value;
      if (address + capacity > memorySize) this.fail(b.pos, `string buffer ${address}+${capacity} lies outside memory (${memorySize} bytes)`);
    }
  }

  /** The function's bytes, with labels and symbols replaced by their offsets and indexes. */
  private codeOf(d: FunctionDraft): Uint8Array {
    const out: number[] = [];
    d.items.forEach((item, i) => {
      switch (item.kind) {
        case "bytes":
          out.push(...item.bytes);
          return;
        case "jump": {
          const label = d.labels.get(item.label);
          if (!label) {
            this.fail(item.pos, `undefined label '${item.label}' in function '${d.symbol}'`);
            out.push(item.opcode, 0, 0);
            return;
          }
          const rel = label.offset - (d.itemOffsets[i]! + 3);
          if (rel < -0x8000 || rel > 0x7fff) this.fail(item.pos, `label '${item.label}' is ${rel} bytes away, beyond a 16-bit relative jump`);
          out.push(item.opcode, (rel >> 8) & 0xff, rel & 0xff);
          return;
        }
        case "ref": {
          const index = this.indexOf(item.table, item.symbol);
          if (index === undefined) {
            const what = item.table === "functions" ? "function" : "import";
            this.fail(item.pos, `undefined ${what} '${item.symbol}'`);
          }
          out.push(item.opcode, index ?? 0);
        }
      }
    });
    return Uint8Array.from(out);
  }

  private indexOf(table: "functions" | "imports", symbol: string): number | undefined {
    const list: readonly { symbol: string }[] = this.program[table];
    const i = list.findIndex((e) => e.symbol === symbol);
    return i < 0 || i > MAX_ENTRIES ? undefined : i;
  }
}
