// The syntax tree the parser builds: what the programmer wrote, with source
// spans, before any name or type is resolved (that is the checker's job).

import type { Span } from "./diagnostics.js";

export type TypeKeyword =
  | "void" | "bool" | "char" | "string" | "time_t"
  | "int8_t" | "int16_t" | "int32_t" | "int64_t" | "int256_t"
  | "uint8_t" | "uint16_t" | "uint32_t" | "uint64_t" | "uint256_t";

/** A written type: a keyword, `char*` when `pointer` is set. */
export interface TypeRef extends Span {
  name: TypeKeyword;
  pointer: boolean;
}

export interface Identifier extends Span {
  name: string;
}

export type Initializer = Expr | ListInitializer;

export interface ListInitializer extends Span {
  kind: "list";
  items: Expr[];
}

/** One declared variable (`const uint8_t n = 4`, `char buf[8]`). */
export interface VarDecl extends Span {
  kind: "var";
  name: Identifier;
  type: TypeRef;
  isConst: boolean;
  isPersistent: boolean;
  /** Present for arrays: the size expression, or "infer" for `name[]`. */
  arraySize: Expr | "infer" | undefined;
  /** The span of `[...]`, for messages about the array part. */
  arraySpan: Span | undefined;
  init: Initializer | undefined;
}

export interface Param extends Span {
  name: Identifier;
  type: TypeRef;
  isConst: boolean;
  /** `char name[N]`: the capacity of a public function's string buffer. */
  arraySize: Expr | undefined;
  arraySpan: Span | undefined;
}

/** `on`: an Aryl script's `On Event(...)` handler of a contract event. */
export type FunctionModifier = "public" | "deviceevent" | "helper" | "on";

export interface FunctionDecl extends Span {
  kind: "function";
  modifier: FunctionModifier;
  name: Identifier;
  returnType: TypeRef;
  params: Param[];
  body: Block;
}

/** `node T Name(params);`: a function of the Aryl script the app calls (a device-to-node call). */
export interface NodeDecl extends Span {
  kind: "node";
  name: Identifier;
  returnType: TypeRef;
  params: Param[];
}

export type Declaration = VarDecl | FunctionDecl | NodeDecl;

export interface Program {
  declarations: Declaration[];
}

// ------------------------------------------------------------------ statements

export interface Block extends Span {
  kind: "block";
  statements: Stmt[];
  /** The closing brace, where "missing return" is reported. */
  closeSpan: Span;
}

export interface DeclStmt extends Span {
  kind: "decl";
  vars: VarDecl[];
}

export interface ExprStmt extends Span {
  kind: "expr";
  expr: Expr;
}

export interface IfStmt extends Span {
  kind: "if";
  cond: Expr;
  then: Stmt;
  else: Stmt | undefined;
}

export interface WhileStmt extends Span {
  kind: "while";
  cond: Expr;
  body: Stmt;
}

export interface DoWhileStmt extends Span {
  kind: "do";
  body: Stmt;
  cond: Expr;
}

export interface ForStmt extends Span {
  kind: "for";
  /** Declarations, or expressions separated by commas (`i = 0, j = n`). */
  init: DeclStmt | ExprStmt[] | undefined;
  cond: Expr | undefined;
  /** Expressions separated by commas (`i++, j--`); the only place a comma list is allowed. */
  step: Expr[];
  body: Stmt;
}

export interface JumpStmt extends Span {
  kind: "break" | "continue";
}

export interface ReturnStmt extends Span {
  kind: "return";
  value: Expr | undefined;
}

export interface EmptyStmt extends Span {
  kind: "empty";
}

/** Aryl: `for each (name in collection) body`. */
export interface ForEachStmt extends Span {
  kind: "foreach";
  variable: Identifier;
  collection: Expr;
  body: Stmt;
}

export type Stmt = ForEachStmt | Block | DeclStmt | ExprStmt | IfStmt | WhileStmt | DoWhileStmt | ForStmt | JumpStmt | ReturnStmt | EmptyStmt;

// ----------------------------------------------------------------- expressions

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=";
export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "&&" | "||";
export type UnaryOp = "-" | "+" | "!" | "~";

export interface IntLiteral extends Span {
  kind: "int";
  value: bigint;
}

export interface CharLiteral extends Span {
  kind: "char";
  value: number;
}

export interface StringLiteral extends Span {
  kind: "string";
  bytes: Uint8Array;
}

export interface BoolLiteral extends Span {
  kind: "bool";
  value: boolean;
}

export interface NameExpr extends Span {
  kind: "name";
  name: string;
}

/** `this.name`: the global, even where a local shadows it. */
export interface ThisExpr extends Span {
  kind: "this";
  name: Identifier;
}

export interface UnaryExpr extends Span {
  kind: "unary";
  op: UnaryOp;
  operand: Expr;
}

export interface IncDecExpr extends Span {
  kind: "incdec";
  op: "++" | "--";
  prefix: boolean;
  target: Expr;
}

export interface BinaryExpr extends Span {
  kind: "binary";
  op: BinaryOp;
  opSpan: Span;
  left: Expr;
  right: Expr;
}

export interface AssignExpr extends Span {
  kind: "assign";
  op: AssignOp;
  opSpan: Span;
  target: Expr;
  value: Expr;
}

export interface ConditionalExpr extends Span {
  kind: "conditional";
  cond: Expr;
  then: Expr;
  else: Expr;
}

export interface CallExpr extends Span {
  kind: "call";
  callee: Identifier;
  args: Expr[];
}

export interface SyscallExpr extends Span {
  kind: "syscall";
  /** Undefined when the first argument is not a name (reported by the checker). */
  name: Identifier | undefined;
  args: Expr[];
}

/** Aryl: `object.member` (`block.timestamp`). */
export interface MemberExpr extends Span {
  kind: "member";
  object: Expr;
  member: Identifier;
}

/** Aryl: `object.method(args)` (`device.SetPin(...)`, `contract.balanceOf(...)`). */
export interface MethodCallExpr extends Span {
  kind: "method";
  object: Expr;
  method: Identifier;
  args: Expr[];
}

export interface IndexExpr extends Span {
  kind: "index";
  base: Expr;
  index: Expr;
}

export interface CastExpr extends Span {
  kind: "cast";
  type: TypeRef;
  operand: Expr;
}

export type Expr =
  | IntLiteral
  | CharLiteral
  | StringLiteral
  | BoolLiteral
  | NameExpr
  | ThisExpr
  | UnaryExpr
  | IncDecExpr
  | BinaryExpr
  | AssignExpr
  | ConditionalExpr
  | CallExpr
  | SyscallExpr
  | IndexExpr
  | CastExpr
  | MemberExpr
  | MethodCallExpr;
