// Bounded execution on the link devices (issue 7, item 5; docs/security.md,
// "Bounded execution and the watchdog"): an app that loops forever is stopped
// by its fuel, one that recurses without end by the stack bound, one that
// writes outside its memory by the memory bound, in a CALL or an event
// handler; each is reported as FAULT and the device answers the next request.
// Run on the host C device, the emulated Uno (simavr) and the emulated
// MSP430G2553 (mspdebug's simulator). On the Uno also: the worst-case time of
// an invocation in simulated cycles, and the hardware watchdog, which resets a
// board whose main loop hangs and is not tripped by a long invocation.

import { afterEach, describe, expect, it } from "vitest";
import {
  buildAvrFirmware,
  buildHostDevice,
  buildMsp430Device,
  buildMsp430Firmware,
  buildUnoDevice,
  msp430DeviceFirmware,
  unoDeviceFirmware,
} from "../../compiler/engines/firmware-build.js";
import { MspdebugProcess } from "../../compiler/engines/mspdebug.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { assemble } from "../../compiler/ir/asm.js";
import { encodePayload, FAULT_KINDS, messageSpec, type Message } from "../../compiler/link/messages.js";
import { le, LinkTester, ProcessWire, type Answer, type Wire } from "./link-wire.js";

const kind = (name: string): number => FAULT_KINDS.find((k) => k.name === name)!.code;

/** Within every board's limits (the MSP430: 64 bytes of memory, a 48-byte frame arena, 8/16/32-bit, no storage). */
const APP = `
.profile test
.memory 16
.import syscall Out8(uint8)
.import syscall Now() -> uint32

.func public Add(uint32, uint32) -> uint32
    MODE32
    LGET 0
    LGET 4
    ADD
    RETF

.func public Spin()
loop:
    JUMPDEST
    RJUMP loop

.func public Deep()
    CALLF Deep
    RETF

.func public Poke()
    MODE8
    PUSH1 0x01
    MODE16
    PUSH2 0x1000
    MODE8
    MSTORE
    RETF

.func public Clock() -> uint32
    MODE32
    SYSCALL Now
    RETF

.func event Key(char)
    MODE8
    LGET 0
    SYSCALL Out8
    PUSH1 0x01
    MODE16
    PUSH2 0x0800
    MODE8
    MSTORE
    RETF
`;
const FN = { Add: 0, Spin: 1, Deep: 2, Poke: 3, Clock: 4 } as const;
const EVENT_KEY = 2; // the test profile's Key event

/** The Uno's slowest instruction, 32-bit EXP (2^32 - 1 to the power 2^32 - 1; the Uno has no 64/256-bit, docs/performance.md), in a loop. */
const EXP_LOOP = 6;
const EXP_APP = `${APP}
.func public ExpLoop()
loop:
    JUMPDEST
    MODE32
    PUSH4 0xffffffff
    DUP1
    EXP
    POP
    RJUMP loop
`;

function asm(text: string): Uint8Array {
  const r = assemble(text);
  if (!r.ok) throw new Error(`assembly failed: ${JSON.stringify(r.errors)}`);
  return r.bytes;
}

const NONE = new Uint8Array(0);
const fault = (name: string, address = 0, syscalls = 0): Message => ({ name: "FAULT", fields: { syscalls, kind: kind(name), address } });

interface Board {
  name: string;
  open(): Promise<Wire>;
  /** Fuel of the endless loop: enough to show it is cut short, little enough for a slow simulator. */
  spinFuel: number;
}

const BOARDS: Board[] = [
  { name: "host C device", open: async () => ProcessWire.start(buildHostDevice(), []), spinFuel: 1_000_000 },
  { name: "emulated Uno (simavr)", open: () => SimavrProcess.start(buildUnoDevice().elf), spinFuel: 100_000 },
  { name: "emulated MSP430G2553 (mspdebug)", open: () => MspdebugProcess.start(buildMsp430Device().elf), spinFuel: 2_000 },
];

