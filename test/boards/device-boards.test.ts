// The link-device firmwares on the emulated boards: the Uno (avr-gcc) under
// simavr over its USART0, the MSP430G2553 (clang) under mspdebug's simulator
// over the RAM mailbox. Each answers HELLO, installs the smart lock, runs it,
// and refuses a malformed image while keeping the installed app running.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { buildMsp430Device, buildUnoDevice } from "../../compiler/engines/firmware-build.js";
import { MspdebugProcess } from "../../compiler/engines/mspdebug.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { assemble } from "../../compiler/ir/asm.js";
import { BOARDS, ERROR_CODES, REFUSALS, VERIFY_RULES, type Message } from "../../compiler/link/messages.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { concat, corrupt, le, LinkTester, stringArg, trailerOf, type Answer, type Wire } from "../vm-c/link-wire.js";

const ROOT = join(import.meta.dirname, "..", "..");
const FUEL = 10_000;
const err = (name: string): number => ERROR_CODES.find((c) => c.name === name)!.code;

function smartLock(): Uint8Array {
  const source = readFileSync(join(ROOT, "examples", "smartlock", "lock.alkyl"), "utf8");
  const r = compileAlkyl(source, "lock.alkyl", { profile: profileByName("smartlock")! });
  if (!r.ok) throw new Error("the smart lock does not compile");
  return r.bytes;
}

type Hello = Extract<Message, { name: "HELLO_REPLY" }>["fields"];

interface Board {
  name: string;
  board: string;
  start(eepromFile?: string): Promise<Wire>;
}

const BOARD_LIST: Board[] = [
  {
    name: "Uno under simavr",
    board: "uno",
    start: (eepromFile) => SimavrProcess.start(buildUnoDevice().elf, { wallTimeoutMs: 60_000, ...(eepromFile ? { eepromFile } : {}) }),
  },
  {
    name: "MSP430G2553 under mspdebug",
    board: "lpmsp430g2553",
    start: () => MspdebugProcess.start(buildMsp430Device().elf, { runTimeoutMs: 30_000 }),
  },
];

const running: Wire[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.close()));
});

async function open(board: Board, eepromFile?: string): Promise<{ t: LinkTester; hello: Hello }> {
  const wire = await board.start(eepromFile);
  running.push(wire);
  const t = new LinkTester(wire, 30_000);
  const a = await t.request("HELLO", {});
  expect(a.end.name).toBe("HELLO_REPLY");
  return { t, hello: (a.end as Extract<Message, { name: "HELLO_REPLY" }>).fields };
}

async function press(t: LinkTester, hello: Hello, key: string): Promise<Answer> {
  return t.invoke("EVENT", 0, FUEL, le(key.charCodeAt(0), 1), hello.maxPayload);
}

/** Sets a PIN and presses it: the fourth key unlocks. */
async function unlocks(t: LinkTester, hello: Hello, pin: string): Promise<void> {
  for (const k of pin.slice(0, 3)) expect((await press(t, hello, k)).end).toEqual({ name: "DONE", fields: { syscalls: 0 } });
  const last = await press(t, hello, pin[3]!);
  expect(last.reports).toEqual([{ name: "SYSCALL", fields: { import: 0, args: new Uint8Array(0) } }]);
  expect(last.end).toEqual({ name: "DONE", fields: { syscalls: 1 } });
}

