// The byte stream between the node and a device, whatever carries it: a
// simulated UART (simavr), a RAM mailbox (mspdebug sim), a serial port. The
// link protocol layer is written once against this interface.

export interface ByteTransport {
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Bytes received so far, waiting up to maxWaitMs for at least one to arrive.
   * Resolves with an empty array when none came in time; rejects with a
   * BoardEmulationError once the device has failed (crash, halt, time limit).
   */
  read(maxWaitMs: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Why an emulated board stopped working. */
export type BoardFailureKind =
  | "toolchain-missing" // a compiler, simulator or library is not installed
  | "build-failed" // the firmware or harness did not compile or link
  | "load-failed" // the simulator could not load the firmware
  | "crashed" // invalid opcode, PC outside flash, bad memory access, unexpected interrupt
  | "halted" // the firmware stopped for good (main returned, jump-to-self with interrupts off)
  | "cycle-limit" // the simulated cycle budget ran out
  | "timeout" // the wall-clock limit ran out or the firmware stopped answering
  | "exited" // the simulator process ended on its own
  | "closed" // the transport was closed by its owner
  | "port-missing" // no serial port at that path
  | "port-busy" // another program holds the serial port
  | "port-denied" // no permission to open the serial port
  | "port-failed" // the serial port could not be opened or used for another reason
  | "disconnected"; // the serial port went away (unplugged, device reset) and did not come back

export class BoardEmulationError extends Error {
  readonly kind: BoardFailureKind;

  constructor(kind: BoardFailureKind, message: string) {
    super(message);
    this.name = "BoardEmulationError";
    this.kind = kind;
  }
}

/**
 * The receive side shared by the transports: bytes queue up as the device
 * sends them, readers wait for them, and a failure wakes every reader.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private failure: BoardEmulationError | undefined;
  private waiters = new Set<() => void>();

  get size(): number {
    return this.length;
  }

  get failed(): BoardEmulationError | undefined {
    return this.failure;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.length += bytes.length;
    this.wake();
  }

  /** Marks the stream as failed; bytes already queued can still be read. */
  fail(error: BoardEmulationError): void {
    this.failure ??= error;
    this.wake();
  }

  /** Everything queued (possibly nothing), waiting up to maxWaitMs for a first byte. */
  async read(maxWaitMs: number): Promise<Uint8Array> {
    await this.waitFor(1, maxWaitMs);
    if (this.length === 0 && this.failure) throw this.failure;
    return this.take(this.length);
  }

  /** Exactly n bytes; rejects when they have not all arrived within timeoutMs. */
  async readExactly(n: number, timeoutMs: number): Promise<Uint8Array> {
    await this.waitFor(n, timeoutMs);
    if (this.length >= n) return this.take(n);
    if (this.failure) throw this.failure;
    throw new BoardEmulationError("timeout", `expected ${n} bytes within ${timeoutMs} ms, got ${this.length}`);
  }

  private async waitFor(n: number, timeoutMs: number): Promise<void> {
    if (this.length >= n || this.failure) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (this.length >= n || this.failure) done();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(check);
    });
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0]!;
      const part = Math.min(head.length, n - filled);
      out.set(head.subarray(0, part), filled);
      filled += part;
      if (part === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(part);
    }
    this.length -= n;
    return out;
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
