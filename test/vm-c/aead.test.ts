// The device side of the link's AEAD (vm-c/crypto/chacha20poly1305.c,
// docs/security.md "Authenticated link: the cipher"): the RFC 8439 test
// vectors and a differential against @noble/ciphers through a host driver
// (test/vm-c/aead-driver.c, gcc), the same file compiled warning-free for
// the AVR and the MSP430, and its size, cycles and stack on the ATmega328P
// under simavr (test/vm-c/aead-bench.c with the bench harness).

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { describe, expect, it } from "vitest";
import { BENCH_FIRMWARE_DIR } from "../../compiler/bench/avr-firmwares.js";
import { runBenchFirmware } from "../../compiler/bench/simavr-bench.js";
import {
  buildAvrFirmware,
  BUILD_ROOT,
  cachedDir,
  contentHash,
  MSP430_CFLAGS,
  parseBerkeleySize,
  REPO_ROOT,
  requireTool,
  run,
} from "../../compiler/engines/firmware-build.js";

const CRYPTO_DIR = join(REPO_ROOT, "vm-c", "crypto");
const SOURCE = join(CRYPTO_DIR, "chacha20poly1305.c");
const HEADER = join(CRYPTO_DIR, "chacha20poly1305.h");
const DRIVER = join(REPO_ROOT, "test", "vm-c", "aead-driver.c");
const BENCH = join(REPO_ROOT, "test", "vm-c", "aead-bench.c");

const WARNINGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"];

/** The host driver, built with gcc under build/vm-c/ (cached by content). */
function hostDriver(): string {
  const gcc = requireTool("gcc", "host C compiler", {});
  const flags = [...WARNINGS, "-pedantic", "-O2", "-DALKY_AEAD_TEST_HOOKS", `-I${CRYPTO_DIR}`];
  const outDir = join(BUILD_ROOT, "vm-c", `aead-driver-${contentHash([gcc, ...flags], [SOURCE, HEADER, DRIVER])}`);
  cachedDir(outDir, (tmp) => {
    run(gcc, [...flags, DRIVER, SOURCE, "-o", join(tmp, "aead-driver")], "gcc (aead driver)");
  });
  return join(outDir, "aead-driver");
}

