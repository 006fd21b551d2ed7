// The host link device (vm-c/port/host over vm-c/device.c) at the frame
// level: requests as compiler/link/frame.ts + messages.ts + args.ts encode
// them, answers checked report by report (docs/link.md §4).

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileAlkyl } from "../../compiler/compile.js";
import { assemble } from "../../compiler/ir/asm.js";
import { parseTypeName } from "../../compiler/ir/types.js";
import { encodeArgs } from "../../compiler/link/args.js";
import { FrameFlag, MAX_PAYLOAD } from "../../compiler/link/frame.js";
import { BOARDS, ERROR_CODES, FAULT_KINDS, messageSpec, REFUSALS, VERIFY_RULES, type Message } from "../../compiler/link/messages.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { concat, corrupt, hostDevices, le, LinkTester, ProcessWire, stringArg, trailerOf, type Answer } from "./link-wire.js";
import { ROOT } from "./c-vm.js";

const code = (table: readonly { name: string; code: number }[], name: string): number => table.find((c) => c.name === name)!.code;
const err = (name: string): number => code(ERROR_CODES, name);

/** The ERROR a request was answered with, as { code, detail, offset } (or the terminal report's name if it was no ERROR). */
function errorOf(a: Answer): { code: number; detail: number; offset: number } | string {
  return a.end.name === "ERROR" ? a.end.fields : a.end.name;
}

function smartLock(): Uint8Array {
  const source = readFileSync(join(ROOT, "examples", "smartlock", "lock.alkyl"), "utf8");
  const r = compileAlkyl(source, "lock.alkyl", { profile: profileByName("smartlock")! });
  if (!r.ok) throw new Error("the smart lock does not compile");
  return r.bytes;
}

/** An app of the test profile with one function per behaviour the tests look at. */
const TEST_APP = `
.profile test
.memory 300
.storage 8
.import syscall Print(string)
.import syscall Now() -> uint32
.import syscall Out8(uint8)

.func public Add(uint32, uint32) -> uint32
    MODE32
    LGET 0
    LGET 4
    ADD
    RETF

.func public Echo(string)
.buffer 40, 255
    MODE16
    LGET 0
    SYSCALL Print
    RETF

.func public Clock() -> uint32
    MODE32
    SYSCALL Now
    RETF

.func public Spin()
loop:
    JUMPDEST
    RJUMP loop

.func public Count() -> uint8
    MODE8
    PUSH 0
    ZEXT 16
    MLOAD
    PUSH 1
    ADD
    DUP1
    PUSH 0
    ZEXT 16
    MSTORE
    DUP1
    SYSCALL Out8
    RETF

.func public Poke()
    MODE8
    PUSH1 0x01
    MODE16
    PUSH2 0x1000
    MODE8
    MSTORE
    RETF

.func event Key(char)
    MODE8
    LGET 0
    SYSCALL Out8
    RETF

.func public Mix(uint16, string, uint8) -> uint16
.buffer 40, 20
    MODE16
    LGET 2
    SYSCALL Print
    LGET 0
    MODE8
    LGET 4
    ZEXT 16
    MODE16
    ADD
    RETF
`;
const FN = { Add: 0, Echo: 1, Clock: 2, Spin: 3, Count: 4, Poke: 5, Key: 6, Mix: 7 } as const;
const IMPORT = { Print: 0, Now: 1, Out8: 2 } as const;

function asm(text: string): Uint8Array {
  const r = assemble(text);
  if (!r.ok) throw new Error(`assembly failed: ${JSON.stringify(r.errors)}`);
  return r.bytes;
}

const testApp = (): Uint8Array => asm(TEST_APP);
/** The test app with a different header field (memory or storage size). */
const testAppWith = (directive: string, value: number): Uint8Array => asm(TEST_APP.replace(new RegExp(`^${directive} \\d+$`, "m"), `${directive} ${value}`));

