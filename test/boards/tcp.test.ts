// The Raspberry Pi's firmware (the host build of the VM for Linux, rendered
// and built by `alkyvm firmware --board raspberrypi`: for armhf under
// qemu-user when scripts/setup.sh installed the cross compiler, else for this
// host) listening on TCP on 127.0.0.1, driven by
// `alkyvm run --backend tcp:<host>:<port>`: the conformance corpus must give
// the same traces as on every other backend.

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardById } from "../../boards/boards.js";
import { TcpTransport, parseTcpSpec } from "../../compiler/engines/tcp.js";
import { linuxProgramCommand } from "../../compiler/firmware/linux-program.js";
import { buildProject, renderProject } from "../../compiler/firmware/project.js";
import { LinkClient } from "../../compiler/link/client.js";
import { BOARDS } from "../../compiler/link/messages.js";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";
import { expectedTrace, loadCorpus, runArgs, runCase } from "../conformance/corpus.js";

interface ListeningDevice {
  child: ChildProcessByStdio<null, null, Readable>;
  port: number;
}

/** Starts the built program with --listen 127.0.0.1:0 and reads the port it bound from its stderr. */
function listen(program: string, storeFile: string): Promise<ListeningDevice> {
  const run = linuxProgramCommand(program, ["--store", storeFile, "--listen", "127.0.0.1:0"]);
  const child = spawn(run.command, run.args, { stdio: ["ignore", "ignore", "pipe"] });
  started = child; // stopped by afterAll even if it never says it listens
  return new Promise((resolve, reject) => {
    let text = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      text += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on("exit", (code) => reject(new Error(`the device exited (${code}): ${text}`)));
  });
}

const corpus = loadCorpus();
let device: ListeningDevice;
let started: ChildProcessByStdio<null, null, Readable> | undefined;

beforeAll(async () => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), "alkyvm-pi-"));
  const board = boardById("raspberrypi")!;
  const built = buildProject(board, renderProject(board, join(dir, "project")));
  device = await listen(built.elf, join(dir, "store.bin"));
}, 120_000);

afterAll(() => {
  started?.kill("SIGTERM");
});

describe("the Raspberry Pi firmware on TCP 127.0.0.1", () => {
  it("announces itself as a raspberrypi and serves one node after another", async () => {
    for (let i = 0; i < 2; i++) {
      const t = await TcpTransport.open("127.0.0.1", device.port);
      try {
        expect((await new LinkClient(t, { timeoutMs: 5_000 }).hello()).board).toBe(BOARDS.find((b) => b.name === "raspberrypi")!.code);
      } finally {
        await t.close();
      }
    }
  });

  it.each(corpus.map((c) => [c.name, c] as const))("conformance through --backend tcp: %s", (_name, c) => {
    const backend = `tcp:127.0.0.1:${device.port}`;
    const r = runCase(c, backend);
    const command = `alkyvm ${runArgs(c, backend).join(" ")}`;
    expect(r.stderr, `${command}: stderr`).toBe("");
    expect(r.stdout, `${command}: trace`).toBe(expectedTrace(c));
    expect(r.status, `${command}: exit status`).toBe(0);
  });
});

describe("tcp backend errors", () => {
  it("nothing listening is one line on stderr and exit 1", () => {
    const r = alkyvm(["run", "examples/smartlock/lock.alkyl", "--profile", "smartlock", "--backend", "tcp:127.0.0.1:1", "--call", 'SetPin("1", 1)']);
    expect(r.stderr).toBe("alkyvm: backend tcp:127.0.0.1:1: nothing listens on 127.0.0.1:1 (is the AlkyVM device running with --listen?)\n");
    expect(r.stdout).toBe("");
    expect(r.status).toBe(1);
  });

  it("a malformed tcp: backend is a usage error", () => {
    for (const b of ["tcp:", "tcp:localhost", "tcp:host:0", "tcp:host:70000"]) {
      expect(alkyvm(["run", "examples/smartlock/lock.alkyl", "--backend", b, "--call", "X()"]).status, b).toBe(2);
    }
  });

  it("parses host:port and bracketed IPv6", () => {
    expect(parseTcpSpec("raspberrypi.local:7000")).toEqual({ host: "raspberrypi.local", port: 7000 });
    expect(parseTcpSpec("[::1]:7000")).toEqual({ host: "::1", port: 7000 });
    expect(parseTcpSpec("::1:7000")).toBeUndefined();
  });
});
