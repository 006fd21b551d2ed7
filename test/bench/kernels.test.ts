// The benchmark kernels of bench/kernels/: each is written twice, in C
// (bench_<name>()) and in Alkyl (public Run()), and both must compute the
// same 32-bit checksum. The C is built on the host with gcc (under UBSan, so
// undefined behaviour fails the test) and compiled warning-free for the
// ATmega328P (avr-gcc) and the MSP430G2553 (clang); the Alkyl runs on the
// reference VM within the default fuel and at most 256 bytes of memory.
// Where an independent expectation exists (node:crypto's MD5, published
// RC5/CRC check values, Array.prototype.sort, BigInt arithmetic, plain TS
// reimplementations) the checksum is also compared against it.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { Device, compile } from "../lang/helpers.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const KERNELS = join(ROOT, "bench", "kernels");
const BUILD = join(ROOT, "build", "bench-kernels");
const WARN = ["-std=c99", "-Wall", "-Wextra", "-Werror"];

const names = readdirSync(KERNELS)
  .filter((f) => f.endsWith(".c"))
  .map((f) => f.slice(0, -2))
  .sort();

function requireTool(tool: string): void {
  const probe = spawnSync(tool, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) throw new Error(`${tool} is not installed: run scripts/setup.sh`);
}

function run(cmd: string, args: string[], cwd = BUILD): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------
// Independent expectations (TypeScript, from the kernels' descriptions in
// bench/kernels/README.md).

const M32 = 0xffffffffn;

