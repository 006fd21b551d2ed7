import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";

const LOCK = "examples/smartlock/lock.alkyl";

beforeAll(() => ensureBuilt(), 120_000);

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "alkyvm-cli-"));
}

describe("alkyvm run", () => {
  it("runs the paper's lock on the demo steps: a wrong PIN beeps, the right one unlocks", () => {
    const r = alkyvm(["run", LOCK, "--profile", "smartlock", "--steps", "examples/smartlock/demo.steps"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("syscall IncorrectBeep()\nsyscall Unlock()\n");
    expect(r.status).toBe(0);
  });

  it("keeps the order of interleaved --call, --event and --time steps", () => {
    const r = alkyvm([
      "run", LOCK, "--profile", "smartlock",
      "--event", "KeyPressed('9')", "--call", 'SetPin("1111", 5)',
      ..."1111".split("").flatMap((k) => ["--event", `KeyPressed('${k}')`]),
    ]);
    expect(r.stdout).toBe("syscall Unlock()\n");
  });

  it("prints JSON lines with --json", () => {
    const r = alkyvm(["run", LOCK, "--profile", "smartlock", "--json", "--steps", "examples/smartlock/demo.steps"]);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { effect: "syscall", name: "IncorrectBeep", args: [], line: "syscall IncorrectBeep()" },
      { effect: "syscall", name: "Unlock", args: [], line: "syscall Unlock()" },
    ]);
  });

  it("reports a bad step as an error line and goes on with the next step", () => {
    const r = alkyvm(["run", LOCK, "--profile", "smartlock", "--call", "Open()", "--call", 'SetPin("12345678901234567890123456789012345", 1)', "--event", "Knock()"]);
    expect(r.stdout.split("\n").slice(0, 3)).toEqual([
      "error call: no public function 'Open'",
      "error call: argument 1 of SetPin: string of 35 bytes does not fit its 31-byte buffer",
      "error event: no event 'Knock' in profile smartlock",
    ]);
    expect(r.status).toBe(0);
  });

  it("faults an invocation that runs out of fuel and runs the next step", () => {
    const dir = tmp();
    const src = join(dir, "spin.alkyl");
    writeFileSync(src, "public uint32_t Spin() { uint32_t i = 0; while (true) { i++; } return i; }\npublic uint8_t One() { return 1; }\n");
    const r = alkyvm(["run", src, "--fuel", "1000", "--call", "Spin()", "--call", "One()"]);
    expect(r.stdout).toBe("error fuel: instruction budget exhausted\nreturn 1\n");
  });
});

describe("alkyvm compile and disasm", () => {
  it("writes an image next to the source by default and disassembles it", () => {
    const dir = tmp();
    const src = join(dir, "lock.alkyl");
    writeFileSync(src, readFileSync(LOCK));
    const c = alkyvm(["compile", src, "--profile", "smartlock"]);
    expect(c.status).toBe(0);
    expect(existsSync(join(dir, "lock.alk"))).toBe(true);
    const d = alkyvm(["disasm", join(dir, "lock.alk")]);
    expect(d.status).toBe(0);
    expect(d.stdout).toContain("KeyPressed");
    const asm = alkyvm(["compile", src, "--profile", "smartlock", "--emit", "asm"]);
    expect(asm.stdout).toBe(d.stdout);
  });

  it("prints a compile error as file:line:col with a caret and exits 1", () => {
    const dir = tmp();
    const src = join(dir, "bad.alkyl");
    writeFileSync(src, "deviceevent void KeyPressed(char key) {\n  SystemCall(Open);\n}\n");
    const r = alkyvm(["compile", src, "--profile", "smartlock"]);
    expect(r.status).toBe(1);
    const [first, line, caret] = r.stderr.split("\n");
    expect(first).toMatch(new RegExp(`^${src.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:14: error: .*Open`));
    expect(line).toBe("  SystemCall(Open);");
    expect(caret).toMatch(/^ {13}\^/);
    expect(existsSync(join(dir, "bad.alk"))).toBe(false);
  });

  it("refuses a corrupted image with one line and exit 1", () => {
    const dir = tmp();
    const src = join(dir, "lock.alkyl");
    writeFileSync(src, readFileSync(LOCK));
    alkyvm(["compile", src, "--profile", "smartlock", "-o", join(dir, "lock.alk")]);
    const bytes = readFileSync(join(dir, "lock.alk"));
    bytes[bytes.length - 10] ^= 0x55;
    writeFileSync(join(dir, "bad.alk"), bytes);
    const r = alkyvm(["run", join(dir, "bad.alk"), "--call", "SetPin(\"1\", 1)"]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/error verify: offset \d+: crc: /);
  });
});

