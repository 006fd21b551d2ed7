// The ATmega328P under simavr: the harness (scripts/harness/simavr_uart.c)
// and its driver (compiler/engines/simavr.ts) carry UART bytes exactly,
// report cycles, and end a broken firmware with a clear error.

import { openSync, closeSync, readSync, writeSync, mkdtempSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildSimavrHarness } from "../../compiler/engines/firmware-build.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { BoardEmulationError } from "../../compiler/engines/transport.js";
import { avrFixture, linkTestBytes, plusOne } from "./firmware.js";

const running: SimavrProcess[] = [];

async function start(elf: string, options: Parameters<typeof SimavrProcess.start>[1] = {}): Promise<SimavrProcess> {
  const sim = await SimavrProcess.start(elf, { wallTimeoutMs: 15_000, ...options });
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

describe("simavr board (run scripts/setup.sh if a toolchain is missing)", () => {
  it("echoes 300 bytes (NUL, 0xFF, LF, CR included) back plus one, in order, with nothing else on the channel", async () => {
    const sim = await start(avrFixture("echo").elf);
    const sent = linkTestBytes(300);
    await sim.write(sent);
    expect(await sim.readExactly(300, 10_000)).toEqual(plusOne(sent));
    expect(await sim.read(50)).toHaveLength(0);
  });

  it("paces the UART at 115200 baud: 300 bytes take at least 300 byte times of simulated cycles", async () => {
    const sim = await start(avrFixture("echo").elf);
    const before = await sim.cycles();
    await sim.write(linkTestBytes(300));
    await sim.readExactly(300, 10_000);
    const byteTime = 17 * 8 * 11; // (UBRR 16 + 1) * 8 cycles per bit with U2X, 11 bit times as simavr counts a frame
    expect((await sim.cycles()) - before).toBeGreaterThanOrEqual(BigInt(300 * byteTime));
  });

  it("ends a firmware that executes an undefined opcode with a crashed error within a few seconds", async () => {
    const sim = await start(avrFixture("crash").elf);
    const t0 = Date.now();
    await sim.write(Uint8Array.of(1));
    const error = await sim.read(10_000).then(
      () => sim.read(10_000),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BoardEmulationError);
    expect((error as BoardEmulationError).kind).toBe("crashed");
    expect((error as BoardEmulationError).message).toMatch(/Invalid Opcode/);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it("stops a firmware that outlives its cycle budget with a cycle-limit error", async () => {
    const sim = await start(avrFixture("echo").elf, { timeoutCycles: 200_000n });
    await expect(sim.read(5_000).then(() => sim.read(5_000))).rejects.toMatchObject({ kind: "cycle-limit" });
  });

  it("keeps Timer1's millisecond count in step with its cycle count (1 ms = 16000 cycles)", async () => {
    const sim = await start(avrFixture("board", ["uart", "clock", "eeprom"]).elf);
    await sim.readExactly(1, 5_000); // boot counter
    await new Promise((r) => setTimeout(r, 30)); // let simulated time pass (sleep is paced to the wall clock)
    await sim.write(Uint8Array.of("m".charCodeAt(0)));
    const reply = await sim.readExactly(8, 5_000);
    const ms = u32(reply, 0);
    const cycles = u32(reply, 4);
    expect(cycles).toBeGreaterThan(16_000 * 10);
    // Whole milliseconds since alky_clock_init, which runs a little after cycle 0.
    expect(ms).toBeLessThanOrEqual(cycles / 16_000);
    expect(cycles / 16_000 - ms).toBeLessThan(2);
  });

  it("writes and reads EEPROM through the helpers", async () => {
    const sim = await start(avrFixture("board", ["uart", "clock", "eeprom"]).elf);
    await sim.readExactly(1, 5_000);
    await sim.write(Uint8Array.of("e".charCodeAt(0)));
    expect([...(await sim.readExactly(4, 5_000))]).toEqual([0x00, 0x5a, 0xa5, 0xff]);
  });

  it("keeps EEPROM contents across runs with an EEPROM file", async () => {
    const eepromFile = join(mkdtempSync(join(tmpdir(), "alky-eeprom-")), "uno.eep");
    const elf = avrFixture("board", ["uart", "clock", "eeprom"]).elf;
    const boots: number[] = [];
    for (let run = 0; run < 2; run++) {
      const sim = await start(elf, { eepromFile });
      boots.push((await sim.readExactly(1, 5_000))[0]!);
      await sim.close();
    }
    expect(boots).toEqual([1, 2]);
  });

  it("bridges the UART to a raw pseudo-terminal with --pty", async () => {
    const harness = buildSimavrHarness();
    const child = spawn(harness, ["--pty", "--timeout-ms", "10000", avrFixture("echo").elf], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      const ptyPath = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (d: string) => {
          text += d;
          const m = /^PTY (\S+)$/m.exec(text);
          if (m) resolve(m[1]!);
        });
        child.on("close", () => reject(new Error(`harness exited: ${text}`)));
      });
      const fd = openSync(ptyPath, "r+");
      try {
        const sent = Uint8Array.of(0x00, 0x0a, 0x0d, 0x41, 0xff, 0x03);
        writeSync(fd, sent);
        const got: number[] = [];
        const buf = Buffer.alloc(64);
        while (got.length < sent.length) got.push(...buf.subarray(0, readSync(fd, buf)));
        expect(Uint8Array.from(got)).toEqual(plusOne(sent));
      } finally {
        closeSync(fd);
      }
    } finally {
      child.kill("SIGTERM");
    }
  });
});
