// Drives one long-lived `mspdebug --embedded sim` process running an MSP430
// firmware, and turns the firmware's RAM mailbox (vm-c/port/msp430/mailbox.h)
// into a byte stream.
//
// Embedded mode makes mspdebug's console machine-readable: every output line
// starts with ':' (output), '-' (debug) or '!' (error), "\busy" marks the start
// and "\ready" the end of a command. "\break" on stdin interrupts a running
// `run`.
//
// Lost commands. In embedded mode a reader thread reads stdin and hands each
// line to the main thread only if the main thread is waiting for one at that
// moment; any other line is silently dropped (ui/input_async.c,
// handle_command, in the Debian mspdebug 0.22 installed here; later upstream
// versions queue the line instead). The main thread prints "\ready" *before*
// it starts waiting (ui/reader.c: printc_shell("ready") then read_command),
// so a line written as soon as "\ready" arrives can fall into that window and
// vanish: no "\busy", no answer. Per command it is rare (about 1 in 100-1000
// under CPU load, when the main thread is preempted right after that write),
// but a mailbox transfer issues thousands of commands. So before writing a
// line this driver checks in /proc that mspdebug's main thread is asleep:
// after "\ready" the only place it sleeps is that wait for a line (see
// untilListening). A line is never resent, so no command can run twice.
//
// Round trips. Each mailbox stop is one console command: `read <script>`,
// where the script (a temporary file) writes the host's answer into the
// mailbox, runs the firmware to its next stop and dumps the mailbox.
//
// The firmware stops itself on breakpoints at alky_mailbox_wait (wants input)
// and alky_mailbox_flush (output buffer full); at each stop this driver drains
// the output buffer and, at a wait, refills the input buffer. A firmware
// waiting for input with none pending stays halted: no CPU is burnt.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { findTool, type ToolchainOptions } from "./firmware-build.js";
import { BoardEmulationError, ByteQueue, type ByteTransport } from "./transport.js";

export interface MspdebugOptions extends ToolchainOptions {
  /** Longest a firmware may run without reaching the mailbox (default 10 s). */
  runTimeoutMs?: number;
  /** Every line mspdebug prints, prefix included. */
  onLog?: (line: string) => void;
  /** Add mspdebug's Watchdog Timer+ model (`simio add wdt`; ACLK is MCLK / 256 there): its reset restarts the firmware. */
  watchdog?: boolean;
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
/** Without /proc (not Linux) the driver cannot see mspdebug wait for a line: it pauses this long instead. */
const FALLBACK_SETTLE_MS = 5;
/** `= MARKER` separates the run's output from the mailbox dump in a stop script. */
const MARKER = 0xa1c7;
const MARKER_LINE = new RegExp(`^:0x0*${MARKER.toString(16)} = `, "i");
/** mspdebug reads lines of at most 1024 characters: memory writes go in slices of this many bytes. */
const WRITE_SLICE = 128;

type MspdebugChild = ChildProcessByStdio<Writable, Readable, Readable>;

interface PendingCommand {
  lines: string[];
  resolve: (lines: string[]) => void;
}

interface Mailbox {
  rxCap: number;
  txCap: number;
  flags: number;
  /** The tx_buf bytes the firmware queued (tx_len of them). */
  output: Uint8Array;
}

interface Stop {
  pc: number | undefined;
  error: string | undefined;
  interrupted: boolean;
  /** The mailbox as dumped right after the stop (missing if the script failed before the dump). */
  dump: Uint8Array | undefined;
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
  /** Bytes dumped at each stop: the header until the firmware has filled in rx_cap and tx_cap. */
  private mailboxSize: number = MAILBOX.headerSize;
  private running = false;
  private closing = false;
  private dead = false;
  private readonly runTimeoutMs: number;
  private readonly exited: Promise<void>;
  private readonly scratch: string;
  private readonly script: string;

