// Type checking of the expressions only Aryl scripts have (docs/aryl.md §2):
// `block.number` / `block.timestamp`, calls of device functions
// (`device.SetPin(...)`, `device("front").SetPin(...)`), calls of contract
// functions (`contract.balanceOf(...)`), and the collection of a `for each`.
// Built-ins become syscalls of the aryl profile; device and contract calls
// become node-call imports named by aryl-env.ts.

import type * as ast from "./ast.js";
import {
  abiFunctions, abiValueType, CONTRACT_READ_PREFIX, RESULT_BUFFER_BYTES, CONTRACT_SEND_PREFIX, DEVICE_CALL_PREFIX, isReadOnly, type AbiEntry,
} from "./aryl-env.js";
import type { Checked, ExprChecker, ExprContext } from "./check-expr.js";
import type { Span } from "./diagnostics.js";
import type { NodeCallee, TExpr } from "./tree.js";
import { STRING, typeName, typeOfValueType, UINT16, valueTypeOf, type ScalarType } from "./types.js";
import { typeName as valueTypeName, type ValueType } from "../ir/types.js";

const ERR: Checked = { k: "error" };
const MAX_IMPORT_NAME = 63;

export class ArylExprChecker {
  constructor(
    private readonly ctx: ExprContext,
    private readonly exprs: ExprChecker,
  ) {}

  /** A built-in object name, unless the script declared something of that name. */
  private isBuiltinObject(e: ast.Expr, name: string): boolean {
    return e.kind === "name" && e.name === name && this.ctx.lookup(name) === undefined;
  }

  /** A call of an aryl profile syscall with already-checked arguments. */
  private builtin(name: string, args: TExpr[]): TExpr {
    const sc = this.ctx.profile.syscalls.find((s) => s.name === name);
    if (!sc) throw new Error(`profile ${this.ctx.profile.name} has no built-in ${name}`);
    this.ctx.noteImport(sc);
    return { k: "syscall", type: sc.result ? typeOfValueType(sc.result) : undefined, syscall: sc, args };
  }

  /** `block.number` (uint64_t) and `block.timestamp` (uint32_t seconds, as `time_t`). */
  member(e: ast.MemberExpr): Checked {
    if (this.isBuiltinObject(e.object, "block")) {
      if (e.member.name === "number") return { k: "value", e: this.builtin("BlockNumber", []) };
      if (e.member.name === "timestamp") return { k: "value", e: this.builtin("BlockTimestamp", []) };
    }
    this.ctx.diags.report("E0810", e, e.object.kind === "name" ? `${e.object.name}.${e.member.name}` : e.member.name);
    return ERR;
  }

  method(e: ast.MethodCallExpr): Checked {
    if (this.isBuiltinObject(e.object, "contract")) return this.contractCall(e);
    const handle = this.device(e.object);
    if (!handle) {
      e.args.forEach((a) => this.exprs.check(a));
      return ERR;
    }
    return this.deviceCall(e, handle);
  }

  /** The handle of a device: a `for each` variable or `device("name")`. */
  private device(e: ast.Expr): TExpr | undefined {
    if (e.kind === "name") {
      const sym = this.ctx.lookup(e.name);
      if (sym?.k === "device") return { k: "load", type: UINT16, place: { k: "local", v: sym.v } };
      if (sym?.k === "poisoned") return undefined;
    }
    if (e.kind === "call" && e.callee.name === "device" && this.ctx.lookup("device") === undefined) {
      const name = this.stringArgument(e, "device");
      return name && this.builtin("DeviceNamed", [name]);
    }
    this.ctx.diags.report("E0809", e);
    return undefined;
  }

  /** The device handles a `for each` walks: `devices` (all) or `group("name")`, as the first handle. */
  collection(e: ast.Expr): TExpr | undefined {
    if (this.isBuiltinObject(e, "devices")) return this.builtin("DeviceGroup", [this.stringConstant("")]);
    if (e.kind === "call" && e.callee.name === "group" && this.ctx.lookup("group") === undefined) {
      const group = this.stringArgument(e, "group");
      return group && this.builtin("DeviceGroup", [group]);
    }
    this.ctx.diags.report("E0811", e);
    return undefined;
  }

  /** The end handle of the device table, read right after `collection`. */
  deviceCount(): TExpr {
    return this.builtin("DeviceCount", []);
  }

  private stringConstant(text: string): TExpr {
    return { k: "string", type: STRING, literal: this.ctx.internString(new TextEncoder().encode(text)) };
  }

  private stringArgument(e: ast.CallExpr, name: string): TExpr | undefined {
    const args = this.exprs.arguments(e.args, [STRING], name, e);
    return args?.[0];
  }

  private importName(prefix: string, name: string, span: Span): string | undefined {
    const full = prefix + name;
    if (full.length <= MAX_IMPORT_NAME) return full;
    this.ctx.diags.report("E0813", span, name, full.length);
    return undefined;
  }

