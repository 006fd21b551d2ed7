// The TypeScript reference VM behind the Engine interface (`--backend ts`).

import type { Image } from "../ir/image.js";
import type { Profile } from "../profiles/profiles.js";
import type { Raw, RawArg } from "../vm/effects.js";
import { ReferenceVm } from "../vm/reference.js";
import type { Engine, EngineEffect, NodeCallAnswerer, NodeCallEffect } from "./engine.js";

export interface TsEngineOptions {
  fuel?: number;
  stackSize?: number;
  /** Answers node calls; without it every node call fails (traps), as on a device without a node. */
  answerNodeCall?: NodeCallAnswerer;
}

export class TsEngine implements Engine {
  private clock = 0;
  private readonly vm: ReferenceVm;
  /** The running invocation's syscalls so far, and its node calls with the syscall count they followed. */
  private syscalls = 0;
  private nodeCalls: { after: number; effect: NodeCallEffect }[] = [];

  constructor(image: Image, profile: Profile, options: TsEngineOptions = {}) {
    const clockImports = new Set(
      image.imports.flatMap((imp, i) => (profile.syscalls.find((s) => s.id === imp.id && s.name === imp.name)?.returnsClock ? [i] : [])),
    );
    const { answerNodeCall, ...vmOptions } = options;
    this.vm = new ReferenceVm(image, {
      ...vmOptions,
      syscall: (importIndex: number, _args: RawArg[]): Raw | undefined => {
        this.syscalls++;
        return clockImports.has(importIndex) ? this.clock : undefined;
      },
      nodeCall: (importIndex: number, args: RawArg[]): Raw | undefined => {
        const answer = answerNodeCall?.({ importIndex, name: image.imports[importIndex]!.name, args });
        this.nodeCalls.push({ after: this.syscalls, effect: { kind: "nodecall", importIndex, args, answer } });
        return answer;
      },
    });
  }

  async invoke(functionIndex: number, args: RawArg[]): Promise<EngineEffect[]> {
    this.syscalls = 0;
    this.nodeCalls = [];
    const vmEffects = this.vm.invoke(functionIndex, args);
    // The VM reports syscalls as effects and node calls through the handler: put each node call after the syscalls that preceded it.
    const effects: EngineEffect[] = [];
    let syscalls = 0;
    const calls = this.nodeCalls;
    let next = 0;
    const flushCalls = (): void => {
      while (next < calls.length && calls[next]!.after === syscalls) effects.push(calls[next++]!.effect);
    };
    for (const e of vmEffects) {
      flushCalls();
      effects.push(e);
      if (e.kind === "syscall") syscalls++;
    }
    flushCalls();
    return effects;
  }

  async setTime(seconds: number): Promise<void> {
    this.clock = seconds;
  }

  async close(): Promise<void> {}
}
