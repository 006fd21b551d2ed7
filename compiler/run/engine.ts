// The one interface every engine implements (TypeScript reference VM, host C
// VM, emulated and real boards), so one corpus runs on all of them.

import type { RawArg, RawEffect } from "../vm/effects.js";

export interface Engine {
  /** Runs one invocation of function `functionIndex` of the loaded app. */
  invoke(functionIndex: number, args: RawArg[]): Promise<RawEffect[]>;
  /** Sets the device clock (seconds since the Unix epoch). */
  setTime(seconds: number): Promise<void>;
  close(): Promise<void>;
}
