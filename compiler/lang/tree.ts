// The checked program: symbols resolved, every expression typed, implicit
// conversions made explicit, constants folded. This is the contract between
// the checker and the lowering: the lowering never looks at the syntax tree
// and never reports a user's mistake.

import type { Span } from "./diagnostics.js";
import type { ArrayType, BoolType, IntType, ScalarType, StringType } from "./types.js";
import type { ProfileSyscall } from "../profiles/profiles.js";
import type { ValueType } from "../ir/types.js";

/**
 * A node-call import: a `node` declaration of an app, or, in an Aryl script,
 * a device or contract function (aryl-env.ts names them).
 */
export interface NodeCallee {
  node: true;
  name: string;
  params: ValueType[];
  result: ValueType | undefined;
}

/** What an image import calls: a syscall of the profile or a node call. */
export type Callee = ProfileSyscall | NodeCallee;

export function isNodeCallee(c: Callee): c is NodeCallee {
  return "node" in c;
}

/** A variable that lives at a fixed address: a global, or a local array. */
export interface StaticVar {
  name: string;
  type: ScalarType | ArrayType;
  /** Storage (SLOAD/SSTORE) for `persistent` globals, memory otherwise. */
  space: "memory" | "storage";
  isConst: boolean;
  /** Initial contents (globals only; local arrays are initialised by code). */
  init: StaticInit | undefined;
  /** The function owning a local array; undefined for globals. */
  owner: FunctionInfo | undefined;
  span: Span;
}

/** A constant initial value: integers/booleans as bits, or an address known once memory is laid out. */
export type InitValue = { k: "bits"; value: bigint } | { k: "string"; literal: number } | { k: "array"; target: StaticVar };

export type StaticInit = { k: "scalar"; value: InitValue } | { k: "array"; elements: InitValue[] };

/** A parameter or scalar local: a frame slot. */
export interface LocalVar {
  name: string;
  type: ScalarType;
  isConst: boolean;
  span: Span;
  /** Declared inside a loop body: it must be re-initialised on every iteration. */
  inLoop: boolean;
}

/** `on`: an Aryl `On Event(...)` handler (a public function named On_Event in the image). */
export type FunctionKindName = "public" | "deviceevent" | "helper" | "on";

export interface FunctionInfo {
  name: string;
  kind: FunctionKindName;
  /** Index in the image's function table (source order). */
  index: number;
  params: LocalVar[];
  /** Capacity of each parameter's string buffer (public functions' `char*` parameters), else 0. */
  stringCapacities: number[];
  result: ScalarType | undefined;
  /** Profile event id for device events. */
  eventId: number;
  body: TBlock | undefined;
  localArrays: StaticVar[];
  callees: Set<FunctionInfo>;
  span: Span;
}

export interface CheckedProgram {
  globals: StaticVar[];
  functions: FunctionInfo[];
  /** String literals in order of first appearance, deduplicated; each is NUL-terminated in memory. */
  strings: Uint8Array[];
  /** Syscalls and node calls the app uses, in order of first use: the image's imports. */
  imports: Callee[];
}

// ------------------------------------------------------------------- places

/** Something that can be read and, unless const, written. */
export type TPlace =
  | { k: "local"; v: LocalVar }
  /** A static variable's own value (scalar) or one of its elements. */
  | { k: "static"; v: StaticVar; index: TExpr | undefined; elem: ScalarType }
  /** An element of the string a `char*` value points to. */
  | { k: "deref"; pointer: TExpr; index: TExpr; elem: IntType };

// -------------------------------------------------------------- expressions

export type ArithOp = "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" | "shl" | "shr";
export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export type IntrinsicName = "addmod" | "mulmod" | "exp" | "signextend" | "byte";
/** `retype` changes only the type (same width: signedness, char, char* ↔ uint16_t); it emits no code. */
export type ConvertOp = "zext" | "sext" | "trunc" | "tobool" | "retype";

export type TExpr =
  /** Integers, chars and booleans: `value` holds the bits (unsigned, at the type's width). */
  | { k: "const"; type: IntType | BoolType; value: bigint }
  | { k: "string"; type: StringType; literal: number }
  /** A memory array used as a `char*`. */
  | { k: "arrayAddress"; type: StringType; target: StaticVar }
  | { k: "load"; type: ScalarType; place: TPlace }
  | { k: "neg" | "bitnot"; type: IntType; operand: TExpr }
  /** `!x` for a bool or an integer. */
  | { k: "not"; type: BoolType; operand: TExpr }
  /** Both operands are already converted to `type` (shifts: the count too). */
  | { k: "arith"; op: ArithOp; type: IntType | BoolType; left: TExpr; right: TExpr }
  /** Operands share one type: `signed` picks SLT/SGT. */
  | { k: "compare"; op: CompareOp; type: BoolType; signed: boolean; left: TExpr; right: TExpr }
  /** Operands are booleans. */
  | { k: "logical"; op: "and" | "or"; type: BoolType; left: TExpr; right: TExpr }
  | { k: "conditional"; type: ScalarType; cond: TExpr; then: TExpr; else: TExpr }
  /** `value` is of the place's type; for a compound assignment `op` is applied to the old value first. */
  | { k: "assign"; type: ScalarType; place: TPlace; op: ArithOp | undefined; value: TExpr }
  | { k: "incdec"; type: IntType; place: TPlace; delta: 1 | -1; prefix: boolean }
  | { k: "call"; type: ScalarType | undefined; fn: FunctionInfo; args: TExpr[] }
  | { k: "syscall"; type: ScalarType | undefined; syscall: Callee; args: TExpr[] }
  | { k: "intrinsic"; type: IntType; name: IntrinsicName; args: TExpr[] }
  /** `tobool` gives `operand != 0`; the others change the width per `type`. */
  | { k: "convert"; op: ConvertOp; type: ScalarType; operand: TExpr };

// --------------------------------------------------------------- statements

export interface TBlock {
  k: "block";
  stmts: TStmt[];
}

export type TStmt =
  | TBlock
  | { k: "local"; v: LocalVar; init: TExpr | undefined }
  /** A local array declaration; `init` elements are stored where it is declared. */
  | { k: "localArray"; v: StaticVar; init: TExpr[] | undefined }
  | { k: "expr"; e: TExpr }
  | { k: "if"; cond: TExpr; then: TStmt; else: TStmt | undefined }
  | { k: "while"; cond: TExpr; body: TStmt }
  | { k: "do"; body: TStmt; cond: TExpr }
  | { k: "for"; init: TStmt | undefined; cond: TExpr | undefined; step: TExpr[]; body: TStmt }
  | { k: "break" }
  | { k: "continue" }
  | { k: "return"; value: TExpr | undefined };

/** The truth of a constant condition, or undefined when it is not constant. */
export function constTruth(e: TExpr | undefined): boolean | undefined {
  if (e === undefined) return true;
  return e.k === "const" ? e.value !== 0n : undefined;
}
