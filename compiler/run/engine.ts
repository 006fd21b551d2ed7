// The one interface every engine implements (TypeScript reference VM, host C
// VM, emulated and real boards), so one corpus runs on all of them.

import type { Raw, RawArg, RawEffect } from "../vm/effects.js";

/** A node call the invocation made (NCALL) and the answer it got: undefined when it failed (the invocation then faults "trap"). */
export interface NodeCallEffect {
  kind: "nodecall";
  importIndex: number;
  args: RawArg[];
  answer: Raw | undefined;
}

/** What an engine reports for an invocation: the VM's effects with its node calls in order among them. */
export type EngineEffect = RawEffect | NodeCallEffect;

/** A node call as the engine's answerer sees it. */
export interface NodeCallRequest {
  importIndex: number;
  /** The import's name (the Aryl script's public function). */
  name: string;
  args: RawArg[];
}

/**
 * Answers node calls for an engine (`alkyvm run`: from the steps' `answer`
 * lines): the value (any value for a void function), or undefined for a
 * failed call, which traps.
 */
export type NodeCallAnswerer = (call: NodeCallRequest) => Raw | undefined;

export interface Engine {
  /** Runs one invocation of function `functionIndex` of the loaded app. */
  invoke(functionIndex: number, args: RawArg[]): Promise<EngineEffect[]>;
  /** Sets the device clock (seconds since the Unix epoch). */
  setTime(seconds: number): Promise<void>;
  close(): Promise<void>;
}
