// A device that is a host process (the C VM built for Linux, vm-c/port/host):
// its stdin and stdout carry the link's bytes; its stderr is diagnostics.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { BoardEmulationError, ByteQueue, type ByteTransport } from "./transport.js";

const CLOSE_GRACE_MS = 2_000;

export class PipeProcess implements ByteTransport {
  private readonly received = new ByteQueue();
  private stderrText = "";
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, Readable>) {
    child.stdout.on("data", (chunk: Buffer) => this.received.push(new Uint8Array(chunk)));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.stderrText = (this.stderrText + text).slice(-2000);
    });
    child.stdin.on("error", () => {}); // EPIPE after the device died: its exit is reported instead
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        const why = this.stderrText.trim().split("\n").pop();
        this.received.fail(
          this.closing
            ? new BoardEmulationError("closed", "the device process was closed")
            : new BoardEmulationError(signal ? "crashed" : "exited", `device process ended (${signal ?? `exit code ${code}`})${why ? `: ${why}` : ""}`),
        );
        resolve();
      });
    });
  }

  /** Starts `program args...` as a device. */
  static start(program: string, args: readonly string[] = []): PipeProcess {
    const child = spawn(program, [...args], { stdio: ["pipe", "pipe", "pipe"] });
    const device = new PipeProcess(child);
    child.on("error", (e) => device.received.fail(new BoardEmulationError("load-failed", `cannot start ${program}: ${e.message}`)));
    return device;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.received.failed) throw this.received.failed;
    this.child.stdin.write(bytes);
  }

  read(maxWaitMs: number): Promise<Uint8Array> {
    return this.received.read(maxWaitMs);
  }

  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.child.stdin.end(); // the device exits on end of input
      const kill = setTimeout(() => this.child.kill("SIGKILL"), CLOSE_GRACE_MS);
      await this.exited;
      clearTimeout(kill);
    }
    await this.exited;
  }
}
