// What the node runs for a contract's log and for a device's call to the
// node: the narrow interface between the node (chain, store, devices) and the
// code that decides what to do (the contract's Aryl script, or a handler a
// library user writes). The context is what a handler may touch; its state
// writes and device calls are committed with the log, in one transaction.

import type { CallValue } from "./values.js";

export interface HandlerContext {
  /** Device names: all, or those whose name, profile or group is `group`. */
  devices(group?: string): string[];
  /** Queues a call of a device's public function; the node delivers it (later if the device is offline). */
  callDevice(device: string, fn: string, args: CallValue[]): void;
  /** The block of the log being handled (for a device call: the newest block seen). */
  block(): { number: bigint; timestamp: bigint };
  /** ECIES (secp256k1) decryption with the node's key. */
  decrypt(ciphertext: Uint8Array): Uint8Array;
  readContract(fn: string, args: CallValue[]): Promise<CallValue>;
  sendTransaction(fn: string, args: CallValue[]): Promise<void>;
  /** Shared state, kept by the node across logs, device calls and restarts. */
  state: { get(key: string): bigint | undefined; set(key: string, value: bigint): void };
  log(line: string): void;
}

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
