// The hardware-in-the-loop runner against the emulated Uno: the simavr
// harness bridges USART0 to a pseudo-terminal, and node-serialport opens it as
// it would open a board's USB serial port. `alkyvm run --backend serial:<pty>`
// and `alkyvm test-device --port <pty>` must behave exactly as on a board.
// (A missing toolchain fails these tests: run scripts/setup.sh.)

import { mkdtempSync, rmSync, symlinkSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { SerialTransport } from "../../compiler/engines/serial.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { BoardEmulationError } from "../../compiler/engines/transport.js";
import { LinkClient } from "../../compiler/link/client.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { backendByName } from "../../compiler/run/backends.js";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";
import { BACKENDS, casesFor, expectedTrace, loadCorpus, runArgs, runCase } from "../conformance/corpus.js";

/** The Uno firmware under simavr with its UART on a new pty. */
async function startBoard(): Promise<SimavrProcess & { ptyPath: string }> {
  const sim = await SimavrProcess.start(buildUnoDevice().elf, { pty: true, wallTimeoutMs: 600_000 });
  if (!sim.ptyPath) throw new Error("the simavr harness printed no PTY line");
  return sim as SimavrProcess & { ptyPath: string };
}

const LOCK = `
char* pin; bool valid;
public void SetPin(char* pin) { this.pin = pin; this.valid = true; }
public uint8_t Check() { if (valid) { return 1; } return 0; }
`;

function lockApp() {
  const profile = profileByName("test")!;
  const r = compileAlkyl(LOCK, "lock.alkyl", { profile });
  if (!r.ok) throw new Error("the test app does not compile");
  return { image: r.image, bytes: r.bytes, profile };
}

const corpus = loadCorpus();
/** What the Uno firmware lacks (no 64/256-bit: docs/performance.md): those cases are skipped. */
const unoLacks = BACKENDS.find((b) => b.name === "avr")!.lacks;
const runnable = casesFor(BACKENDS.find((b) => b.name === "avr")!, corpus);
const lacking = (c: (typeof corpus)[number]) => c.needs.filter((n) => unoLacks.includes(n));
const skipped = corpus.length - runnable.length;
let board: SimavrProcess & { ptyPath: string };
const extra: SimavrProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  board = await startBoard();
}, 300_000);

afterAll(async () => {
  await board?.close();
});

afterEach(async () => {
  await Promise.all(extra.splice(0).map((s) => s.close()));
});

describe("the conformance corpus through alkyvm run --backend serial:<pty> (the emulated Uno)", () => {
  it.each(runnable.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const backend = `serial:${board.ptyPath}`;
    const r = runCase(c, backend);
    const command = `alkyvm ${runArgs(c, backend).join(" ")}`;
    expect(r.stderr, `${command}: stderr`).toBe("");
    expect(r.stdout, `${command}: trace`).toBe(expectedTrace(c));
    expect(r.status, `${command}: exit status`).toBe(0);
  });
});

describe("alkyvm test-device", () => {
  it("passes every case of the corpus the emulated Uno can run (the 64/256-bit ones skipped), one line each and a summary", () => {
    const r = alkyvm(["test-device", "--port", `${board.ptyPath}@115200`]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^device uno on ${board.ptyPath} at 115200 baud: features storage nodecalls,`));
    expect(lines.slice(1, -1)).toEqual(corpus.map((c) => (lacking(c).length ? `skip ${c.name}: needs ${lacking(c).join(" ")}` : `ok ${c.name}`)));
    expect(lines.at(-1)).toBe(`${runnable.length} passed, 0 failed, ${skipped} skipped`);
    expect(r.status).toBe(0);
  });

  it("prints JSON lines with --json, the summary last", () => {
    const r = alkyvm(["test-device", "--port", board.ptyPath, "--json"]);
    expect(r.stderr).toBe("");
    const lines = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, -1)).toEqual(
      corpus.map((c) => (lacking(c).length ? { case: c.name, status: "skip", detail: `needs ${lacking(c).join(" ")}` } : { case: c.name, status: "ok" })),
    );
    expect(lines.at(-1)).toEqual({ passed: runnable.length, failed: 0, skipped });
    expect(r.status).toBe(0);
  });
});

describe("serial port errors", () => {
  it("a missing port is one line on stderr and exit 1, for run and for test-device", () => {
    const run = alkyvm(["run", "examples/smartlock/lock.alkyl", "--profile", "smartlock", "--backend", "serial:/dev/ttyNOSUCHPORT", "--call", 'SetPin("1", 1)']);
    expect(run.stderr).toBe("alkyvm: backend serial:/dev/ttyNOSUCHPORT: no serial port /dev/ttyNOSUCHPORT (is the board plugged in?)\n");
    expect(run.stdout).toBe("");
    expect(run.status).toBe(1);
    const test = alkyvm(["test-device", "--port", "/dev/ttyNOSUCHPORT@9600"]);
    expect(test.stderr).toBe("alkyvm: test-device: no serial port /dev/ttyNOSUCHPORT (is the board plugged in?)\n");
    expect(test.status).toBe(1);
  });

  it("a port another program holds is reported busy (ports are opened locked)", async () => {
    const holder = await SerialTransport.open(board.ptyPath);
    try {
      const r = alkyvm(["test-device", "--port", board.ptyPath]);
      expect(r.stderr).toBe(`alkyvm: test-device: serial port ${board.ptyPath} is busy: another program has it open\n`);
      expect(r.status).toBe(1);
    } finally {
      await holder.close();
    }
  });

  it("a file that is not a serial port is refused in one line", () => {
    const r = alkyvm(["test-device", "--port", "package.json"]);
    expect(r.stderr).toBe("alkyvm: test-device: package.json is not a serial port\n");
    expect(r.status).toBe(1);
  });

  it("a malformed backend or port is a usage error", () => {
    expect(alkyvm(["run", "examples/smartlock/lock.alkyl", "--backend", "serial:", "--call", "X()"]).status).toBe(2);
    expect(alkyvm(["test-device", "--port", "/dev/ttyACM0@fast"]).status).toBe(2);
    expect(alkyvm(["test-device"]).status).toBe(2);
  });

  it("a port that disappears mid-session (the harness is killed) fails with a disconnected error within seconds", async () => {
    const sim = await startBoard();
    extra.push(sim);
    const engine = await backendByName(`serial:${sim.ptyPath}`)!.open(lockApp(), {});
    try {
      expect(await engine.invoke(1, [])).toEqual([{ kind: "return", value: 0 }]);
      await sim.close();
      const t0 = Date.now();
      const error = await engine.invoke(1, []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BoardEmulationError);
      expect((error as BoardEmulationError).kind).toBe("disconnected");
      expect((error as Error).message).toBe(`serial port ${sim.ptyPath} went away and did not come back within 5 s`);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it("reopens the same path when the port comes back (a board reset or replugged)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "alkyvm-serial-"));
    const link = join(dir, "ttyUno");
    try {
      const first = await startBoard();
      extra.push(first);
      symlinkSync(first.ptyPath, link);
      const transport = await SerialTransport.open(link);
      try {
        expect((await new LinkClient(transport, { timeoutMs: 5_000 }).hello()).board).toBe(2);
        await first.close();
        const second = await startBoard();
        extra.push(second);
        unlinkSync(link);
        symlinkSync(second.ptyPath, link);
        // The write waits for the reopen; the new board answers on the same path.
        expect((await new LinkClient(transport, { timeoutMs: 5_000 }).hello()).board).toBe(2);
      } finally {
        await transport.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