describe("usage and input errors", () => {
  it("exits 2 on an unknown option", () => {
    const r = alkyvm(["run", LOCK, "--frobnicate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option --frobnicate");
  });

  it("exits 2 on an unknown profile or backend", () => {
    expect(alkyvm(["run", LOCK, "--profile", "toaster"]).status).toBe(2);
    expect(alkyvm(["run", LOCK, "--profile", "smartlock", "--backend", "quantum"]).status).toBe(2);
  });

  it("names a missing input file in one line and exits 1", () => {
    const r = alkyvm(["compile", "nope.alkyl"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("nope.alkyl: no such file\n");
  });
});

describe("bad input files: one line naming the problem, exit 1, nothing written", () => {
  const cases: { name: string; content: Buffer | string; command: (file: string) => string[]; message: RegExp }[] = [
    { name: "a binary file as source", content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), command: (f) => ["compile", f], message: /not a text file \(NUL byte at offset 4\)/ },
    { name: "invalid UTF-8 as source", content: Buffer.from([0x70, 0x75, 0x62, 0xff, 0xfe]), command: (f) => ["compile", f], message: /not a text file \(invalid UTF-8 at offset 3\)/ },
    { name: "an oversized source", content: "// x\n".repeat(300_000), command: (f) => ["compile", f], message: /larger than 1048576 bytes/ },
    { name: "a binary steps file", content: Buffer.from([0x63, 0x61, 0, 0x6c]), command: (f) => ["run", LOCK, "--profile", "smartlock", "--steps", f], message: /not a text file/ },
    { name: "a directory as source", content: "", command: () => ["compile", tmpdir()], message: /is a directory/ },
    { name: "a truncated image", content: Buffer.from("ALKY"), command: (f) => ["disasm", f], message: /./ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const dir = tmp();
      const file = join(dir, "input.alkyl");
      writeFileSync(file, c.content);
      const r = alkyvm(c.command(file));
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(c.message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, "input.alk"))).toBe(false);
    });
  }
});

describe("alkyvm run --size", () => {
  it("prints the board firmware's flash and static RAM against its budget, read from the ELF, then runs the steps", () => {
    const r = alkyvm(["run", LOCK, "--profile", "smartlock", "--backend", "msp430", "--size", "--steps", "examples/smartlock/demo.steps"]);
    expect(r.stderr).toBe("");
    const [size, ...trace] = r.stdout.trim().split("\n");
    const m = /^lpmsp430g2553: flash (\d+) bytes \(budget 16384, chip 16384\), static RAM (\d+) bytes \(budget 416, chip 512\): within budget$/.exec(size!);
    expect(m, size).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(4096);
    expect(Number(m![2])).toBeGreaterThan(64 + 48);
    expect(trace).toEqual(["syscall IncorrectBeep()", "syscall Unlock()"]);
  });

  it("is a usage error for a backend without a board", () => {
    const r = alkyvm(["run", LOCK, "--profile", "smartlock", "--backend", "c", "--size"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--size needs a board backend");
  });
});

describe("alkyvm run on a device without a feature the app needs", () => {
  it("reports the device's refusal in one line, names the missing feature and exits 1", () => {
    const r = alkyvm(["run", "test/conformance/arith_256.alkyl", "--steps", "test/conformance/arith_256.steps", "--backend", "msp430"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("alkyvm: backend msp430: device refused the request: refused: features (the image needs features this device lacks): the app needs w256\n");
  });
});