for (const board of BOARD_LIST) {
  describe(`link device on the ${board.name} (run scripts/setup.sh if a toolchain is missing)`, () => {
    it("announces its board, sizes and no app", async () => {
      const { hello } = await open(board);
      expect(hello).toMatchObject({ linkVersion: 1, imageVersion: 1, board: BOARDS.find((b) => b.name === board.board)!.code, appLength: 0, appCrc: 0, droppedFrames: 0 });
      expect(hello.maxImage).toBeGreaterThanOrEqual(400);
    }, 120_000);

    it("installs the smart lock, runs SetPin and KeyPressed, and keeps it when a malformed image is refused", async () => {
      const lock = smartLock();
      const { t, hello } = await open(board);
      expect((await t.load(lock, hello.maxPayload)).end.name).toBe("ACK");
      const installed = (await t.request("HELLO", {})).end;
      expect(installed).toMatchObject({ fields: { appLength: lock.length, appCrc: trailerOf(lock) } });
      expect((await t.invoke("CALL", 0, FUEL, concat(stringArg("4711"), le(1_700_000_000, 4)), hello.maxPayload)).end).toEqual({
        name: "DONE",
        fields: { syscalls: 0 },
      });
      await unlocks(t, hello, "4711");

      // A byte changed on the way: the CRC-32 differs from LOAD_BEGIN's.
      const garbled = corrupt(lock, 60, lock[60]! ^ 0x40, false);
      expect((await t.load(garbled, hello.maxPayload, trailerOf(lock))).end).toMatchObject({ name: "ERROR", fields: { code: err("image-crc") } });
      // An image that arrives intact but does not pass the device's verifier
      // (both boards carry it): an opcode that does not exist.
      const rejected = corrupt(lock, lock.length - 4 - nameBytes(lock) - 1, 0x0c, true);
      expect((await t.load(rejected, hello.maxPayload)).end).toEqual({
        name: "ERROR",
        fields: { code: err("verify"), detail: VERIFY_RULES.indexOf("opcode"), offset: lock.length - 4 - nameBytes(lock) - 1 },
      });
      // Still installed, and its memory (the PIN) kept.
      expect((await t.request("HELLO", {})).end).toEqual(installed);
      await unlocks(t, hello, "4711");
    }, 180_000);

    if (board.board === "lpmsp430g2553") {
      // The verifier keeps its list of operand widths in the VM stack arena,
      // 48 bytes here (vm-c/config/lpmsp430g2553.h): one value more is refused.
      it("verifies a function of 48 operand values and refuses one of 49 (verify-limit)", async () => {
        const { t, hello } = await open(board);
        const deep = (values: number): Uint8Array => {
          const r = assemble(`.profile test\n.memory 0\n.func public Deep()\n    MODE8\n${"    PUSH1 1\n".repeat(values)}${"    POP\n".repeat(values)}    RETF\n`);
          if (!r.ok) throw new Error("the deep function does not assemble");
          return r.bytes;
        };
        expect((await t.load(deep(hello.stackSize), hello.maxPayload)).end.name).toBe("ACK");
        expect((await t.load(deep(hello.stackSize + 1), hello.maxPayload)).end).toEqual({
          name: "ERROR",
          fields: { code: err("refused"), detail: REFUSALS.find((r) => r.name === "verify-limit")!.code, offset: 0 },
        });
        expect(hello.stackSize).toBe(48);
      }, 180_000);
    }

    if (board.board === "uno") {
      it("keeps the installed app in EEPROM across a restart", async () => {
        const eeprom = join(mkdtempSync(join(tmpdir(), "alky-uno-")), "eeprom.bin");
        const lock = smartLock();
        const first = await open(board, eeprom);
        expect((await first.t.load(lock, first.hello.maxPayload)).end.name).toBe("ACK");
        await first.t.wire.close();
        running.splice(running.indexOf(first.t.wire), 1);
        const { t, hello } = await open(board, eeprom);
        expect([hello.appLength, hello.appCrc]).toEqual([lock.length, trailerOf(lock)]);
        expect((await t.invoke("CALL", 0, FUEL, concat(stringArg("0000"), le(0, 4)), hello.maxPayload)).end.name).toBe("DONE");
        await unlocks(t, hello, "0000");
      }, 180_000);
    }
  });
}

/** Bytes of the names section (docs/ir.md §6): the code section ends right before it. */
function nameBytes(image: Uint8Array): number {
  return image[20]! | (image[21]! << 8);
}
