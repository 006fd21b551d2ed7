// Devices for the node's tests: a small app for the test profile, a devices
// file with key files in a temporary directory, and a TCP device server (the
// host C VM behind a socket) that a test can take offline and bring back.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildHostDevice } from "../../compiler/engines/firmware-build.js";
import type { App } from "../../compiler/run/backends.js";
import { compileApp } from "../helpers/backends.js";

export const RECORDER_APP_PATH = join(import.meta.dirname, "fixtures", "recorder.alkyl");

export function recorderApp(): App {
  return compileApp(readFileSync(RECORDER_APP_PATH, "utf8"), "test");
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `alkyvm-${prefix}-`));
}

export interface DeviceSpec {
  name: string;
  transport: string;
  profile?: string;
  groups?: string[];
  /** "plain": a real board flashed without a key (docs/aryl.md §6). */
  link?: "sealed" | "plain";
}

/** Writes devices.json (and a key file per device) into dir; returns its path. */
export function writeDevicesFile(dir: string, devices: DeviceSpec[]): string {
  mkdirSync(join(dir, "keys"), { recursive: true });
  const entries = devices.map((d, i) => {
    writeFileSync(join(dir, "keys", `${d.name}.key`), (i + 1).toString(16).padStart(2, "0").repeat(32) + "\n");
    return { name: d.name, transport: d.transport, profile: d.profile ?? "test", key: `file:keys/${d.name}.key`, ...(d.groups ? { groups: d.groups } : {}), ...(d.link ? { link: d.link } : {}) };
  });
  const path = join(dir, "devices.json");
  writeFileSync(path, JSON.stringify({ devices: entries }, null, 2));
  return path;
}

/**
 * The host C VM served on 127.0.0.1: each connection gets a device process
 * over the same store file, so the device keeps its app across connections,
 * as a board keeps it across a network outage.
 */
export class DeviceServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly children = new Set<ChildProcess>();
  port = 0;

  constructor(private readonly storeFile: string) {}

  async listen(): Promise<void> {
    const server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  private serve(socket: Socket): void {
    const child = spawn(buildHostDevice(), ["--store", this.storeFile], { stdio: ["pipe", "pipe", "ignore"] });
    this.sockets.add(socket);
    this.children.add(child);
    socket.pipe(child.stdin!);
    child.stdout!.pipe(socket);
    child.stdin!.on("error", () => {});
    socket.on("error", () => {});
    socket.on("close", () => {
      this.sockets.delete(socket);
      child.stdin!.end();
    });
    child.on("exit", () => {
      this.children.delete(child);
      socket.destroy();
    });
  }

  /** Takes the device offline: stops listening and drops every connection. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    const exits = [...this.children].map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : c.once("exit", () => resolve()))));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(exits);
  }
}