const open: Wire[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

interface Device {
  t: LinkTester;
  payload: number;
  wire: Wire;
}

async function start(wire: Promise<Wire>, timeoutMs = 30_000): Promise<Device> {
  const w = await wire;
  open.push(w);
  const t = new LinkTester(w, timeoutMs);
  const hello = (await t.request("HELLO", {})).end as Extract<Message, { name: "HELLO_REPLY" }>;
  return { t, payload: hello.fields.maxPayload, wire: w };
}

async function install(d: Device, image: Uint8Array): Promise<void> {
  expect((await d.t.load(image, d.payload)).end.name).toBe("ACK");
}

const call = (d: Device, fn: number, fuel: number, args: Uint8Array = NONE): Promise<Answer> => d.t.invoke("CALL", fn, fuel, args, d.payload);

/** The device still answers: HELLO with the app installed, and a CALL that returns. */
async function responsive(d: Device, image: Uint8Array): Promise<void> {
  const hello = (await d.t.request("HELLO", {})).end as Extract<Message, { name: "HELLO_REPLY" }>;
  expect(hello.name).toBe("HELLO_REPLY");
  expect(hello.fields.appLength).toBe(image.length);
  expect((await call(d, FN.Add, 100, Uint8Array.of(...le(40, 4), ...le(2, 4)))).end).toEqual({ name: "RESULT", fields: { syscalls: 0, value: le(42, 4) } });
}

describe.each(BOARDS)("bounded execution on the $name (run scripts/setup.sh if a toolchain is missing)", (board) => {
  const app = asm(APP);

  it("stops an app that loops forever at its fuel, reports FAULT fuel, and answers HELLO and CALL next", async () => {
    const d = await start(board.open());
    await install(d, app);
    expect((await call(d, FN.Spin, board.spinFuel)).end).toEqual(fault("fuel"));
    await responsive(d, app);
    // Fuel counts instructions exactly: Add takes 5 (MODE32 LGET LGET ADD RETF).
    expect((await call(d, FN.Add, 4, new Uint8Array(8))).end).toEqual(fault("fuel"));
    expect((await call(d, FN.Add, 5, new Uint8Array(8))).end.name).toBe("RESULT");
    // The link's largest fuel is taken as it is (no sign or width trouble).
    expect((await call(d, FN.Add, 0xffffffff, new Uint8Array(8))).end.name).toBe("RESULT");
  }, 120_000);

  it("answers a request sent while an endless loop runs once the loop's FAULT is out", async () => {
    const d = await start(board.open());
    await install(d, app);
    const spin = await d.t.sendFrame(messageSpec("CALL").id, encodePayload("CALL", { function: FN.Spin, fuel: board.spinFuel, args: NONE }));
    const hello = await d.t.sendFrame(messageSpec("HELLO").id, encodePayload("HELLO", {}));
    expect((await d.t.answer(spin)).end).toEqual(fault("fuel"));
    expect((await d.t.answer(hello)).end.name).toBe("HELLO_REPLY");
    await responsive(d, app);
  }, 120_000);

  it("stops unbounded recursion at the stack bound (FAULT stack) and stays responsive", async () => {
    const d = await start(board.open());
    await install(d, app);
    expect((await call(d, FN.Deep, 1_000_000)).end).toEqual(fault("stack"));
    await responsive(d, app);
    expect((await call(d, FN.Deep, 1_000_000)).end).toEqual(fault("stack"));
  }, 120_000);

  it("stops a write outside the app's memory (FAULT memory with the address) and stays responsive", async () => {
    const d = await start(board.open());
    await install(d, app);
    expect((await call(d, FN.Poke, 100)).end).toEqual(fault("memory", 0x1000));
    await responsive(d, app);
  }, 120_000);

  it("reports a fault in an event handler after its syscalls, and runs the next event and CALL", async () => {
    const d = await start(board.open());
    await install(d, app);
    for (const key of [0x31, 0x32]) {
      const a = await d.t.invoke("EVENT", EVENT_KEY, 100, le(key, 1), d.payload);
      expect(a.reports).toEqual([{ name: "SYSCALL", fields: { import: 0, args: le(key, 1) } }]);
      expect(a.end).toEqual(fault("memory", 0x0800, 1));
    }
    await responsive(d, app);
  }, 120_000);
});

// ---- The Uno: worst-case time and the watchdog ----

/** Sends HELLO until the device answers (at most `tries` times, 3 s each): across a reset, bytes sent to a hung board are lost. */
async function helloAfterReset(wire: Wire, tries = 20): Promise<Answer | undefined> {
  const quick = new LinkTester(wire, 3_000);
  for (let i = 0; i < tries; i++) {
    const hello = await quick.request("HELLO", {}).catch(() => undefined);
    if (hello) return hello;
  }
  return undefined;
}

/** Simulated cycles a request takes, from sending it to its whole answer (the harness's counter, read after each). */
async function timed(sim: SimavrProcess, run: () => Promise<Answer>): Promise<{ answer: Answer; cycles: bigint }> {
  const before = await sim.cycles();
  const answer = await run();
  return { answer, cycles: (await sim.cycles()) - before };
}

const UNO_HZ = 16_000_000n;
/** The watchdog's timeout, WDTO_2S (vm-c/port/avr/main.c): 2^18 periods of the 128 kHz oscillator. */
const WDT_CYCLES = (2_048n * UNO_HZ) / 1_000n;

describe("the emulated Uno: worst-case invocation time and the hardware watchdog", () => {
  it("spends a bounded, linear number of cycles per unit of fuel, even on its slowest instruction (32-bit EXP)", async () => {
    const sim = await SimavrProcess.start(buildUnoDevice().elf);
    const d = await start(Promise.resolve(sim));
    await install(d, asm(EXP_APP));
    const spin = async (fuel: number): Promise<bigint> => {
      const r = await timed(sim, () => call(d, FN.Spin, fuel));
      expect(r.answer.end).toEqual(fault("fuel"));
      return r.cycles;
    };
    // Cycles are read by the harness between requests: a few ms of the host's latency (the idle
    // device sleeps, paced to the wall clock) land in each figure, hence the large fuel and loose bounds.
    const [s1, s2] = [await spin(250_000), await spin(500_000)];
    const perSpin = Number(s2 - s1) / 250_000; // cycles per instruction of the endless loop
    // The loop is JUMPDEST MODE32 PUSH4 DUP1 EXP POP RJUMP: 7 instructions a turn.
    const exp = async (turns: number): Promise<bigint> => {
      const r = await timed(sim, () => call(d, EXP_LOOP, 1 + 7 * turns));
      expect(r.answer.end).toEqual(fault("fuel"));
      return r.cycles;
    };
    const [e1, e2] = [await exp(2), await exp(4)];
    const perTurn = Number(e2 - e1) / 2; // one EXP and six cheap instructions
    const maxFuel = 2 ** 32 - 1;
    console.log(
      `Uno: endless loop ${perSpin.toFixed(1)} cycles/instruction (fuel 250000: ${s1} cycles, 500000: ${s2}); ` +
        `32-bit EXP loop ${perTurn} cycles per turn of 7 instructions; ` +
        `fuel 2^32-1: ${((maxFuel * perSpin) / 16e6 / 3600).toFixed(1)} h of the endless loop, ` +
        `${((maxFuel / 7) * perTurn / 16e6 / 3600).toFixed(1)} h of EXP`,
    );
    // Linear: the second 250000 instructions cost what the first did.
    expect(Math.abs(Number(s2 - s1) - Number(s1))).toBeLessThan(Number(s1) / 10);
    expect(perSpin).toBeGreaterThan(10);
    expect(perSpin).toBeLessThan(200);
    // The slowest instruction stays well inside the watchdog's period, so resetting it per instruction suffices.
    expect(BigInt(Math.round(perTurn))).toBeLessThan(WDT_CYCLES / 4n);
  }, 300_000);

  it("is not reset by its watchdog during an invocation longer than the watchdog's period", async () => {
    const sim = await SimavrProcess.start(buildUnoDevice().elf);
    const d = await start(Promise.resolve(sim));
    await install(d, asm(EXP_APP));
    expect((await d.t.request("SET_TIME", { seconds: 1234 })).end.name).toBe("ACK");
    // 400000 instructions of the endless loop: about 50 M cycles, 1.5 times the watchdog's period.
    const r = await timed(sim, () => call(d, FN.Spin, 400_000));
    expect(r.answer.end).toEqual(fault("fuel"));
    expect(r.cycles).toBeGreaterThan(WDT_CYCLES);
    // Not rebooted: the clock SET_TIME gave is still there.
    expect((await call(d, FN.Clock, 100)).end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(1234, 4) } });
  }, 300_000);

  it("resets a board whose main loop hangs (a test build wedges it on SET_TIME 0xDEADBEEF); it comes back with its app", async () => {
    const hang = buildAvrFirmware({ ...unoDeviceFirmware(), name: "uno_device_wdt_hang", defines: [...unoDeviceFirmware().defines, "ALKY_WDT_TEST_HANG=0xDEADBEEFUL"] });
    const sim = await SimavrProcess.start(hang.elf);
    const d = await start(Promise.resolve(sim));
    const app = asm(EXP_APP);
    await install(d, app);
    expect((await d.t.request("SET_TIME", { seconds: 1234 })).end.name).toBe("ACK");
    expect((await call(d, FN.Clock, 100)).end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(1234, 4) } });
    const before = await sim.cycles();
    expect((await d.t.request("SET_TIME", { seconds: 0xdeadbeef })).end.name).toBe("ACK"); // then the loop hangs
    // Wedged: a HELLO now is not answered until the watchdog has reset the board (its UART receiver too).
    expect((await helloAfterReset(d.wire))?.end.name).toBe("HELLO_REPLY");
    const after = await sim.cycles();
    expect(after - before).toBeGreaterThan(WDT_CYCLES);
    // The board rebooted: the clock is back to 0, the app is still installed and runs.
    await responsive(d, app);
    expect((await call(d, FN.Clock, 100)).end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(0, 4) } });
    // No watchdog reset loop after the reset: a watchdog reset leaves WDRF set and the watchdog on at its
    // shortest timeout (16 ms, simavr models it), and 20000 instructions of the endless loop take about
    // 160 ms. The firmware cleared WDRF and set 2 s again at boot, so the loop runs to its fuel.
    expect((await call(d, FN.Spin, 20_000)).end).toEqual(fault("fuel"));
    await responsive(d, app);
    console.log(`Uno watchdog: hang to HELLO_REPLY in ${after - before} cycles (simavr's counter ${after < before ? "restarted at the reset" : "runs on"})`);
  }, 300_000);
});

