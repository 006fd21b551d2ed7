// A device reached over TCP: a Linux board (a Raspberry Pi running the host
// firmware with `--listen HOST:PORT`, vm-c/port/host/main.c), or anything
// that bridges a link to a socket. The byte stream is the same as on a
// serial port; a connection that closes fails every reader and writer.

import { connect, type Socket } from "node:net";
import { BoardEmulationError, ByteQueue, type ByteTransport } from "./transport.js";

export interface TcpSpec {
  host: string;
  port: number;
}

/** `<host>:<port>` (the part after `tcp:`; an IPv6 host in brackets); undefined when malformed. */
export function parseTcpSpec(text: string): TcpSpec | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]\s]+)):([0-9]{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

const CONNECT_TIMEOUT_MS = 5_000;

export class TcpTransport implements ByteTransport {
  private readonly received = new ByteQueue();
  private closing = false;

  private constructor(
    private readonly socket: Socket,
    readonly where: string,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.received.push(new Uint8Array(chunk)));
    socket.on("error", () => {}); // the 'close' that follows is what counts
    socket.on("close", () => {
      this.received.fail(
        this.closing
          ? new BoardEmulationError("closed", `connection to ${where} was closed`)
          : new BoardEmulationError("disconnected", `the device at ${where} closed the connection`),
      );
    });
  }

  /** Connects; rejects with a one-line BoardEmulationError (port-missing when nothing listens, port-failed otherwise). */
  static open(host: string, port: number, timeoutMs = CONNECT_TIMEOUT_MS): Promise<TcpTransport> {
    const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new BoardEmulationError("timeout", `no answer from ${where} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      socket.once("error", (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why =
          e.code === "ECONNREFUSED"
            ? new BoardEmulationError("port-missing", `nothing listens on ${where} (is the AlkyVM device running with --listen?)`)
            : new BoardEmulationError("port-failed", `cannot connect to ${where}: ${e.code ?? e.message}`);
        reject(why);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new TcpTransport(socket, where));
      });
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.received.failed) throw this.received.failed;
    await new Promise<void>((resolve, reject) =>
      this.socket.write(bytes, (error) => (error ? reject(new BoardEmulationError("disconnected", `writing to ${this.where}: ${error.message}`)) : resolve())),
    );
  }

  read(maxWaitMs: number): Promise<Uint8Array> {
    return this.received.read(maxWaitMs);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1_000).unref();
    });
  }
}
