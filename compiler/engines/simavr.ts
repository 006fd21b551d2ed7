// Drives scripts/harness/simavr_uart (libsimavr) as a child process: an AVR
// firmware whose USART0 is this object's byte stream. The harness keeps its
// stdin/stdout for the UART's bytes only and reports on stderr; its exit code
// says how the run ended (see the harness's header comment).

import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { buildSimavrHarness, type ToolchainOptions } from "./firmware-build.js";
import { BoardEmulationError, ByteQueue, type BoardFailureKind, type ByteTransport } from "./transport.js";

export interface SimavrOptions extends ToolchainOptions {
  /** MCU name as simavr knows it (default atmega328p). */
  mcu?: string;
  /** Clock in Hz (default 16 MHz). */
  frequencyHz?: number;
  /** The run fails with "cycle-limit" after this many simulated cycles. */
  timeoutCycles?: bigint;
  /** The run fails with "timeout" after this much wall-clock time. */
  wallTimeoutMs?: number;
  /** EEPROM contents are loaded from this file (if present) and saved to it at exit. */
  eepromFile?: string;
  /**
   * Power-cut testing (ATmega328P): the power fails on the `at`-th EEPROM byte
   * written, that byte left old (or `leaves`); the EEPROM file keeps the
   * writes before it and the harness exits with code 7. `at` 0: no cut, and
   * "eeprom-writes N" is logged at exit (docs/security.md, Power-safe updates).
   */
  eepromCut?: { at: number; leaves?: number };
  /** Every stderr line of the harness (diagnostics, simavr's log). */
  onLog?: (line: string) => void;
  /** A prebuilt harness binary instead of building scripts/harness/simavr_uart.c. */
  harnessPath?: string;
  /**
   * Bridge USART0 to a new pseudo-terminal (its path is `ptyPath`) instead of
   * this object's byte stream: a serial port as a flashed board offers one.
   */
  pty?: boolean;
}

/** How the harness process ended. */
export interface SimavrExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The harness's last "simavr_uart: ..." line, if any. */
  reason: string | undefined;
  /** Simulated cycles at exit. */
  cycles: bigint | undefined;
}

const EXIT_KINDS: Record<number, BoardFailureKind> = {
  1: "exited",
  2: "load-failed",
  3: "crashed",
  4: "halted",
  5: "cycle-limit",
  6: "timeout",
};

const START_TIMEOUT_MS = 10_000;
const CLOSE_GRACE_MS = 2_000;

type HarnessChild = ChildProcessByStdio<Writable, Readable, Readable>;

export class SimavrProcess implements ByteTransport {
  private readonly received = new ByteQueue();
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  private readonly cycleWaiters: ((cycles: bigint) => void)[] = [];
  private stderrTail = "";
  private reason: string | undefined;
  private lastCycles: bigint | undefined;
  private closing = false;
  /** With the pty option: the pseudo-terminal (e.g. /dev/pts/3) a serial client opens. */
  ptyPath: string | undefined;
  /** Resolves when the harness process has ended. */
  readonly exited: Promise<SimavrExit>;

