// What the node runs for a contract's log and for a device's call to the
// node: the narrow interface between the node (chain, store, devices) and the
// code that decides what to do (the contract's Aryl script, or a handler a
// library user writes). The context is what a handler may touch; its state
// writes and device calls are committed with the log, in one transaction.

import type { ArylHost } from "./script.js";
import type { CallValue } from "./values.js";

/** What a handler may touch: the Aryl script's host (aryl/script.ts). */
export type HandlerContext = ArylHost;

export interface LogHandler {
  /** Events the handler reacts to (logs of other events are recorded as handled with no effect). */
  readonly eventNames: readonly string[];
  /** Handles one log; `args` are the decoded event arguments in ABI order. */
  handleEvent(name: string, args: readonly unknown[], context: HandlerContext): Promise<void>;
  /** A device called the node's `name` (a device-to-node call): its result, undefined for none (void); throws if it failed (the device's invocation traps). */
  callPublic?(name: string, args: CallValue[], context: HandlerContext): Promise<CallValue | undefined>;
}

/**
 * Thrown by the context when the chain could not be reached: the log is not
 * recorded and is handled again on a later poll. Any other error of a handler
 * is the handler's own failure: reported, and the log recorded as handled.
 */
export class ChainUnavailable extends Error {
  override name = "ChainUnavailable";
}
