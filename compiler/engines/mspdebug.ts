// Drives one long-lived `mspdebug --embedded sim` process running an MSP430
// firmware, and turns the firmware's RAM mailbox (vm-c/port/msp430/mailbox.h)
// into a byte stream.
//
// Embedded mode makes mspdebug's console machine-readable: every output line
// starts with ':' (output), '-' (debug) or '!' (error), and "\ready" marks the
// end of a command's output. A command line is only taken while mspdebug
// waits for one (lines sent earlier are dropped), so commands go one at a
// time. "\break" on stdin interrupts a running `run`.
//
// The firmware stops itself on breakpoints at alky_mailbox_wait (wants input)
// and alky_mailbox_flush (output buffer full); at each stop this driver drains
// the output buffer and, at a wait, refills the input buffer. A firmware
// waiting for input with none pending stays halted: no CPU is burnt.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { findTool, type ToolchainOptions } from "./firmware-build.js";
import { BoardEmulationError, ByteQueue, type ByteTransport } from "./transport.js";

export interface MspdebugOptions extends ToolchainOptions {
  /** Longest a firmware may run without reaching the mailbox (default 10 s). */
  runTimeoutMs?: number;
  /** Every line mspdebug prints, prefix included. */
  onLog?: (line: string) => void;
}

export interface Msp430Cycles {
  instructions: bigint;
  /** MCLK cycles (the CPU clock) counted by mspdebug's tracer. */
  mclk: bigint;
}

/** Mailbox layout; mirrors vm-c/port/msp430/mailbox.h. */
const MAILBOX = {
  magic: 0xa1c7,
  headerSize: 8,
  offsetRxCap: 2,
  offsetTxCap: 3,
  offsetFlags: 4,
  offsetTxLen: 5,
  flagBlocking: 0x01,
} as const;

const SYMBOLS = {
  mailbox: "alky_mailbox",
  wait: "alky_mailbox_wait",
  flush: "alky_mailbox_flush",
  done: "done",
  unexpected: "alky_unexpected_interrupt",
} as const;

const COMMAND_TIMEOUT_MS = 5_000;
const BREAK_GRACE_MS = 2_000;

type MspdebugChild = ChildProcessByStdio<Writable, Readable, Readable>;

interface PendingCommand {
  lines: string[];
  resolve: (lines: string[]) => void;
}