  private constructor(private readonly child: HarnessChild, private readonly onLog: ((line: string) => void) | undefined) {
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        const exit: SimavrExit = { code, signal, reason: this.reason, cycles: this.lastCycles };
        this.received.fail(this.failureFor(exit));
        for (const w of this.cycleWaiters.splice(0)) w(this.lastCycles ?? -1n);
        resolve(exit);
      });
    });
    child.stdout.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk);
      this.received.push(bytes);
      for (const l of this.listeners) l(bytes);
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => this.onStderr(text));
    // Writing after the harness died raises EPIPE here; the exit is reported instead.
    child.stdin.on("error", () => {});
  }

  /** Builds the harness if needed, loads the firmware and resolves once it runs. */
  static async start(elf: string, options: SimavrOptions = {}): Promise<SimavrProcess> {
    const harness = options.harnessPath ?? buildSimavrHarness(options);
    const args = ["--cycles"];
    if (options.mcu) args.push("--mcu", options.mcu);
    if (options.frequencyHz) args.push("--freq", String(options.frequencyHz));
    if (options.timeoutCycles !== undefined) args.push("--timeout-cycles", options.timeoutCycles.toString());
    if (options.wallTimeoutMs !== undefined) args.push("--timeout-ms", String(Math.ceil(options.wallTimeoutMs)));
    if (options.eepromFile) args.push("--eeprom", options.eepromFile);
    if (options.eepromCut) args.push("--eeprom-cut", `${options.eepromCut.at}${options.eepromCut.leaves === undefined ? "" : `:${options.eepromCut.leaves}`}`);
    if (options.pty) args.push("--pty");
    args.push(elf);
    const child = spawn(harness, args, { stdio: ["pipe", "pipe", "pipe"] });
    const sim = new SimavrProcess(child, options.onLog);
    await sim.untilReady();
    return sim;
  }

  private untilReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.kill("SIGKILL");
        reject(new BoardEmulationError("timeout", `simavr harness did not start within ${START_TIMEOUT_MS} ms`));
      }, START_TIMEOUT_MS);
      this.readyHook = () => {
        clearTimeout(timer);
        resolve();
      };
      this.child.on("error", (e) => {
        clearTimeout(timer);
        reject(new BoardEmulationError("toolchain-missing", `cannot start the simavr harness: ${e.message}`));
      });
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(this.failureFor(exit));
      });
    });
  }

  private readyHook: (() => void) | undefined;

  private onStderr(text: string): void {
    this.stderrTail += text;
    let nl: number;
    while ((nl = this.stderrTail.indexOf("\n")) >= 0) {
      const line = this.stderrTail.slice(0, nl);
      this.stderrTail = this.stderrTail.slice(nl + 1);
      this.onLog?.(line);
      if (line === "READY") {
        this.readyHook?.();
        this.readyHook = undefined;
      } else if (line.startsWith("cycles ")) {
        this.lastCycles = BigInt(line.slice(7).trim());
        for (const w of this.cycleWaiters.splice(0)) w(this.lastCycles);
      } else if (line.startsWith("PTY ")) {
        this.ptyPath = line.slice(4).trim();
      } else if (line.startsWith("simavr_uart: ")) {
        this.reason = line.slice("simavr_uart: ".length);
      }
    }
  }

  private failureFor(exit: SimavrExit): BoardEmulationError {
    if (this.closing) return new BoardEmulationError("closed", "the simavr transport was closed");
    const kind: BoardFailureKind = exit.code === null ? "exited" : (EXIT_KINDS[exit.code] ?? "exited");
    const what = exit.reason ?? (exit.code === 0 ? "firmware finished" : `harness exited (code ${exit.code}, signal ${exit.signal})`);
    return new BoardEmulationError(exit.code === 0 ? "halted" : kind, `simavr: ${what}`);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.received.failed) throw this.received.failed;
    await new Promise<void>((resolve) => {
      this.child.stdin.write(bytes, () => resolve());
    });
  }

  read(maxWaitMs: number): Promise<Uint8Array> {
    return this.received.read(maxWaitMs);
  }

  readExactly(n: number, timeoutMs: number): Promise<Uint8Array> {
    return this.received.readExactly(n, timeoutMs);
  }

  /** Calls back with every chunk the firmware sends (as well as queuing it for read). Returns an unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The simulated cycle counter now (asks the harness with SIGUSR1). */
  cycles(): Promise<bigint> {
    if (this.received.failed) {
      if (this.lastCycles !== undefined) return Promise.resolve(this.lastCycles);
      return Promise.reject(this.received.failed);
    }
    return new Promise((resolve) => {
      this.cycleWaiters.push(resolve);
      this.child.kill("SIGUSR1");
    });
  }

  /** Stops the firmware (EEPROM saved, see `exited` for the final cycle count); kills the process if it lingers. */
  async close(): Promise<void> {
    this.closing = true;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), CLOSE_GRACE_MS);
    // The harness drains for 10 ms of simulated time after EOF; don't wait for it.
    this.child.kill("SIGTERM");
    await this.exited;
    clearTimeout(timer);
  }
}