/** The LCG every kernel draws its input from: s = s * 1664525 + 1013904223, s0 = 1. */
function lcg(): () => number {
  let s = 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function top(v: number, width: number): number {
  return width === 32 ? v : v >>> (32 - width);
}

/** h = h * 31 + x (mod 2^32) over the values. */
function hash(values: Iterable<number | bigint>, h0 = 0): number {
  let h = BigInt(h0);
  for (const v of values) h = (h * 31n + BigInt(v)) & M32;
  return Number(h);
}

function sortedChecksum(width: number): number {
  const next = lcg();
  const a = Array.from({ length: 32 }, () => top(next(), width));
  return hash(a.sort((x, y) => x - y));
}

function bsearchChecksum(width: number): number {
  const step = { 8: 30, 16: 22, 32: 6 }[width]!;
  const keyShift = { 8: 25, 16: 18, 32: 3 }[width]!;
  const next = lcg();
  const a: number[] = [];
  let prev = 0;
  for (let i = 0; i < 32; i++) {
    prev = prev + 1 + (next() >>> step);
    a.push(prev);
  }
  expect(Math.max(...a)).toBeLessThan(2 ** width);
  const rs: number[] = [];
  for (let k = 0; k < 64; k++) {
    const s = next();
    const key = k & 1 ? s >>> keyShift : a[s >>> 27]!;
    const i = a.indexOf(key);
    rs.push(i < 0 ? 256 + a.filter((x) => x < key).length : i + 1);
  }
  return hash(rs);
}

function md5Checksum(message: string): number {
  const d = createHash("md5").update(message).digest();
  return (d.readUInt32LE(0) ^ d.readUInt32LE(4) ^ d.readUInt32LE(8) ^ d.readUInt32LE(12)) >>> 0;
}

/** XXTEA encryption as published by Wheeler and Needham (the Wikipedia `btea` with n > 0). */
function xxteaEncrypt(v: number[], k: number[]): number[] {
  const n = v.length;
  const out = v.slice();
  let rounds = 6 + Math.floor(52 / n);
  let sum = 0;
  let z = out[n - 1]!;
  const mx = (y: number, z: number, p: number, e: number) =>
    ((((z >>> 5) ^ (y << 2)) + ((y >>> 3) ^ (z << 4))) ^ ((sum ^ y) + (k[(p & 3) ^ e]! ^ z))) >>> 0;
  do {
    sum = (sum + 0x9e3779b9) >>> 0;
    const e = (sum >>> 2) & 3;
    let p: number;
    for (p = 0; p < n - 1; p++) {
      const y = out[p + 1]!;
      z = out[p] = (out[p]! + mx(y, z, p, e)) >>> 0;
    }
    const y = out[0]!;
    z = out[n - 1] = (out[n - 1]! + mx(y, z, p, e)) >>> 0;
  } while (--rounds);
  return out;
}

function rotl(x: number, n: number): number {
  n &= 31;
  return ((x << n) | (x >>> ((32 - n) & 31))) >>> 0;
}

/** RC5-32/12/b key expansion from key bytes, then encryption of [A, B] blocks. */
function rc5Encrypt(key: Uint8Array, blocks: [number, number][]): [number, number][] {
  const c = Math.max(1, Math.ceil(key.length / 4));
  const L = new Array<number>(c).fill(0);
  for (let i = key.length - 1; i >= 0; i--) L[i >> 2] = ((L[i >> 2]! << 8) + key[i]!) >>> 0;
  const t = 26;
  const S = [0xb7e15163];
  for (let i = 1; i < t; i++) S.push((S[i - 1]! + 0x9e3779b9) >>> 0);
  let A = 0, B = 0, i = 0, j = 0;
  for (let k = 0; k < 3 * Math.max(t, c); k++) {
    A = S[i] = rotl((S[i]! + A + B) >>> 0, 3);
    B = L[j] = rotl((L[j]! + A + B) >>> 0, (A + B) >>> 0);
    i = (i + 1) % t;
    j = (j + 1) % c;
  }
  return blocks.map(([a, b]) => {
    a = (a + S[0]!) >>> 0;
    b = (b + S[1]!) >>> 0;
    for (let r = 1; r <= 12; r++) {
      a = (rotl(a ^ b, b) + S[2 * r]!) >>> 0;
      b = (rotl(b ^ a, a) + S[2 * r + 1]!) >>> 0;
    }
    return [a, b];
  });
}

function crc16CcittFalse(data: Iterable<number>): number {
  let crc = 0xffff;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function outlierChecksum(): number {
  const next = lcg();
  const x = Array.from({ length: 20 }, () => 1000 + (next() >>> 26));
  x[3] = -2000;
  x[11] = 5000;
  x[17] = 1130;
  let mask = 0n;
  const counts = x.map((xi, i) => {
    const count = x.filter((xj) => Math.abs(xi - xj) > 100).length;
    if (count > 10) mask |= 1n << BigInt(i);
    return count;
  });
  return hash([mask], hash(counts));
}

/** The micro kernels with BigInt arithmetic at the width. */
function microChecksum(op: string, width: number): number {
  const next = lcg();
  const value = (): bigint => {
    if (width < 32) return BigInt(top(next(), width));
    let x = 0n;
    for (let k = 0; k < width / 32; k++) x |= BigInt(next()) << BigInt(32 * k);
    return x;
  };
  const a: bigint[] = [], b: bigint[] = [];
  for (let j = 0; j < 2; j++) {
    a.push(value());
    b.push(value());
  }
  if (op === "mul") for (let j = 0; j < 2; j++) b[j]! |= 1n;
  let n = 0;
  for (let r = 0; r < 32; r++)
    for (let j = 0; j < 2; j++) {
      if (op === "add") a[j] = BigInt.asUintN(width, a[j]! + b[j]!);
      else if (op === "mul") a[j] = BigInt.asUintN(width, a[j]! * b[j]!);
      else if (op === "cmp") n += a[j]! < b[(j + r) & 1]! ? 1 : 0;
      else a[(j + r) & 1] = b[j]!;
    }
  if (op === "cmp") return n;
  const fold = (x: bigint): bigint => {
    let f = 0n;
    for (let k = 0; k < Math.max(1, width / 32); k++) f ^= (x >> BigInt(32 * k)) & M32;
    return f;
  };
  return hash(a.map(fold));
}

const EXPECTED: Record<string, () => number> = {
  md5: () => md5Checksum("The quick brown fox jumps over the lazy dog"),
  xxtea: () => {
    const next = lcg();
    const k = Array.from({ length: 4 }, next);
    const v = Array.from({ length: 8 }, next);
    return hash(xxteaEncrypt(v, k));
  },
  rc5: () => {
    const next = lcg();
    const key = new Uint8Array(16);
    const view = new DataView(key.buffer);
    for (let i = 0; i < 4; i++) view.setUint32(4 * i, next(), true);
    const d = Array.from({ length: 8 }, next);
    const blocks: [number, number][] = [0, 2, 4, 6].map((i) => [d[i]!, d[i + 1]!]);
    return hash(rc5Encrypt(key, blocks).flat());
  },
  crc16: () => {
    const next = lcg();
    return crc16CcittFalse(Array.from({ length: 64 }, () => next() >>> 24));
  },
  outlier: outlierChecksum,
};
for (const w of [8, 16, 32]) {
  EXPECTED[`bubble${w}`] = () => sortedChecksum(w);
  EXPECTED[`heap${w}`] = () => sortedChecksum(w);
  EXPECTED[`bsearch${w}`] = () => bsearchChecksum(w);
}
for (const op of ["add", "mul", "cmp", "assign"])
  for (const w of [8, 16, 32, 64, 256]) EXPECTED[`${op}${w}`] = () => microChecksum(op, w);

// ---------------------------------------------------------------------------

let host: Map<string, number>;

beforeAll(() => {
  requireTool("gcc");
  mkdirSync(BUILD, { recursive: true });
  const main = [
    "#include <stdint.h>",
    "#include <stdio.h>",
    ...names.map((n) => `uint32_t bench_${n}(void);`),
    "int main(void)",
    "{",
    ...names.map((n) => `    printf("${n} %lu\\n", (unsigned long)bench_${n}());`),
    "    return 0;",
    "}",
    "",
  ].join("\n");
  writeFileSync(join(BUILD, "main.c"), main);
  const exe = join(BUILD, "kernels");
  run("gcc", [...WARN, "-O2", "-fsanitize=undefined", "-fno-sanitize-recover=all", "-o", exe, join(BUILD, "main.c"), ...names.map((n) => join(KERNELS, `${n}.c`))]);
  host = new Map(
    run(exe, [])
      .trim()
      .split("\n")
      .map((l) => l.split(" "))
      .map(([n, v]) => [n!, Number(v)]),
  );
}, 120_000);

describe("the expectations' own references", () => {
  it("RC5-32/12/16 gives Rivest's first test vector (zero key, zero block -> 21A5DBEE 154B8F6D)", () => {
    const [[a, b]] = rc5Encrypt(new Uint8Array(16), [[0, 0]]) as [[number, number]];
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(a, 0);
    bytes.writeUInt32LE(b, 4);
    expect(bytes.toString("hex")).toBe("21a5dbee154b8f6d");
  });

  it("CRC-16/CCITT-FALSE of '123456789' is the catalogue's check value 0x29B1", () => {
    expect(crc16CcittFalse(Buffer.from("123456789"))).toBe(0x29b1);
  });

  it("XXTEA round-trips with an independent decryption", () => {
    const k = [0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210];
    const v = [1, 2, 3, 4, 5, 6, 7, 8];
    const c = xxteaEncrypt(v, k);
    // Decryption (the `btea` with n < 0).
    const n = c.length;
    const out = c.slice();
    let rounds = 6 + Math.floor(52 / n);
    let sum = (rounds * 0x9e3779b9) >>> 0;
    let y = out[0]!;
    const mx = (y: number, z: number, p: number, e: number) =>
      ((((z >>> 5) ^ (y << 2)) + ((y >>> 3) ^ (z << 4))) ^ ((sum ^ y) + (k[(p & 3) ^ e]! ^ z))) >>> 0;
    do {
      const e = (sum >>> 2) & 3;
      let p: number;
      for (p = n - 1; p > 0; p--) {
        const z = out[p - 1]!;
        y = out[p] = (out[p]! - mx(y, z, p, e)) >>> 0;
      }
      const z = out[n - 1]!;
      y = out[0] = (out[0]! - mx(y, z, p, e)) >>> 0;
      sum = (sum - 0x9e3779b9) >>> 0;
    } while (--rounds);
    expect(c).not.toEqual(v);
    expect(out).toEqual(v);
  });
});

describe("benchmark kernels: C and Alkyl compute the same checksum", () => {
  it("every kernel has a C and an Alkyl file", () => {
    const alkyl = readdirSync(KERNELS).filter((f) => f.endsWith(".alkyl")).map((f) => f.slice(0, -6)).sort();
    expect(alkyl).toEqual(names);
    expect(names.length).toBeGreaterThanOrEqual(35);
  });

  for (const name of names) {
    it(name, () => {
      const source = readFileSync(join(KERNELS, `${name}.alkyl`), "utf8");
      const compiled = compile(source, "test");
      expect(compiled.image.memorySize, "memory of the Alkyl app").toBeLessThanOrEqual(256);
      const device = new Device(compiled); // default fuel 1,000,000
      const alkyl = Number(device.value("Run"));
      const c = host.get(name);
      expect(c, `bench_${name}() on the host`).toBeDefined();
      expect(alkyl).toBe(c);
      const expected = EXPECTED[name];
      if (expected) expect(alkyl, "independent expectation").toBe(expected());
    });
  }
});

describe("benchmark kernels compile warning-free for the MCUs (run scripts/setup.sh if a toolchain is missing)", () => {
  it("avr-gcc -mmcu=atmega328p", () => {
    requireTool("avr-gcc");
    const out = join(BUILD, "avr");
    mkdirSync(out, { recursive: true });
    run("avr-gcc", ["-mmcu=atmega328p", "-Os", ...WARN, "-c", ...names.map((n) => join(KERNELS, `${n}.c`))], out);
  }, 120_000);

  it("clang --target=msp430", () => {
    requireTool("clang");
    const out = join(BUILD, "msp430");
    mkdirSync(out, { recursive: true });
    run("clang", ["--target=msp430", "-mmcu=msp430g2553", "-ffreestanding", "-Os", ...WARN, "-c", ...names.map((n) => join(KERNELS, `${n}.c`))], out);
  }, 120_000);
});