  /**
   * `d.Fn(args)`: checked against the device apps' public functions when apps
   * were given (arguments convert to the parameters), else each argument keeps
   * its own type. Device calls are queued by the node: they have no result.
   */
  private deviceCall(e: ast.MethodCallExpr, handle: TExpr): Checked {
    const name = e.method.name;
    const known = this.ctx.aryl?.deviceFunctions;
    let args: TExpr[] | undefined;
    if (known) {
      const fns = known.get(name);
      if (!fns) {
        e.args.forEach((a) => this.exprs.check(a));
        const names = [...known.keys()].sort().join(", ");
        this.ctx.diags.report("E0805", e.method, name, names || "none");
        return ERR;
      }
      const signature = (params: ValueType[]): string => params.map(valueTypeName).join(", ");
      const other = fns.find((f) => signature(f.params) !== signature(fns[0]!.params));
      if (other) {
        this.ctx.diags.report("E0806", e.method, name, fns[0]!.app, signature(fns[0]!.params), other.app, signature(other.params));
        return ERR;
      }
      args = this.exprs.arguments(e.args, fns[0]!.params.map(typeOfValueType), name, e);
    } else {
      const checked = e.args.map((a) => this.exprs.rvalue(a));
      args = checked.every((a) => a !== undefined) ? (checked as TExpr[]) : undefined;
    }
    const importName = this.importName(DEVICE_CALL_PREFIX, name, e.method);
    if (!args || !importName) return ERR;
    const params = [valueTypeOf(UINT16), ...args.map((a) => valueTypeOf(a.type as ScalarType))];
    const callee = this.ctx.noteImport<NodeCallee>({ node: true, name: importName, params, result: undefined });
    return { k: "void", e: { k: "syscall", type: undefined, syscall: callee, args: [handle, ...args] } };
  }

  /**
   * `contract.f(args)`: a view or pure function is read with eth_call and has
   * its (single) output as result; any other is sent as a transaction signed
   * by the node's key and has no result.
   */
  private contractCall(e: ast.MethodCallExpr): Checked {
    const name = e.method.name;
    const abi = this.ctx.aryl?.abi;
    const candidates = abi ? abiFunctions(abi).filter((f) => f.name === name) : [];
    if (candidates.length === 0) {
      e.args.forEach((a) => this.exprs.check(a));
      this.ctx.diags.report("E0807", e.method, name, abi ? "" : " (no ABI given: pass --abi)");
      return ERR;
    }
    const fn = candidates.find((f) => (f.inputs ?? []).length === e.args.length);
    if (!fn) {
      e.args.forEach((a) => this.exprs.check(a));
      this.ctx.diags.report("E0412", e, `contract.${name}`, (candidates[0]!.inputs ?? []).length, e.args.length);
      return ERR;
    }
    const inputs = this.abiTypes(fn, fn.inputs ?? [], e.method);
    if (!inputs) return ERR;
    const readOnly = isReadOnly(fn);
    const outputs = readOnly ? (fn.outputs ?? []) : [];
    if (outputs.length > 1) {
      this.ctx.diags.report("E0808", e.method, name, outputs.length);
      return ERR;
    }
    const resultTypes = this.abiTypes(fn, outputs, e.method);
    if (!resultTypes) return ERR;
    const args = this.exprs.arguments(e.args, inputs.map(typeOfValueType), `contract.${name}`, e);
    const importName = this.importName(readOnly ? CONTRACT_READ_PREFIX : CONTRACT_SEND_PREFIX, name, e.method);
    if (!args || !importName) return ERR;
    const result = resultTypes[0];
    const params = [...inputs];
    if (result && typeOfValueType(result).kind === "string") {
      const buffer = this.ctx.resultBuffer(e);
      if (!buffer) return ERR;
      params.push(valueTypeOf(UINT16), valueTypeOf(UINT16));
      args.push(buffer, { k: "const", type: UINT16, value: BigInt(RESULT_BUFFER_BYTES) });
    }
    const callee = this.ctx.noteImport<NodeCallee>({ node: true, name: importName, params, result });
    const type = result ? typeOfValueType(result) : undefined;
    const call: TExpr = { k: "syscall", type, syscall: callee, args };
    return type ? { k: "value", e: call } : { k: "void", e: call };
  }

  /** The Aryl types of ABI parameters; reports the first one Aryl cannot represent. */
  private abiTypes(fn: AbiEntry, params: readonly { type: string; name?: string }[], span: Span): ValueType[] | undefined {
    const out: ValueType[] = [];
    for (const p of params) {
      const t = abiValueType(p.type);
      if (!t) {
        this.ctx.diags.report("E0804", span, p.type, `${fn.name ?? "?"}${p.name ? `.${p.name}` : ""}`);
        return undefined;
      }
      out.push(t);
    }
    return out;
  }
}

/** `uint32_t` for an ABI `uint32`: what a handler parameter must be declared as. */
export function arylTypeName(t: ValueType): string {
  return typeName(typeOfValueType(t));
}