  private constructor(private readonly child: MspdebugChild, private readonly options: MspdebugOptions) {
    this.runTimeoutMs = options.runTimeoutMs ?? 10_000;
    this.scratch = makeScratch();
    this.script = join(this.scratch, "stop.cmd");
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => this.onOutput(text));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      for (const line of text.split("\n").filter(Boolean)) this.onLine(line.startsWith("!") ? line : `!${line}`);
    });
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.dead = true;
        this.fail(
          this.closing
            ? new BoardEmulationError("closed", "the mspdebug transport was closed")
            : new BoardEmulationError("exited", `mspdebug exited (code ${code}, signal ${signal})`),
        );
        this.current?.resolve(this.current.lines);
        this.current = undefined;
        removeScratch(this.scratch);
        resolve();
      };
      child.on("close", exited);
      child.on("error", (e) => this.fail(new BoardEmulationError("exited", `mspdebug failed: ${e.message}`)));
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
    if (this.options.watchdog) await this.command("simio add wdt w");
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

  /**
   * Resolves once mspdebug's main thread waits for a command line, so that the
   * line written next is taken rather than dropped (see the top of this file).
   * Called only after the previous command's "\ready" has arrived: the main
   * thread has finished that write, so from then on it runs (state R) until it
   * sleeps (state S) in that wait (strace: write("\\ready\n") then
   * FUTEX_WAIT). Nothing else can put it to sleep there: the reader thread
   * holds no lock while it waits for stdin.
   */
  private async untilListening(deadline: number): Promise<void> {
    const pid = this.child.pid;
    for (let spins = 0; !this.dead && pid !== undefined; spins++) {
      const state = mainThreadState(pid);
      if (state === undefined) {
        await sleep(FALLBACK_SETTLE_MS);
        return;
      }
      if (state !== "R" && state !== "D") return; // S: waiting; Z, X, T: a write cannot help or hurt
      if (Date.now() > deadline) return; // the caller's timeout reports it
      // Usually the first look suffices; a preempted thread (busy machine) gets the CPU back within a few ms.
      await (spins < 8 ? new Promise<void>((resolve) => setImmediate(resolve)) : sleep(1));
    }
  }

  /** Writes one console line once mspdebug takes it; resolves with the output up to "\ready". */
  private async send(text: string, timeoutMs: number): Promise<string[]> {
    await this.untilListening(Date.now() + timeoutMs);
    if (this.dead) return [];
    const result = new Promise<string[]>((resolve) => {
      this.current = { lines: [], resolve };
    });
    this.child.stdin.write(`${text}\n`);
    return result;
  }

  /** Runs fn once every earlier command has been answered. */
  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Sends one command and resolves with its output lines. */
  private command(text: string, timeoutMs = COMMAND_TIMEOUT_MS): Promise<string[]> {
    return this.serialised(async () => {
      // After a firmware failure the console still answers (memory, cycles).
      if (this.dead || this.closing) throw this.received.failed ?? new BoardEmulationError("closed", "the mspdebug transport was closed");
      try {
        return await this.withTimeout(this.send(text, timeoutMs), timeoutMs, `mspdebug did not answer "${text}"`);
      } catch (e) {
        // The console is out of step (a late answer would be taken for the next command's): give up on it.
        if (e instanceof BoardEmulationError) this.fail(e);
        this.current = undefined;
        this.child.kill("SIGKILL");
        throw e;
      }
    });
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

  /**
   * One console command per stop: writes `answer` at the mailbox's tx_len,
   * runs until the firmware stops (interrupting it after runTimeoutMs) and
   * dumps the mailbox.
   */
  private runToStop(answer: Uint8Array | undefined): Promise<Stop> {
    return this.serialised(async () => {
      if (this.received.failed) throw this.received.failed;
      if (this.closing) throw new BoardEmulationError("closed", "the mspdebug transport was closed");
      const lines = answer ? writeCommands(this.mailboxAddress + MAILBOX.offsetTxLen, answer) : [];
      lines.push("run", `= 0x${MARKER.toString(16)}`, `md 0x${this.mailboxAddress.toString(16)} ${this.mailboxSize}`);
      writeFileSync(this.script, `${lines.join("\n")}\n`);
      await this.untilListening(Date.now() + COMMAND_TIMEOUT_MS);
      if (this.dead) throw this.received.failed ?? new BoardEmulationError("exited", "mspdebug exited");
      this.running = true;
      const output = new Promise<string[]>((resolve) => {
        this.current = { lines: [], resolve };
      });
      this.child.stdin.write(`read ${quote(this.script)}\n`);
      let interrupted = false;
      const timer = setTimeout(() => {
        interrupted = true;
        this.child.stdin.write("\\break\n");
        setTimeout(() => {
          if (this.running) this.child.kill("SIGKILL");
        }, BREAK_GRACE_MS).unref();
      }, this.runTimeoutMs);
      try {
        const out = await output;
        const marker = out.findIndex((l) => MARKER_LINE.test(l));
        const ran = marker < 0 ? out : out.slice(0, marker);
        const error = ran.find((l) => l.startsWith("!"))?.slice(1);
        const pcLine = ran.map((l) => /\( PC: ([0-9a-f]+)\)/i.exec(l)).find(Boolean);
        const dump = marker < 0 ? undefined : parseDump(out.slice(marker + 1));
        return { pc: pcLine ? parseInt(pcLine[1]!, 16) : undefined, error, interrupted, dump };
      } finally {
        clearTimeout(timer);
        this.running = false;
      }
    });
  }

  private async pump(): Promise<void> {
    let answer: Uint8Array | undefined;
    while (!this.closing) {
      const stop = await this.runToStop(answer);
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
      if (stop.pc === this.symbols.get(SYMBOLS.wait)) answer = await this.serveWait(await this.mailboxAt(stop));
      else if (stop.pc === this.symbols.get(SYMBOLS.flush)) answer = this.drainOutput(await this.mailboxAt(stop));
      else throw new BoardEmulationError("crashed", `msp430 firmware stopped at an unexpected PC 0x${hex(stop.pc)}`);
    }
  }

  private get mailboxAddress(): number {
    return this.symbols.get(SYMBOLS.mailbox)!;
  }

  /** The mailbox from the stop's dump; reads what the dump missed (the first time, rx_buf and tx_buf). */
  private async mailboxAt(stop: Stop): Promise<Mailbox> {
    let bytes = stop.dump;
    if (!bytes || bytes.length !== this.mailboxSize) {
      throw new BoardEmulationError("exited", `mspdebug md returned ${bytes?.length ?? 0} of ${this.mailboxSize} bytes`);
    }
    if ((bytes[0]! | (bytes[1]! << 8)) !== MAILBOX.magic) {
      throw new BoardEmulationError("crashed", "msp430 firmware reached the mailbox without alky_mailbox_init() (bad magic)");
    }
    const rxCap = bytes[MAILBOX.offsetRxCap]!;
    const txCap = bytes[MAILBOX.offsetTxCap]!;
    const size = MAILBOX.headerSize + rxCap + txCap;
    if (bytes.length < size) {
      const rest = await this.readMemory(this.mailboxAddress + bytes.length, size - bytes.length);
      bytes = Uint8Array.from([...bytes, ...rest]);
    }
    this.mailboxSize = size;
    const txStart = MAILBOX.headerSize + rxCap;
    const txLen = Math.min(bytes[MAILBOX.offsetTxLen]!, txCap);
    return { rxCap, txCap, flags: bytes[MAILBOX.offsetFlags]!, output: bytes.slice(txStart, txStart + txLen) };
  }

  /** Takes tx_buf; the answer resets tx_len. */
  private drainOutput(mailbox: Mailbox): Uint8Array {
    this.received.push(mailbox.output);
    return Uint8Array.of(0);
  }

  /** Takes tx_buf and waits for input if the firmware must have some; the answer resets tx_len and refills rx_buf. */
  private async serveWait(mailbox: Mailbox): Promise<Uint8Array | undefined> {
    this.received.push(mailbox.output);
    if (this.input.length === 0 && mailbox.flags & MAILBOX.flagBlocking) {
      await new Promise<void>((resolve) => {
        this.inputArrived = resolve;
      });
      this.inputArrived = undefined;
      if (this.closing) return undefined;
    }
    const chunk = this.input.splice(0, mailbox.rxCap);
    // tx_len = 0, rx_pos = 0, rx_len = n, rx_buf = the bytes: one write.
    return Uint8Array.from([0, 0, chunk.length, ...chunk]);
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
    const bytes = parseDump(out);
    if (bytes.length !== length) throw new BoardEmulationError("exited", `mspdebug md returned ${bytes.length} of ${length} bytes`);
    return bytes;
  }

  /** Writes simulator memory (at the firmware's next stop if it is running). */
  async writeMemory(address: number, bytes: Uint8Array): Promise<void> {
    for (const line of writeCommands(address, bytes)) {
      const out = await this.command(line);
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

/** Scratch directories (stop scripts) still in use; removed at exit even if a transport was never closed. */
const scratchDirs = new Set<string>();
let cleanupAtExit = false;

function makeScratch(): string {
  if (!cleanupAtExit) process.once("exit", () => [...scratchDirs].forEach(removeScratch));
  cleanupAtExit = true;
  const dir = mkdtempSync(join(tmpdir(), "alky-mspdebug-"));
  scratchDirs.add(dir);
  return dir;
}

function removeScratch(dir: string): void {
  scratchDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** `mw` commands that write bytes at address, short enough for mspdebug's 1024-character lines. */
function writeCommands(address: number, bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += WRITE_SLICE) {
    const slice = [...bytes.subarray(i, i + WRITE_SLICE)].map((b) => `0x${b.toString(16)}`).join(" ");
    lines.push(`mw 0x${(address + i).toString(16)} ${slice}`);
  }
  return lines;
}

/** The bytes of `md` output lines (":    00200: c7 a1 20 ... |..|"). */
function parseDump(lines: string[]): Uint8Array {
  const bytes: number[] = [];
  for (const line of lines) {
    const m = /^:\s+[0-9a-f]+:((?: [0-9a-f]{2})+)/i.exec(line);
    if (m) for (const h of m[1]!.trim().split(" ")) bytes.push(parseInt(h, 16));
  }
  return Uint8Array.from(bytes);
}

/** The scheduler state (R, S, D, ...) of mspdebug's main thread, or undefined without Linux's /proc. */
function mainThreadState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "latin1");
    const end = stat.lastIndexOf(")");
    // A wrapper script that did not exec mspdebug would always look asleep.
    if (!stat.slice(stat.indexOf("(") + 1, end).startsWith("mspdebug")) return undefined;
    return stat.charAt(end + 2);
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function quote(path: string): string {
  return /\s/.test(path) ? `"${path.replace(/"/g, '\\"')}"` : path;
}

function hex(value: number | undefined): string {
  return value === undefined ? "?" : value.toString(16).padStart(4, "0");
}
