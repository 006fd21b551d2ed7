// The TypeScript reference VM behind the Engine interface (`--backend ts`).

import type { Image } from "../ir/image.js";
import type { Profile } from "../profiles/profiles.js";
import type { Raw, RawArg, RawEffect } from "../vm/effects.js";
import { ReferenceVm } from "../vm/reference.js";
import type { Engine } from "./engine.js";

export interface TsEngineOptions {
  fuel?: number;
  stackSize?: number;
}

export class TsEngine implements Engine {
  private clock = 0;
  private readonly vm: ReferenceVm;

  constructor(image: Image, profile: Profile, options: TsEngineOptions = {}) {
    const clockImports = new Set(
      image.imports.flatMap((imp, i) => (profile.syscalls.find((s) => s.id === imp.id && s.name === imp.name)?.returnsClock ? [i] : [])),
    );
    this.vm = new ReferenceVm(image, {
      ...options,
      syscall: (importIndex: number, _args: RawArg[]): Raw | undefined => (clockImports.has(importIndex) ? this.clock : undefined),
    });
  }

  async invoke(functionIndex: number, args: RawArg[]): Promise<RawEffect[]> {
    return this.vm.invoke(functionIndex, args);
  }

  async setTime(seconds: number): Promise<void> {
    this.clock = seconds;
  }

  async close(): Promise<void> {}
}