/** Runs driver commands (one per line), returns the answer lines. */
function drive(commands: readonly string[]): string[] {
  const r = spawnSync(hostDriver(), { input: commands.join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`aead-driver failed (${r.status}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split("\n");
  expect(lines).toHaveLength(commands.length);
  return lines;
}

const hex = (b: Uint8Array): string => (b.length === 0 ? "-" : Buffer.from(b).toString("hex"));
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/[\s:]/g, ""), "hex"));
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));

function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): { ct: string; tag: string } {
  const [ct, tag] = drive([`seal ${hex(key)} ${hex(nonce)} ${hex(aad)} ${hex(pt)}`])[0]!.split(" ");
  return { ct: ct === "-" ? "" : ct!, tag: tag! };
}

const SUNSCREEN = ascii(
  "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
);
const KEY_00_1F = bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

describe("RFC 8439 test vectors", () => {
  it("§2.1.1 quarter round", () => {
    const state = new Uint8Array(64);
    const view = new DataView(state.buffer);
    [0x11111111, 0x01020304, 0x9b8d6f43, 0x01234567].forEach((w, i) => view.setUint32(4 * i, w, true));
    const out = bytes(drive([`quarter 0 1 2 3 ${hex(state)}`])[0]!);
    const words = [0, 1, 2, 3].map((i) => new DataView(out.buffer).getUint32(4 * i, true));
    expect(words).toEqual([0xea2a92f4, 0xcb1cf8ce, 0x4581472e, 0x5881c4bb]);
    expect(hex(out.subarray(16))).toBe("00".repeat(48));
  });

  it("§2.3.2 block function", () => {
    expect(drive([`block ${hex(KEY_00_1F)} 000000090000004a00000000 1`])[0]).toBe(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  it("§2.4.2 encryption", () => {
    expect(drive([`xor ${hex(KEY_00_1F)} 000000000000004a00000000 1 ${hex(SUNSCREEN)}`])[0]).toBe(
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
        "5af90bbf74a35be6b40b8eedf2785e42874d",
    );
  });

  it("§2.5.2 Poly1305", () => {
    const key = "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b";
    expect(drive([`poly ${key} ${hex(ascii("Cryptographic Forum Research Group"))}`])[0]).toBe(
      "a8061dc1305136c6c22b8baf0c0127a9",
    );
  });

  it("Appendix A.3 Poly1305 edge cases (#5-#11: partial reduction, s overflow, exactly p)", () => {
    const cases: [string, string, string, string][] = [
      // r, s, data, tag
      ["02", "00", "ff".repeat(16), "03"],
      ["02", "ff".repeat(16), "02", "03"],
      ["01", "00", "ff".repeat(16) + "f0" + "ff".repeat(15) + "11", "05"],
      ["01", "00", "ff".repeat(16) + "fb" + "fe".repeat(15) + "01".repeat(16), "00"],
      ["02", "00", "fd" + "ff".repeat(15), "fa" + "ff".repeat(15)],
      [
        "0100000000000000" + "04",
        "00",
        "e33594d7505e43b9" + "00".repeat(8) + "3394d7505e4379cd01" + "00".repeat(7) + "00".repeat(16) + "01",
        "1400000000000000" + "55",
      ],
      ["0100000000000000" + "04", "00", "e33594d7505e43b9" + "00".repeat(8) + "3394d7505e4379cd01" + "00".repeat(7) + "00".repeat(16), "13"],
    ];
    const pad = (h: string, n: number): string => h.padEnd(2 * n, "0");
    const padBlocks = (h: string): string => pad(h, Math.ceil(h.length / 32) * 16);
    const answers = drive(cases.map(([r, s, data]) => `poly ${pad(r, 16)}${pad(s, 16)} ${padBlocks(data)}`));
    expect(answers).toEqual(cases.map(([, , , tag]) => pad(tag, 16)));
  });

  it("§2.8.2 AEAD seal", () => {
    const key = bytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    const { ct, tag } = seal(key, bytes("070000004041424344454647"), bytes("50515253c0c1c2c3c4c5c6c7"), SUNSCREEN);
    expect(ct).toBe(
      "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" +
        "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" +
        "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
        "3ff4def08e4b7a9de576d26586cec64b6116",
    );
    expect(tag).toBe("1ae10b594f09e26a7e902ecbd0600691");
  });

  it("Appendix A.5 AEAD open", () => {
    const key = "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0";
    const ct =
      "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e382d26b0" +
      "bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855" +
      "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d46a59b5216cde7a4e9" +
      "9040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a" +
      "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049e617d91d361094fa68f0ff77987130" +
      "305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b";
    const plain = ascii(
      "Internet-Drafts are draft documents valid for a maximum of six months and may be updated, replaced, " +
        "or obsoleted by other documents at any time. It is inappropriate to use Internet-Drafts as reference " +
        "material or to cite them other than as /\u201cwork in progress./\u201d",
    );
    const [answer] = drive([`open ${key} 000000000102030405060708 f33388860000000000004e91 ${ct} eead9d67890cbb22392336fea1851f38`]);
    expect(answer).toBe(`1 ${hex(plain)}`);
  });
});

const FIXED_LENGTHS = [0, 1, 15, 16, 17, 63, 64, 65, 200, 255];

interface Case {
  key: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  pt: Uint8Array;
}

function randomCases(): Case[] {
  const lengths = [...FIXED_LENGTHS, ...Array.from({ length: 20 }, () => Math.floor(Math.random() * 600))];
  return lengths.map((len, i) => ({
    key: new Uint8Array(randomBytes(32)),
    nonce: new Uint8Array(randomBytes(12)),
    aad: new Uint8Array(randomBytes([0, 1, 8, 12, 16, 17, 33][i % 7]!)),
    pt: new Uint8Array(randomBytes(len)),
  }));
}

describe("differential against @noble/ciphers", () => {
  it("C seal -> noble open, on random keys, nonces, AADs and messages", () => {
    const cases = randomCases();
    const answers = drive(cases.map((c) => `seal ${hex(c.key)} ${hex(c.nonce)} ${hex(c.aad)} ${hex(c.pt)}`));
    cases.forEach((c, i) => {
      const [ct, tag] = answers[i]!.split(" ");
      const sealed = bytes((ct === "-" ? "" : ct!) + tag!);
      const noble = chacha20poly1305(c.key, c.nonce, c.aad);
      expect(hex(noble.encrypt(c.pt)), `length ${c.pt.length}`).toBe(hex(sealed));
      expect(hex(noble.decrypt(sealed))).toBe(hex(c.pt));
    });
  });

  it("noble seal -> C open, on random keys, nonces, AADs and messages", () => {
    const cases = randomCases();
    const sealed = cases.map((c) => chacha20poly1305(c.key, c.nonce, c.aad).encrypt(c.pt));
    const answers = drive(
      cases.map((c, i) => {
        const s = sealed[i]!;
        return `open ${hex(c.key)} ${hex(c.nonce)} ${hex(c.aad)} ${hex(s.subarray(0, -16))} ${hex(s.subarray(-16))}`;
      }),
    );
    cases.forEach((c, i) => expect(answers[i], `length ${c.pt.length}`).toBe(`1 ${hex(c.pt)}`));
  });

  it("rejects a flipped bit in the tag, the ciphertext, the AAD, the nonce or the key, and leaves the data as it was", () => {
    const commands: string[] = [];
    const expected: string[] = [];
    for (const len of [0, 1, 16, 64, 65, 200]) {
      const c: Case = randomCases()[0]!;
      c.pt = new Uint8Array(randomBytes(len));
      c.aad = new Uint8Array(randomBytes(8));
      const s = chacha20poly1305(c.key, c.nonce, c.aad).encrypt(c.pt);
      const ct = s.subarray(0, -16);
      const tag = s.subarray(-16);
      const flip = (b: Uint8Array): Uint8Array => {
        const copy = Uint8Array.from(b);
        copy[Math.floor(Math.random() * copy.length)]! ^= 1 << Math.floor(Math.random() * 8);
        return copy;
      };
      const variants: [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array][] = [
        [c.key, c.nonce, c.aad, ct, flip(tag)],
        [c.key, c.nonce, flip(c.aad), ct, tag],
        [c.key, flip(c.nonce), c.aad, ct, tag],
        [flip(c.key), c.nonce, c.aad, ct, tag],
        [c.key, c.nonce, c.aad.subarray(1), ct, tag], // a shorter AAD
      ];
      if (len > 0) {
        variants.push([c.key, c.nonce, c.aad, flip(ct), tag]);
        variants.push([c.key, c.nonce, c.aad, ct.subarray(0, -1), tag]); // a truncated ciphertext
      }
      for (const [key, nonce, aad, data, t] of variants) {
        commands.push(`open ${hex(key)} ${hex(nonce)} ${hex(aad)} ${hex(data)} ${hex(t)}`);
        expected.push(`0 ${hex(data)}`);
      }
    }
    expect(drive(commands)).toEqual(expected);
  });
});

/** Compiles the cipher alone to an object file with a cross compiler (cached), returns its size. */
function crossObjectSize(target: string, cc: string, sizeTool: string, flags: readonly string[]) {
  const compiler = requireTool(cc, `${target} compiler`, {});
  const size = requireTool(sizeTool, `${target} size tool`, {});
  const outDir = join(BUILD_ROOT, "vm-c", `aead-${target}-${contentHash([compiler, ...flags], [SOURCE, HEADER])}`);
  const object = join(outDir, "chacha20poly1305.o");
  cachedDir(outDir, (tmp) => {
    run(compiler, [...flags, "-c", SOURCE, "-o", join(tmp, "chacha20poly1305.o")], `${cc} (chacha20poly1305.c)`);
  });
  return parseBerkeleySize(run(size, [object], sizeTool));
}

describe("the device builds", () => {
  // docs/security.md has the measured sizes; the bounds catch a large regression.
  it("compiles warning-free with avr-gcc (-Os -mcall-prologues) and no static RAM", () => {
    const s = crossObjectSize("avr", "avr-gcc", "avr-size", ["-mmcu=atmega328p", "-Os", "-mcall-prologues", ...WARNINGS]);
    expect(s.data + s.bss).toBe(0);
    expect(s.text).toBeLessThan(1800);
  });

  it("compiles warning-free with clang --target=msp430 (-Oz) and no static RAM", () => {
    const s = crossObjectSize("msp430", "clang", "llvm-size", [...MSP430_CFLAGS.filter((f) => f !== "-Os"), "-Oz"]);
    expect(s.data + s.bss).toBe(0);
    expect(s.text).toBeLessThan(2100);
  });

  const BENCH_KEY = bytes("00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0");
  const benchInputs = () => ({
    nonce: Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i),
    aad: Uint8Array.from({ length: 8 }, (_, i) => 0x10 * i + 1),
    data: Uint8Array.from({ length: 64 }, (_, i) => (3 * i + 7) & 0xff),
  });
  const benchFirmware = (open: boolean) =>
    buildAvrFirmware({
      name: open ? "aead_open_bench" : "aead_seal_bench",
      sources: [BENCH, SOURCE],
      includeDirs: [CRYPTO_DIR, BENCH_FIRMWARE_DIR],
      defines: [`AEAD_BENCH_OPEN=${open ? 1 : 0}`, "ALKY_AEAD_KEY_BYTE(key,i)=pgm_read_byte((key)+(i))"],
      extraFlags: ["-mcall-prologues", "-include", "avr/pgmspace.h"],
    });

  it("seals a 64-byte payload with 8 bytes of AAD on the ATmega328P (simavr), key in flash, as noble does", () => {
    const { nonce, aad, data } = benchInputs();
    const tag = chacha20poly1305(BENCH_KEY, nonce, aad).encrypt(data).subarray(-16);
    const r = runBenchFirmware(benchFirmware(false).elf, "aead seal bench");
    expect(r.result & 0xffff).toBe(tag[0]! | (tag[1]! << 8));
    const stack = r.result >>> 16;
    console.log(`alky_aead_seal, 64 bytes + 8 AAD: ${r.cycles} cycles, peak stack ${stack} bytes`);
    // 16 MHz: well under the 67 ms a 64-byte payload takes on the wire at 9600 baud.
    expect(r.cycles).toBeLessThan(400_000);
    expect(stack).toBeGreaterThan(100);
    expect(stack).toBeLessThan(240);
  });

  it("opens it again on the ATmega328P (simavr): accepted, plaintext restored", () => {
    const r = runBenchFirmware(benchFirmware(true).elf, "aead open bench");
    expect(r.result & 0xffff).toBe(1);
    const stack = r.result >>> 16;
    console.log(`alky_aead_open, 64 bytes + 8 AAD: ${r.cycles} cycles, peak stack ${stack} bytes`);
    expect(r.cycles).toBeLessThan(400_000);
    expect(stack).toBeLessThan(240);
  });
});