describe("the emulated MSP430G2553 under mspdebug's watchdog model", () => {
  // mspdebug 0.22's WDT+ model counts ACLK (MCLK / 256 there) but ignores WDTCNTCL, so it resets a
  // firmware every 32768 ACLK periods whatever the firmware does: it shows the watchdog runs in
  // watchdog mode and that a reset brings the board back, not that the firmware's restarts keep it off.
  const app = asm(APP);

  it("resets a board whose main loop hangs (SET_TIME 0xDEADBEEF in a test build); it comes back with its app", async () => {
    const fw = msp430DeviceFirmware();
    const hang = buildMsp430Firmware({ ...fw, name: "msp430_device_wdt_hang", defines: [...fw.defines, "ALKY_WDT_TEST_HANG=0xDEADBEEFUL"] });
    const sim = await MspdebugProcess.start(hang.elf, { watchdog: true });
    const d = await start(Promise.resolve(sim));
    await install(d, app);
    expect((await d.t.request("SET_TIME", { seconds: 1234 })).end.name).toBe("ACK");
    // The ACK would stay in the mailbox's output buffer (flushed when the firmware next waits for input): not awaited.
    await d.t.sendFrame(messageSpec("SET_TIME").id, encodePayload("SET_TIME", { seconds: 0xdeadbeef }));
    expect((await helloAfterReset(d.wire))?.end.name).toBe("HELLO_REPLY");
    await responsive(d, app);
    expect((await call(d, FN.Clock, 100)).end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(0, 4) } });
  }, 300_000);
});
