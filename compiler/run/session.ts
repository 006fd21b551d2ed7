// Runs steps against an engine: resolves names through the image and the
// profile, checks and converts arguments, and turns raw effects into trace lines.

import { FunctionKind, ImportKind, type Image, type IrFunction } from "../ir/image.js";
import { ValueKind, type ValueType } from "../ir/types.js";
import type { Profile } from "../profiles/profiles.js";
import type { Raw, RawArg } from "../vm/effects.js";
import type { Engine, EngineEffect, NodeCallAnswerer } from "./engine.js";
import { parseInvocation, parseLiteral, type Literal } from "./literals.js";
import type { Step } from "./steps.js";
import type { TraceLine } from "./trace.js";
import { alkylTypeName, formatValue, literalToRaw } from "./values.js";

const FAULT_MESSAGES: Record<string, (address?: number) => string> = {
  fuel: () => "instruction budget exhausted",
  memory: (a) => `address ${a ?? 0} out of bounds`,
  storage: (a) => `address ${a ?? 0} out of bounds`,
  stack: () => "call stack overflow",
  trap: () => "INVALID instruction",
};

export function effectToTrace(effect: EngineEffect, image: Image, fn: IrFunction): TraceLine {
  switch (effect.kind) {
    case "nodecall": {
      const imp = image.imports[effect.importIndex];
      if (!imp) return { effect: "error", kind: "engine", message: `node call of unknown import ${effect.importIndex}` };
      const answer = effect.answer !== undefined && imp.result ? formatValue(effect.answer, imp.result) : undefined;
      return { effect: "nodecall", name: imp.name, args: effect.args.map((a, i) => formatValue(a, imp.params[i]!)), failed: effect.answer === undefined, answer };
    }
    case "syscall": {
      const imp = image.imports[effect.importIndex];
      if (!imp) return { effect: "error", kind: "engine", message: `syscall of unknown import ${effect.importIndex}` };
      return { effect: "syscall", name: imp.name, args: effect.args.map((a, i) => formatValue(a, imp.params[i]!)) };
    }
    case "return":
      return { effect: "return", value: fn.result ? formatValue(effect.value, fn.result) : String(effect.value) };
    case "fault":
      return { effect: "error", kind: effect.fault, message: FAULT_MESSAGES[effect.fault]!(effect.address) };
  }
}

type Resolved = { ok: true; fn: number; args: RawArg[] } | { ok: false; line: TraceLine } | { ok: true; fn: undefined };

function convertArgs(what: string, params: readonly ValueType[], lits: Literal[], fn: IrFunction | undefined, kind: string): { ok: true; args: RawArg[] } | { ok: false; line: TraceLine } {
  if (lits.length !== params.length)
    return { ok: false, line: { effect: "error", kind, message: `${what} takes ${params.length} argument${params.length === 1 ? "" : "s"}, got ${lits.length}` } };
  const args: RawArg[] = [];
  let stringIndex = 0;
  for (let i = 0; i < params.length; i++) {
    const t = params[i]!;
    const conv = literalToRaw(lits[i]!, t);
    if (!conv.ok) return { ok: false, line: { effect: "error", kind, message: `argument ${i + 1} of ${what}: ${conv.message}` } };
    if (t.kind === ValueKind.String && conv.value instanceof Uint8Array && fn) {
      const buf = fn.stringBuffers[stringIndex++];
      if (buf && conv.value.length + 1 > buf.capacity)
        return {
          ok: false,
          line: { effect: "error", kind, message: `argument ${i + 1} of ${what}: string of ${conv.value.length} bytes does not fit its ${buf.capacity - 1}-byte buffer` },
        };
    }
    args.push(conv.value);
  }
  return { ok: true, args };
}

function resolveCall(image: Image, text: string): Resolved {
  const inv = parseInvocation(text);
  if (!inv.ok) return { ok: false, line: { effect: "error", kind: "call", message: inv.message } };
  const index = image.functions.findIndex((f) => f.kind === FunctionKind.Public && f.name === inv.value.name);
  if (index < 0) return { ok: false, line: { effect: "error", kind: "call", message: `no public function '${inv.value.name}'` } };
  const fn = image.functions[index]!;
  const conv = convertArgs(fn.name, fn.locals.slice(0, fn.paramCount), inv.value.args, fn, "call");
  return conv.ok ? { ok: true, fn: index, args: conv.args } : conv;
}

