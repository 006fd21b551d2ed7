// What an engine reports while it runs an invocation, before formatting. Every
// engine (TypeScript reference VM, host C VM over the link, emulated boards)
// produces these; compiler/run/ turns them into trace lines in one place.

/** An unsigned raw value: a number for widths up to 32 bits, a bigint for 64 and 256. */
export type Raw = number | bigint;

/** A syscall or node-call argument: raw value, or the bytes of a string argument (without NUL). */
export type RawArg = Raw | Uint8Array;

export type FaultKind = "fuel" | "memory" | "storage" | "stack" | "trap";

export type RawEffect =
  | { kind: "syscall"; importIndex: number; args: RawArg[] }
  | { kind: "return"; value: Raw }
  | { kind: "fault"; fault: FaultKind; /** first byte address accessed, for memory and storage faults */ address?: number };

/** Host side of a syscall: returns the result for imports that have one. */
export type SyscallHandler = (importIndex: number, args: RawArg[]) => Raw | undefined;

/**
 * Returned by a node-call handler whose answer is not ready yet (the Aryl
 * script runner's chain reads): the reference VM suspends the invocation at the
 * NCALL, and `ReferenceVm.resume(answer)` continues it.
 */
export const SUSPEND: unique symbol = Symbol("suspend");

/**
 * Host side of a node call: returns the answer, undefined for a timeout/failure
 * (faults the invocation as "trap"), or SUSPEND to answer later.
 */
export type NodeCallHandler = (importIndex: number, args: RawArg[]) => Raw | undefined | typeof SUSPEND;