export class MspdebugProcess implements ByteTransport {
  private readonly received = new ByteQueue();
  private readonly input: number[] = [];
  private inputArrived: (() => void) | undefined;
  private stdoutTail = "";
  private current: PendingCommand | undefined;
  /** Serialises commands: each one waits for the previous "\ready". */
  private lock: Promise<unknown> = Promise.resolve();
  private symbols = new Map<string, number>();
  private running = false;
  private closing = false;
  private dead = false;
  private readonly runTimeoutMs: number;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: MspdebugChild, private readonly options: MspdebugOptions) {
    this.runTimeoutMs = options.runTimeoutMs ?? 10_000;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => this.onOutput(text));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      for (const line of text.split("\n").filter(Boolean)) this.onLine(line.startsWith("!") ? line : `!${line}`);
    });
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        this.dead = true;
        this.fail(
          this.closing
            ? new BoardEmulationError("closed", "the mspdebug transport was closed")
            : new BoardEmulationError("exited", `mspdebug exited (code ${code}, signal ${signal})`),
        );
        this.current?.resolve(this.current.lines);
        this.current = undefined;
        resolve();
      });
    });
  }

  /** Starts mspdebug's simulator, loads the firmware and runs it to its first mailbox stop. */
  static async start(elf: string, options: MspdebugOptions = {}): Promise<MspdebugProcess> {
    const tool = findTool("mspdebug", options);
    if (!tool) throw new BoardEmulationError("toolchain-missing", "mspdebug (Debian mspdebug) is not installed: run scripts/setup.sh");
    const child = spawn(tool, ["--embedded", "-q", "-n", "sim"], { stdio: ["pipe", "pipe", "pipe"] });
    const sim = new MspdebugProcess(child, options);
    try {
      await sim.startup(elf);
    } catch (e) {
      await sim.close();
      throw e;
    }
    return sim;
  }

  private async startup(elf: string): Promise<void> {
    await this.waitForPrompt();
    await this.command("simio add tracer t");
    const prog = await this.command(`prog ${quote(elf)}`);
    const progError = prog.find((l) => l.startsWith("!"));
    if (progError) throw new BoardEmulationError("load-failed", `mspdebug cannot load ${elf}: ${progError.slice(1)}`);
    for (const name of Object.values(SYMBOLS)) {
      const out = await this.command(`= ${name}`);
      const m = out.map((l) => /^:0x([0-9a-f]+) = /i.exec(l)).find(Boolean);
      if (m) this.symbols.set(name, parseInt(m[1]!, 16));
    }
    for (const name of [SYMBOLS.mailbox, SYMBOLS.wait, SYMBOLS.flush]) {
      if (!this.symbols.has(name)) {
        throw new BoardEmulationError("load-failed", `${elf} has no ${name}: link vm-c/port/msp430/mailbox.c and call alky_mailbox_init()`);
      }
    }
    for (const name of [SYMBOLS.wait, SYMBOLS.flush, SYMBOLS.done, SYMBOLS.unexpected]) {
      if (this.symbols.has(name)) await this.command(`setbreak ${name}`);
    }
    void this.pump().catch((e: unknown) => {
      this.fail(e instanceof BoardEmulationError ? e : new BoardEmulationError("exited", String(e)));
    });
  }

  // ---- the mspdebug console ----

  private onOutput(text: string): void {
    this.stdoutTail += text;
    let nl: number;
    while ((nl = this.stdoutTail.indexOf("\n")) >= 0) {
      const line = this.stdoutTail.slice(0, nl);
      this.stdoutTail = this.stdoutTail.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    this.options.onLog?.(line);
    if (line === "\\ready") {
      const done = this.current;
      this.current = undefined;
      done?.resolve(done.lines);
    } else if (line !== "\\busy") {
      this.current?.lines.push(line);
    }
  }

  private waitForPrompt(): Promise<string[]> {
    return this.withTimeout(
      new Promise<string[]>((resolve) => {
        this.current = { lines: [], resolve };
      }),
      COMMAND_TIMEOUT_MS,
      "mspdebug did not start",
    );
  }

  /** Sends one command and resolves with its output lines. */
  private command(text: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string[]> {
    const run = this.lock.then(async () => {
      // After a firmware failure the console still answers (memory, cycles).
      if (this.dead || this.closing) throw this.received.failed ?? new BoardEmulationError("closed", "the mspdebug transport was closed");
      const result = new Promise<string[]>((resolve) => {
        this.current = { lines: [], resolve };
      });
      this.child.stdin.write(`${text}\n`);
      return this.withTimeout(result, timeoutMs, `mspdebug did not answer "${text}"`);
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BoardEmulationError("timeout", `${message} within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- running the firmware ----

  /** Runs until the firmware stops; interrupts it after runTimeoutMs. */
  private async runToStop(): Promise<{ pc: number | undefined; error: string | undefined; interrupted: boolean }> {
    const output = this.lock.then(() => {
      if (this.received.failed) throw this.received.failed;
      if (this.closing) throw new BoardEmulationError("closed", "the mspdebug transport was closed");
      this.running = true;
      const done = new Promise<string[]>((resolve) => {
        this.current = { lines: [], resolve };
      });
      this.child.stdin.write("run\n");
      return done;
    });
    this.lock = output.catch(() => undefined);
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      this.child.stdin.write("\\break\n");
      setTimeout(() => {
        if (this.running) this.child.kill("SIGKILL");
      }, BREAK_GRACE_MS).unref();
    }, this.runTimeoutMs);
    try {
      const lines = await output;
      const error = lines.find((l) => l.startsWith("!"))?.slice(1);
      const pcLine = lines.map((l) => /\( PC: ([0-9a-f]+)\)/i.exec(l)).find(Boolean);
      return { pc: pcLine ? parseInt(pcLine[1]!, 16) : undefined, error, interrupted };
    } finally {
      clearTimeout(timer);
      this.running = false;
    }
  }

  private async pump(): Promise<void> {
    while (!this.closing) {
      const stop = await this.runToStop();
      if (this.closing) return;
      if (this.received.failed) throw this.received.failed;
      if (stop.error) throw new BoardEmulationError("crashed", `msp430 firmware crashed: ${stop.error}`);
      if (stop.interrupted) {
        throw new BoardEmulationError(
          "timeout",
          `msp430 firmware ran ${this.runTimeoutMs} ms without reaching the mailbox (stopped at PC 0x${hex(stop.pc)})`,
        );
      }
      if (stop.pc === this.symbols.get(SYMBOLS.done)) throw new BoardEmulationError("halted", "msp430 firmware returned from main");
      if (stop.pc === this.symbols.get(SYMBOLS.unexpected)) {
        throw new BoardEmulationError("crashed", "msp430 firmware took an interrupt that has no handler");
      }
      if (stop.pc === this.symbols.get(SYMBOLS.wait)) await this.serveWait();
      else if (stop.pc === this.symbols.get(SYMBOLS.flush)) await this.drainOutput();
      else throw new BoardEmulationError("crashed", `msp430 firmware stopped at an unexpected PC 0x${hex(stop.pc)}`);
    }
  }

  private get mailboxAddress(): number {
    return this.symbols.get(SYMBOLS.mailbox)!;
  }

  private async readHeader(): Promise<{ rxCap: number; txCap: number; flags: number; txLen: number }> {
    const h = await this.readMemory(this.mailboxAddress, MAILBOX.headerSize);
    if ((h[0]! | (h[1]! << 8)) !== MAILBOX.magic) {
      throw new BoardEmulationError("crashed", "msp430 firmware reached the mailbox without alky_mailbox_init() (bad magic)");
    }
    return { rxCap: h[MAILBOX.offsetRxCap]!, txCap: h[MAILBOX.offsetTxCap]!, flags: h[MAILBOX.offsetFlags]!, txLen: h[MAILBOX.offsetTxLen]! };
  }

  /** Moves tx_buf to the receive queue; the caller resets tx_len. */
  private async takeOutput(header: { rxCap: number; txCap: number; txLen: number }): Promise<void> {
    const length = Math.min(header.txLen, header.txCap);
    if (length === 0) return;
    const bytes = await this.readMemory(this.mailboxAddress + MAILBOX.headerSize + header.rxCap, length);
    this.received.push(bytes);
  }

  private async drainOutput(): Promise<void> {
    const header = await this.readHeader();
    await this.takeOutput(header);
    await this.writeMemory(this.mailboxAddress + MAILBOX.offsetTxLen, Uint8Array.of(0));
  }

  private async serveWait(): Promise<void> {
    const header = await this.readHeader();
    await this.takeOutput(header);
    if (this.input.length === 0 && header.flags & MAILBOX.flagBlocking) {
      await this.writeMemory(this.mailboxAddress + MAILBOX.offsetTxLen, Uint8Array.of(0));
      await new Promise<void>((resolve) => {
        this.inputArrived = resolve;
      });
      this.inputArrived = undefined;
      if (this.closing) return;
    }
    const chunk = this.input.splice(0, header.rxCap);
    // tx_len = 0, rx_pos = 0, rx_len = n, rx_buf = the bytes: one write.
    await this.writeMemory(this.mailboxAddress + MAILBOX.offsetTxLen, Uint8Array.from([0, 0, chunk.length, ...chunk]));
  }

  private fail(error: BoardEmulationError): void {
    this.received.fail(error);
    this.inputArrived?.();
  }

  // ---- public API ----

  async write(bytes: Uint8Array): Promise<void> {
    if (this.received.failed) throw this.received.failed;
    for (const b of bytes) this.input.push(b);
    this.inputArrived?.();
  }

  read(maxWaitMs: number): Promise<Uint8Array> {
    return this.received.read(maxWaitMs);
  }

  readExactly(n: number, timeoutMs: number): Promise<Uint8Array> {
    return this.received.readExactly(n, timeoutMs);
  }

  /** Instructions and MCLK cycles executed since the start (at the firmware's next stop if it is running). */
  async cycles(): Promise<Msp430Cycles> {
    const out = await this.command("simio info t");
    const count = (label: string): bigint => {
      const m = out.map((l) => new RegExp(`^:${label}:?\\s+(\\d+)`).exec(l)).find(Boolean);
      if (!m) throw new BoardEmulationError("exited", `mspdebug's tracer did not report ${label}`);
      return BigInt(m[1]!);
    };
    return { instructions: count("Instruction count"), mclk: count("MCLK") };
  }

  /** Reads simulator memory (at the firmware's next stop if it is running). */
  async readMemory(address: number, length: number): Promise<Uint8Array> {
    const out = await this.command(`md 0x${address.toString(16)} ${length}`);
    const error = out.find((l) => l.startsWith("!"));
    if (error) throw new BoardEmulationError("crashed", `mspdebug md failed: ${error.slice(1)}`);
    const bytes: number[] = [];
    for (const line of out) {
      const m = /^:\s+[0-9a-f]+:((?: [0-9a-f]{2})+)/i.exec(line);
      if (m) for (const h of m[1]!.trim().split(" ")) bytes.push(parseInt(h, 16));
    }
    if (bytes.length !== length) throw new BoardEmulationError("exited", `mspdebug md returned ${bytes.length} of ${length} bytes`);
    return Uint8Array.from(bytes);
  }

  /** Writes simulator memory (at the firmware's next stop if it is running). */
  async writeMemory(address: number, bytes: Uint8Array): Promise<void> {
    // mspdebug reads at most 1024 characters per line: write in slices.
    for (let i = 0; i < bytes.length; i += 128) {
      const slice = [...bytes.subarray(i, i + 128)].map((b) => `0x${b.toString(16)}`).join(" ");
      const out = await this.command(`mw 0x${(address + i).toString(16)} ${slice}`);
      const error = out.find((l) => l.startsWith("!"));
      if (error) throw new BoardEmulationError("crashed", `mspdebug mw failed: ${error.slice(1)}`);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    this.inputArrived?.();
    if (this.running) this.child.stdin.write("\\break\n");
    this.child.stdin.end();
    const kill = setTimeout(() => this.child.kill("SIGKILL"), BREAK_GRACE_MS);
    await this.exited;
    clearTimeout(kill);
  }
}

function quote(path: string): string {
  return /\s/.test(path) ? `"${path.replace(/"/g, '\\"')}"` : path;
}

function hex(value: number | undefined): string {
  return value === undefined ? "?" : value.toString(16).padStart(4, "0");
}