function resolveEvent(image: Image, profile: Profile, text: string): Resolved {
  const inv = parseInvocation(text);
  if (!inv.ok) return { ok: false, line: { effect: "error", kind: "event", message: inv.message } };
  const ev = profile.events.find((e) => e.name === inv.value.name);
  if (!ev) return { ok: false, line: { effect: "error", kind: "event", message: `no event '${inv.value.name}' in profile ${profile.name}` } };
  const conv = convertArgs(ev.name, ev.params.map((p) => p.type), inv.value.args, undefined, "event");
  if (!conv.ok) return conv;
  const index = image.functions.findIndex((f) => f.kind === FunctionKind.Event && f.eventId === ev.id);
  // An event the app does not handle is dropped, as a device's runtime would.
  return index < 0 ? { ok: true, fn: undefined } : { ok: true, fn: index, args: conv.args };
}

/**
 * How the node answers node calls during a run: `answer` steps set it, the
 * engine asks `answer` (give it to the backend when opening the engine). A
 * function without an answer step fails, as on a device without a node.
 */
export class NodeAnswers {
  /** Import index -> the answer (undefined: fails). */
  private readonly table = new Map<number, Raw | undefined>();

  constructor(private readonly image: Image) {}

  readonly answer: NodeCallAnswerer = (call) => this.table.get(call.importIndex);

  /** Applies an `answer` step; an error line if it does not fit the app. */
  apply(step: Extract<Step, { kind: "answer" }>): TraceLine | undefined {
    const fail = (message: string): TraceLine => ({ effect: "error", kind: "answer", message });
    const index = this.image.imports.findIndex((imp) => imp.kind === ImportKind.NodeCall && imp.name === step.name);
    if (index < 0) return fail(`the app calls no node function '${step.name}'`);
    const result = this.image.imports[index]!.result;
    if (step.fails) {
      this.table.delete(index);
      return undefined;
    }
    if (step.value === undefined) {
      if (result) return fail(`${step.name} returns ${alkylTypeName(result)}: write 'answer ${step.name} = value'`);
      this.table.set(index, 0);
      return undefined;
    }
    if (!result) return fail(`${step.name} returns nothing: write 'answer ${step.name}'`);
    const lit = parseLiteral(step.value);
    if (!lit.ok) return fail(`answer of ${step.name}: ${lit.message}`);
    const conv = literalToRaw(lit.value, result);
    if (!conv.ok || conv.value instanceof Uint8Array) return fail(`answer of ${step.name}: ${conv.ok ? "not a scalar" : conv.message}`);
    this.table.set(index, conv.value);
    return undefined;
  }
}

/**
 * Runs the steps in order; a failing step produces an error line and the next
 * step still runs. `answers` is the table the engine's node-call answerer reads
 * (without it, `answer` steps are refused).
 */
export async function runSteps(
  image: Image,
  profile: Profile,
  engine: Engine,
  steps: readonly Step[],
  onLine: (line: TraceLine) => void,
  answers?: NodeAnswers,
): Promise<void> {
  for (const step of steps) {
    if (step.kind === "time") {
      await engine.setTime(step.seconds);
      continue;
    }
    if (step.kind === "answer") {
      const error = answers ? answers.apply(step) : { effect: "error" as const, kind: "answer", message: "this run takes no node answers" };
      if (error) onLine(error);
      continue;
    }
    const resolved = step.kind === "call" ? resolveCall(image, step.text) : resolveEvent(image, profile, step.text);
    if (!resolved.ok) {
      onLine(resolved.line);
      continue;
    }
    if (resolved.fn === undefined) continue;
    const fn = image.functions[resolved.fn]!;
    const effects = await engine.invoke(resolved.fn, resolved.args);
    let previous: EngineEffect | undefined;
    for (const e of effects) {
      // A trap right after a failed node call is that call's, not an INVALID instruction's.
      if (e.kind === "fault" && e.fault === "trap" && previous?.kind === "nodecall" && previous.answer === undefined)
        onLine({ effect: "error", kind: "trap", message: `node call ${image.imports[previous.importIndex]?.name ?? previous.importIndex} got no answer` });
      else onLine(effectToTrace(e, image, fn));
      previous = e;
    }
  }
}
