// A device on a serial port (a board's USB serial bridge, or a pseudo-terminal
// whose other side is an emulator) through node-serialport. The port is opened
// locked (no second program can open it meanwhile), 8N1, raw.
//
// A port that goes away (unplugged, or a board whose USB bridge re-enumerates
// when it resets) is reopened at the same path for a while; reads meanwhile
// just wait, so a request lost in between surfaces as the link client's
// timeout, and a port that does not come back fails every reader and writer
// with a "disconnected" error.

import { SerialPort } from "serialport";
import { BoardEmulationError, ByteQueue, type BoardFailureKind, type ByteTransport } from "./transport.js";

export const DEFAULT_BAUD = 115200;

export interface SerialOptions {
  /** How long to keep trying to reopen a port that went away (default 5 s). */
  reopenMs?: number;
  /** Pause between two reopen attempts (default 200 ms). */
  reopenIntervalMs?: number;
}

const DEFAULT_REOPEN_MS = 5_000;
const DEFAULT_REOPEN_INTERVAL_MS = 200;

/** One line for why a port did not open, from node-serialport's error text. */
function openFailure(path: string, error: Error): BoardEmulationError {
  const text = error.message;
  const fail = (kind: BoardFailureKind, message: string) => new BoardEmulationError(kind, message);
  if (/No such file|ENOENT/i.test(text)) return fail("port-missing", `no serial port ${path} (is the board plugged in?)`);
  if (/Cannot lock port|Resource temporarily unavailable|EBUSY|EAGAIN|busy/i.test(text))
    return fail("port-busy", `serial port ${path} is busy: another program has it open`);
  if (/Permission denied|EACCES|EPERM/i.test(text)) return fail("port-denied", `permission denied opening ${path} (on Debian: add yourself to the dialout group)`);
  if (/Inappropriate ioctl|ENOTTY/i.test(text)) return fail("port-failed", `${path} is not a serial port`);
  return fail("port-failed", `cannot open serial port ${path}: ${text.replace(/^Error:?\s*/, "").split("\n")[0]}`);
}

function openPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
    port.open((error) => (error ? reject(openFailure(path, error)) : resolve(port)));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class SerialTransport implements ByteTransport {
  private readonly received = new ByteQueue();
  private port: SerialPort | undefined;
  /** Set while a port that went away is being reopened. */
  private reopening: Promise<void> | undefined;
  private closing = false;

  private constructor(
    readonly path: string,
    readonly baudRate: number,
    private readonly options: Required<SerialOptions>,
  ) {}

  /** Opens the port; rejects with a one-line BoardEmulationError (port-missing, port-busy, port-denied, port-failed). */
  static async open(path: string, baudRate = DEFAULT_BAUD, options: SerialOptions = {}): Promise<SerialTransport> {
    const transport = new SerialTransport(path, baudRate, {
      reopenMs: options.reopenMs ?? DEFAULT_REOPEN_MS,
      reopenIntervalMs: options.reopenIntervalMs ?? DEFAULT_REOPEN_INTERVAL_MS,
    });
    await transport.attach(await openPort(path, baudRate));
    return transport;
  }

  /** Takes over an open port: drops what was waiting in it (a previous session's bytes, a boot loader's), then listens. */
  private async attach(port: SerialPort): Promise<void> {
    await new Promise<void>((resolve) => port.flush(() => resolve()));
    this.port = port;
    port.on("data", (chunk: Buffer) => this.received.push(new Uint8Array(chunk)));
    // An 'error' without a listener would be thrown; the 'close' that follows a lost port is what counts.
    port.on("error", () => {});
    port.on("close", () => {
      if (this.port !== port) return;
      this.port = undefined;
      if (!this.closing) this.reopening = this.reopen();
    });
  }

  private async reopen(): Promise<void> {
    const deadline = Date.now() + this.options.reopenMs;
    let last: BoardEmulationError | undefined;
    while (!this.closing && Date.now() < deadline) {
      await sleep(this.options.reopenIntervalMs);
      if (this.closing) break;
      try {
        const port = await openPort(this.path, this.baudRate);
        if (this.closing) {
          await new Promise<void>((resolve) => port.close(() => resolve()));
          break;
        }
        await this.attach(port);
        this.reopening = undefined;
        return;
      } catch (e) {
        last = e as BoardEmulationError;
      }
    }
    this.reopening = undefined;
    if (this.closing) return;
    const why = last && last.kind !== "port-missing" ? ` (${last.message})` : "";
    this.received.fail(
      new BoardEmulationError("disconnected", `serial port ${this.path} went away and did not come back within ${this.options.reopenMs / 1000} s${why}`),
    );
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.reopening) await this.reopening;
    if (this.received.failed) throw this.received.failed;
    const port = this.port;
    if (!port) throw new BoardEmulationError("closed", `serial port ${this.path} is closed`);
    // A port lost mid-write may never call back: its 'close' ends the wait, and
    // reopens it or fails the reader, so the link client times out or fails.
    await new Promise<void>((resolve, reject) => {
      const lost = (): void => resolve();
      port.once("close", lost);
      port.write(Buffer.from(bytes), (error) => {
        port.off("close", lost);
        if (error && this.port === port) reject(new BoardEmulationError("port-failed", `writing to ${this.path}: ${error.message}`));
        else resolve();
      });
    });
  }

  read(maxWaitMs: number): Promise<Uint8Array> {
    return this.received.read(maxWaitMs);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const port = this.port;
    this.port = undefined;
    this.received.fail(new BoardEmulationError("closed", `serial port ${this.path} was closed`));
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    await this.reopening;
  }
}
