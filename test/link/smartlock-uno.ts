// The emulated Uno with the smart lock's drivers, for tests: the firmware of
// `alkyvm firmware --board uno --profile smartlock` under simavr, a matrix
// keypad wired to its port pins by the harness (--keypad; keys pressed through
// its stdin), the lock and buzzer pins watched (--watch), the UART on a
// pseudo-terminal (--pty).

import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll } from "vitest";
import { boardById, type Pin } from "../../boards/boards.js";
import { buildSimavrHarness } from "../../compiler/engines/firmware-build.js";
import { buildProject, renderProject } from "../../compiler/firmware/project.js";

const uno = boardById("uno")!;
export const smartlockPins = uno.smartlockPins!;
export const pinName = (p: Pin): string => ("port" in p ? `${p.port}${p.bit}` : "");

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class SmartlockUno {
  readonly pinEvents: { pin: string; level: number; at: number }[] = [];
  private stderr = "";
  ptyPath = "";

  private constructor(readonly child: ChildProcessByStdio<Writable, null, Readable>) {
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.stderr += text;
      for (const m of text.matchAll(/^PIN (\w+) ([01])$/gm)) this.pinEvents.push({ pin: m[1]!, level: Number(m[2]), at: Date.now() });
    });
  }

  /** Builds the firmware and the harness, starts the board and waits for its pseudo-terminal. */
  static async start(watch: Pin[] = [smartlockPins.lock, smartlockPins.buzzer]): Promise<SmartlockUno> {
    const dir = join(mkdtempSync(join(tmpdir(), "alkyvm-lock-")), "uno-smartlock");
    const built = buildProject(uno, renderProject(uno, dir, { profile: "smartlock" }));
    const keypad = `${smartlockPins.rows.map(pinName).join(",")}:${smartlockPins.columns.map(pinName).join(",")}`;
    const child = spawn(buildSimavrHarness(), ["--pty", "--keypad", keypad, "--watch", watch.map(pinName).join(","), "--timeout-ms", "600000", built.elf], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    const board = new SmartlockUno(child);
    const t0 = Date.now();
    while (!/^PTY (\S+)$/m.test(board.stderr)) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null) {
        child.kill("SIGTERM");
        throw new Error(`the harness did not start: ${board.stderr}`);
      }
      await sleep(20);
    }
    board.ptyPath = /^PTY (\S+)$/m.exec(board.stderr)![1]!;
    return board;
  }

  level(pin: string): number | undefined {
    return this.pinEvents.filter((e) => e.pin === pin).at(-1)?.level;
  }

  /** Presses and releases the key, holding it longer than the firmware's debounce time. */
  async press(key: string): Promise<void> {
    const k = smartlockPins.keys.indexOf(key);
    const r = Math.floor(k / smartlockPins.columns.length);
    const c = k % smartlockPins.columns.length;
    this.child.stdin.write(`press ${r} ${c}\n`);
    await sleep(80);
    this.child.stdin.write(`release ${r} ${c}\n`);
    await sleep(80);
  }

  stop(): void {
    this.child.kill("SIGTERM");
  }
}

/** One board for a test file: started before its tests, stopped after them. */
export function smartlockUnoForTests(): () => SmartlockUno {
  let board: SmartlockUno | undefined;
  beforeAll(async () => {
    board = await SmartlockUno.start();
  }, 300_000);
  afterAll(() => {
    board?.stop();
  });
  return () => board!;
}