const PAYLOAD = MAX_PAYLOAD; // the host device announces the largest payload
const FUEL = 100_000;

const start = hostDevices();

async function withApp(image = testApp(), store?: string): Promise<LinkTester> {
  const t = start(store);
  expect((await t.load(image, PAYLOAD)).end.name).toBe("ACK");
  return t;
}

async function count(t: LinkTester): Promise<number> {
  const a = await t.invoke("CALL", FN.Count, FUEL, new Uint8Array(0), PAYLOAD);
  expect(a.end.name).toBe("RESULT");
  return (a.end as Extract<Message, { name: "RESULT" }>).fields.value[0]!;
}

describe("host link device (run scripts/setup.sh if gcc is missing)", () => {
  it("announces itself in HELLO_REPLY: versions, board native, features, sizes, no app", async () => {
    const t = start();
    const a = await t.request("HELLO", {});
    expect(a.reports).toEqual([]);
    expect(a.end).toEqual({
      name: "HELLO_REPLY",
      fields: {
        linkVersion: 1,
        imageVersion: 1,
        vmVersion: 1,
        board: code(BOARDS, "native"),
        linkFeatures: 0,
        vmFeatures: 0x0f,
        maxPayload: 249,
        profile: 0,
        memorySize: 1024,
        stackSize: 1024,
        maxImage: 2 * 16384 - 2 * 12, // the whole image area: no app is installed yet
        appLength: 0,
        appCrc: 0,
        droppedFrames: 0,
        rxFloor: 0,
      },
    });
  });

  it("loads the smart lock in chunks, reports it in HELLO, and runs SetPin and KeyPressed with SYSCALL reports", async () => {
    const lock = smartLock();
    const t = start();
    const chunk = 50;
    expect((await t.request("LOAD_BEGIN", { length: lock.length, crc: trailerOf(lock) })).end.name).toBe("ACK");
    for (let at = 0; at < lock.length; at += chunk) {
      expect((await t.request("LOAD_CHUNK", { offset: at, data: lock.subarray(at, at + chunk) })).end.name).toBe("ACK");
    }
    expect((await t.request("LOAD_COMMIT", {})).end.name).toBe("ACK");
    const hello = (await t.request("HELLO", {})).end as Extract<Message, { name: "HELLO_REPLY" }>;
    expect(hello.fields.appLength).toBe(lock.length);
    expect(hello.fields.appCrc).toBe(trailerOf(lock));

    const pinArgs = encodeArgs([parseTypeName("string")!, parseTypeName("uint32")!], [new TextEncoder().encode("1234"), 1_700_000_600]);
    expect(pinArgs).toEqual(concat(stringArg("1234"), le(1_700_000_600, 4)));
    expect(await t.invoke("CALL", 0, FUEL, pinArgs, PAYLOAD)).toMatchObject({ reports: [], end: { name: "DONE", fields: { syscalls: 0 } } });

    const press = (key: string): Promise<Answer> => t.invoke("EVENT", 0, FUEL, le(key.charCodeAt(0), 1), PAYLOAD);
    for (const k of "123") expect((await press(k)).end).toEqual({ name: "DONE", fields: { syscalls: 0 } });
    const unlock = await press("4");
    expect(unlock.reports).toEqual([{ name: "SYSCALL", fields: { import: 0, args: new Uint8Array(0) } }]); // Unlock
    expect(unlock.end).toEqual({ name: "DONE", fields: { syscalls: 1 } });
    for (const k of "999") await press(k);
    const beep = await press("9");
    expect(beep.reports).toEqual([{ name: "SYSCALL", fields: { import: 1, args: new Uint8Array(0) } }]); // IncorrectBeep
  });

  it("answers RESULT with the value little-endian at its width", async () => {
    const t = await withApp();
    const a = await t.invoke("CALL", FN.Add, FUEL, concat(le(0xfffffff0, 4), le(0x20, 4)), PAYLOAD);
    expect(a.end).toEqual({ name: "RESULT", fields: { syscalls: 0, value: le(0x10, 4) } });
  });

  it("reports a syscall's arguments as an argument stream and returns SET_TIME's clock from clock syscalls", async () => {
    const t = await withApp();
    expect((await t.request("SET_TIME", { seconds: 1_700_000_000 })).end.name).toBe("ACK");
    const a = await t.invoke("CALL", FN.Clock, FUEL, new Uint8Array(0), PAYLOAD);
    expect(a.reports).toEqual([{ name: "SYSCALL", fields: { import: IMPORT.Now, args: new Uint8Array(0) } }]);
    expect(a.end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(1_700_000_000, 4) } });
    const c = await t.invoke("CALL", FN.Count, FUEL, new Uint8Array(0), PAYLOAD);
    expect(c.reports).toEqual([{ name: "SYSCALL", fields: { import: IMPORT.Out8, args: le(1, 1) } }]);
  });

  it("streams a string longer than one frame into its buffer through ARGS, and reports it back in MORE frames", async () => {
    const t = await withApp();
    const text = new Uint8Array(254).map((_, i) => 0x21 + (i % 90));
    const first = await t.request("CALL", { function: FN.Echo, fuel: FUEL, args: stringArg(text).subarray(0, 100) });
    expect(first.end.name).toBe("ACK");
    expect((await t.request("ARGS", { args: stringArg(text).subarray(100, 200) })).end.name).toBe("ACK");
    const a = await t.request("ARGS", { args: stringArg(text).subarray(200) });
    expect(a.reports).toEqual([{ name: "SYSCALL", fields: { import: IMPORT.Print, args: stringArg(text) } }]);
    expect(a.end).toEqual({ name: "DONE", fields: { syscalls: 1 } });
    expect(a.frames).toBe(3); // SYSCALL of 257 bytes: two frames (MORE), then DONE
  });

  it("takes an argument stream cut anywhere: every split of scalar, string length, string bytes, scalar into CALL and ARGS", async () => {
    const t = await withApp();
    const stream = concat(le(1000, 2), stringArg("hello"), le(7, 1));
    for (let cut = 0; cut <= stream.length; cut++) {
      const first = await t.request("CALL", { function: FN.Mix, fuel: FUEL, args: stream.subarray(0, cut) });
      const a = cut === stream.length ? first : await t.request("ARGS", { args: stream.subarray(cut) });
      if (cut < stream.length) expect(first.end.name).toBe("ACK");
      expect(a.reports).toEqual([{ name: "SYSCALL", fields: { import: IMPORT.Print, args: stringArg("hello") } }]);
      expect(a.end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(1007, 2) } });
    }
    // One byte per frame; then a string at its buffer's capacity (19 + NUL) and one byte over it.
    let a = await t.request("CALL", { function: FN.Mix, fuel: FUEL, args: stream.subarray(0, 1) });
    for (let i = 1; i < stream.length; i++) a = await t.request("ARGS", { args: stream.subarray(i, i + 1) });
    expect(a.end).toEqual({ name: "RESULT", fields: { syscalls: 1, value: le(1007, 2) } });
    const full = "x".repeat(19);
    expect((await t.invoke("CALL", FN.Mix, FUEL, concat(le(1, 2), stringArg(full), le(2, 1)), PAYLOAD)).reports).toEqual([
      { name: "SYSCALL", fields: { import: IMPORT.Print, args: stringArg(full) } },
    ]);
    expect(errorOf(await t.invoke("CALL", FN.Mix, FUEL, concat(le(1, 2), stringArg(full + "x")), PAYLOAD))).toEqual({ code: err("argument"), detail: 0, offset: 1 });
    expect(errorOf(await t.invoke("CALL", FN.Mix, FUEL, concat(le(1, 2), stringArg(""), le(2, 1), Uint8Array.of(0)), PAYLOAD))).toEqual({
      code: err("argument"),
      detail: 0,
      offset: 3,
    });
  });

  it("answers an event without handler with DONE(0), and a handled one with its syscalls", async () => {
    const t = await withApp();
    expect((await t.invoke("EVENT", 0, FUEL, new Uint8Array(0), PAYLOAD)).end).toEqual({ name: "DONE", fields: { syscalls: 0 } });
    const key = await t.invoke("EVENT", 2, FUEL, le(0x37, 1), PAYLOAD);
    expect(key.reports).toEqual([{ name: "SYSCALL", fields: { import: IMPORT.Out8, args: le(0x37, 1) } }]);
  });

  it("faults with the kind and address: fuel from the request, memory out of bounds", async () => {
    const t = await withApp();
    expect((await t.invoke("CALL", FN.Spin, 1000, new Uint8Array(0), PAYLOAD)).end).toEqual({
      name: "FAULT",
      fields: { syscalls: 0, kind: code(FAULT_KINDS, "fuel"), address: 0 },
    });
    expect((await t.invoke("CALL", FN.Poke, FUEL, new Uint8Array(0), PAYLOAD)).end).toEqual({
      name: "FAULT",
      fields: { syscalls: 0, kind: code(FAULT_KINDS, "memory"), address: 0x1000 },
    });
    // Fuel counts instructions: Add takes 5 (MODE32 LGET LGET ADD RETF).
    expect((await t.invoke("CALL", FN.Add, 4, new Uint8Array(8), PAYLOAD)).end.name).toBe("FAULT");
    expect((await t.invoke("CALL", FN.Add, 5, new Uint8Array(8), PAYLOAD)).end.name).toBe("RESULT");
  });

  it("RESET re-initialises memory and keeps the app", async () => {
    const t = await withApp();
    expect(await count(t)).toBe(1);
    expect(await count(t)).toBe(2);
    expect((await t.request("RESET", {})).end.name).toBe("ACK");
    expect(await count(t)).toBe(1);
  });

  it("drops frames with a bad CRC or COBS silently and counts them in HELLO_REPLY", async () => {
    const t = start();
    await t.sendRaw(Uint8Array.of(0x05, 0x11, 0x01, 0x01, 0x22, 0x00)); // a frame with a wrong CRC
    await t.sendRaw(Uint8Array.of(0x09, 0x11, 0x00)); // COBS code past the end
    await t.expectSilence(100);
    const hello = (await t.request("HELLO", {})).end as Extract<Message, { name: "HELLO_REPLY" }>;
    expect(hello.fields.droppedFrames).toBe(2);
  });

  it("refuses malformed requests: version, SEALED, unknown type, wrong payload size, flags of a report", async () => {
    const t = start();
    expect(errorOf(await t.requestRaw(messageSpec("HELLO").id, new Uint8Array(0), { version: 2 }))).toEqual({ code: err("unsupported"), detail: 0, offset: 0 });
    // Without a key the device reads a sealed frame as a plain one: its answer carries the counter's low byte as the number.
    expect(errorOf(await t.requestRaw(messageSpec("HELLO").id, new Uint8Array(20), { flags: FrameFlag.Sealed, seq: 9, counter: 9 }))).toMatchObject({ code: err("unsupported") });
    expect(errorOf(await t.requestRaw(0x7f, new Uint8Array(0)))).toMatchObject({ code: err("unknown-message") });
    expect(errorOf(await t.requestRaw(messageSpec("ACK").id, new Uint8Array(0)))).toMatchObject({ code: err("unknown-message") });
    expect(errorOf(await t.requestRaw(messageSpec("HELLO").id, Uint8Array.of(0)))).toMatchObject({ code: err("malformed") });
    expect(errorOf(await t.requestRaw(messageSpec("SET_TIME").id, Uint8Array.of(1, 2, 3)))).toMatchObject({ code: err("malformed") });
    expect(errorOf(await t.requestRaw(messageSpec("CALL").id, Uint8Array.of(0, 1, 2, 3)))).toMatchObject({ code: err("malformed") });
    expect(errorOf(await t.requestRaw(messageSpec("HELLO").id, new Uint8Array(0), { flags: FrameFlag.More }))).toMatchObject({ code: err("malformed") });
    expect((await t.request("HELLO", {})).end.name).toBe("HELLO_REPLY");
  });

  it("refuses calls it cannot start: no app, no such public function, arguments that do not fit, ARGS out of sequence", async () => {
    const t = start();
    expect(errorOf(await t.invoke("CALL", 0, FUEL, new Uint8Array(0), PAYLOAD))).toMatchObject({ code: err("no-app") });
    expect(errorOf(await t.invoke("EVENT", 0, FUEL, new Uint8Array(0), PAYLOAD))).toMatchObject({ code: err("no-app") });
    expect((await t.load(testApp(), PAYLOAD)).end.name).toBe("ACK");
    expect(errorOf(await t.invoke("CALL", 99, FUEL, new Uint8Array(0), PAYLOAD))).toMatchObject({ code: err("function") });
    expect(errorOf(await t.invoke("CALL", FN.Key, FUEL, le(1, 1), PAYLOAD))).toMatchObject({ code: err("function") }); // an event handler
    expect(errorOf(await t.invoke("CALL", FN.Add, FUEL, new Uint8Array(9), PAYLOAD))).toEqual({ code: err("argument"), detail: 0, offset: 2 }); // extra byte
    expect(errorOf(await t.invoke("CALL", FN.Echo, FUEL, Uint8Array.of(255, 0), PAYLOAD))).toEqual({ code: err("argument"), detail: 0, offset: 0 }); // 255 bytes + NUL > 255
    expect(errorOf(await t.request("ARGS", { args: Uint8Array.of(1) }))).toMatchObject({ code: err("sequence") });
    // A stream left incomplete is abandoned by the next request that is not ARGS.
    expect((await t.invoke("CALL", FN.Add, FUEL, new Uint8Array(3), PAYLOAD)).end.name).toBe("ACK");
    expect((await t.request("HELLO", {})).end.name).toBe("HELLO_REPLY");
    expect(errorOf(await t.request("ARGS", { args: new Uint8Array(5) }))).toMatchObject({ code: err("sequence") });
  });

  it("refuses loads out of sequence or too large, with the offset it expected", async () => {
    const t = start();
    const app = testApp();
    expect(errorOf(await t.request("LOAD_CHUNK", { offset: 0, data: app.subarray(0, 10) }))).toMatchObject({ code: err("sequence") });
    expect(errorOf(await t.request("LOAD_COMMIT", {}))).toMatchObject({ code: err("sequence") });
    expect(errorOf(await t.request("LOAD_BEGIN", { length: 2 * 16384 - 2 * 12 + 1, crc: 0 }))).toMatchObject({ code: err("too-large") });
    expect(errorOf(await t.request("LOAD_BEGIN", { length: 27, crc: 0 }))).toMatchObject({ code: err("too-large") });
    expect((await t.request("LOAD_BEGIN", { length: app.length, crc: trailerOf(app) })).end.name).toBe("ACK");
    expect((await t.request("LOAD_CHUNK", { offset: 0, data: app.subarray(0, 100) })).end.name).toBe("ACK");
    expect(errorOf(await t.request("LOAD_CHUNK", { offset: 120, data: app.subarray(120, 130) }))).toEqual({ code: err("sequence"), detail: 0, offset: 100 });
    expect(errorOf(await t.request("LOAD_COMMIT", {}))).toEqual({ code: err("sequence"), detail: 0, offset: 100 });
    expect((await t.request("LOAD_CHUNK", { offset: 100, data: app.subarray(100) })).end.name).toBe("ACK");
    expect(errorOf(await t.request("LOAD_CHUNK", { offset: app.length, data: Uint8Array.of(0) }))).toMatchObject({ code: err("too-large") });
    expect((await t.request("LOAD_COMMIT", {})).end.name).toBe("ACK");
  });

  describe("a refused image leaves the installed app installed, running, with its memory", () => {
    const refusals: [string, () => Uint8Array, (a: Answer) => void, number?][] = [
      ["a CRC-32 that is not LOAD_BEGIN's", testApp, (a) => expect(errorOf(a)).toMatchObject({ code: err("image-crc") }), 0x12345678],
      [
        "a byte corrupted on the way (trailer kept)",
        () => corrupt(testApp(), 100, 0xee, false),
        (a) => expect(errorOf(a)).toMatchObject({ code: err("image-crc") }),
      ],
      [
        "an invalid opcode (the verifier)",
        () => {
          // The first code byte of Add (MODE32) becomes 0x0C, an undefined opcode.
          const app = testApp();
          const codeAt = app.length - 4 - findNamesLength(app) - codeLength(app);
          return corrupt(app, codeAt, 0x0c, true);
        },
        (a) => expect(errorOf(a)).toMatchObject({ code: err("verify"), detail: VERIFY_RULES.indexOf("opcode") }),
      ],
      ["a wrong magic (the container checks)", () => corrupt(testApp(), 0, 0x42, true), (a) => expect(errorOf(a)).toEqual({ code: err("verify"), detail: VERIFY_RULES.indexOf("magic"), offset: 0 })],
      ["more memory than the device has", () => testAppWith(".memory", 2000), (a) => expect(errorOf(a)).toEqual({ code: err("refused"), detail: code(REFUSALS, "memory-size"), offset: 0 })],
      ["more storage than the store holds", () => testAppWith(".storage", 5000), (a) => expect(errorOf(a)).toEqual({ code: err("refused"), detail: code(REFUSALS, "storage-size"), offset: 0 })],
    ];
    for (const [what, image, check, crc] of refusals) {
      it(what, async () => {
        const t = await withApp();
        const before = (await t.request("HELLO", {})).end;
        expect(await count(t)).toBe(1);
        const bad = image();
        check(await t.load(bad, PAYLOAD, crc ?? trailerOf(bad)));
        expect((await t.request("HELLO", {})).end).toEqual(before);
        expect(await count(t)).toBe(2);
      });
    }
  });

  it("keeps the installed app across a restart of the process (store file), and a later load replaces it", async () => {
    const store = join(mkdtempSync(join(tmpdir(), "alky-device-")), "store.bin");
    const lock = smartLock();
    const first = await withApp(lock, store);
    await first.wire.close();
    const t = start(store);
    const hello = (await t.request("HELLO", {})).end as Extract<Message, { name: "HELLO_REPLY" }>;
    expect([hello.fields.appLength, hello.fields.appCrc]).toEqual([lock.length, trailerOf(lock)]);
    expect((await t.invoke("CALL", 0, FUEL, concat(stringArg("1234"), le(0, 4)), PAYLOAD)).end.name).toBe("DONE");
    // A second app goes to the other slot; after a restart it is the one installed.
    expect((await t.load(testApp(), PAYLOAD)).end.name).toBe("ACK");
    await t.wire.close();
    const u = start(store);
    expect(((await u.request("HELLO", {})).end as Extract<Message, { name: "HELLO_REPLY" }>).fields.appCrc).toBe(trailerOf(testApp()));
    expect(await count(u)).toBe(1);
  });

  it("exits 0 at the end of its input", async () => {
    const t = start();
    expect((await t.request("HELLO", {})).end.name).toBe("HELLO_REPLY");
    await t.wire.close();
    expect(await (t.wire as ProcessWire).exited).toBe(0);
  });
});

/** Section lengths from the container header (docs/ir.md §6). */
function codeLength(image: Uint8Array): number {
  return image[18]! | (image[19]! << 8);
}
function findNamesLength(image: Uint8Array): number {
  return image[20]! | (image[21]! << 8);
}
