// The key tooling of the sealed link (docs/security.md "Authenticated link:
// protocol and keys"): `alkyvm keys new`, `alkyvm firmware --key` (the key
// compiled in, the outputs private), `alkyvm run --backend c|avr --key`.

import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { alkyvm, ensureBuilt } from "../helpers/cli.js";

beforeAll(() => ensureBuilt(), 120_000);

const mode = (path: string): number => statSync(path).mode & 0o777;

describe("alkyvm keys new", () => {
  const dir = mkdtempSync(join(tmpdir(), "alkyvm-keys-"));

  it("writes a fresh 32-byte key with mode 0600, prints its path and file: reference, never the key", () => {
    const r = alkyvm(["keys", "new", "lock-1"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const path = join(dir, "keys", "lock-1.key");
    const key = readFileSync(path, "utf8").trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(dir, "keys"))).toBe(0o700);
    expect(r.stdout).toContain('"key": "file:keys/lock-1.key"');
    expect(r.stdout).not.toContain(key);
    const other = alkyvm(["keys", "new", "lock-2", "--out", "k2.key"], { cwd: dir });
    expect(other.status).toBe(0);
    expect(readFileSync(join(dir, "k2.key"), "utf8").trim()).not.toBe(key);
  });

  it("refuses to overwrite a key without --force, and replaces it with --force", () => {
    const path = join(dir, "keep.key");
    writeFileSync(path, "old\n");
    const r = alkyvm(["keys", "new", "lock-3", "--out", "keep.key"], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/keep\.key: exists already .*--force/);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(readFileSync(path, "utf8")).toBe("old\n");
    expect(alkyvm(["keys", "new", "lock-3", "--out", "keep.key", "--force"], { cwd: dir }).status).toBe(0);
    expect(readFileSync(path, "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(mode(path)).toBe(0o600);
  });

  it("refuses bad device names and subcommands as usage errors", () => {
    expect(alkyvm(["keys", "new", "../x"], { cwd: dir }).status).toBe(2);
    expect(alkyvm(["keys", "old", "x"], { cwd: dir }).status).toBe(2);
  });
});

describe("a sealed link from the command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "alkyvm-sealed-cli-"));
  const app = join(dir, "count.asm");
  let keyRef = "";
  let key = "";

  beforeAll(() => {
    expect(alkyvm(["keys", "new", "dev", "--out", "dev.key"], { cwd: dir }).status).toBe(0);
    keyRef = `file:${join(dir, "dev.key")}`;
    key = readFileSync(join(dir, "dev.key"), "utf8").trim();
    writeFileSync(
      app,
      [".profile test", ".memory 16", ".import syscall Out8(uint8)", ".func public Count() -> uint8", "    MODE8", "    PUSH 7", "    DUP1", "    SYSCALL Out8", "    RETF", ""].join("\n"),
    );
    expect(alkyvm(["asm", app, "-o", join(dir, "count.alk")]).status).toBe(0);
  }, 60_000);

  it("alkyvm firmware --board uno --key compiles the key in: key header and outputs are the owner's only", () => {
    const out = join(dir, "fw-uno");
    const r = alkyvm(["firmware", "--board", "uno", "--key", keyRef, "-o", out, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(key);
    const json = JSON.parse(r.stdout.trim().split("\n").pop()!) as { elf: string; hex: string; flash: number };
    expect(mode(join(out, "include", "alky_link_key.h"))).toBe(0o600);
    expect(mode(json.elf)).toBe(0o600);
    expect(mode(json.hex)).toBe(0o600);
    expect(mode(join(out, ".alkyvm"))).toBe(0o700);
    // The key sits in flash, in the HEX a programmer writes.
    expect(readFileSync(json.hex, "utf8").replace(/^:.{8}|..\r?$/gm, "").replace(/\s/g, "").toLowerCase()).toContain(key.slice(0, 24));
  }, 120_000);

  it("alkyvm firmware --key is refused for the MSP430 and for a bad key reference, in one line", () => {
    const msp = alkyvm(["firmware", "--board", "lpmsp430g2553", "--key", keyRef, "-o", join(dir, "fw-msp")]);
    expect(msp.status).toBe(1);
    expect(msp.stderr).toMatch(/no sealed firmware/);
    const bad = alkyvm(["firmware", "--board", "uno", "--key", "file:/nonexistent/k", "-o", join(dir, "fw-bad")]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("alkyvm run --backend c --key runs over a sealed link; twice in a row (the counters persist)", () => {
    for (let i = 0; i < 2; i++) {
      const r = alkyvm(["run", join(dir, "count.alk"), "--backend", "c", "--key", keyRef, "--call", "Count()"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("Out8(7)");
      expect(r.stdout).not.toContain(key);
    }
  }, 120_000);

  it("alkyvm run --backend avr --key runs on the emulated Uno built with the key", () => {
    const r = alkyvm(["run", join(dir, "count.alk"), "--backend", "avr", "--key", keyRef, "--call", "Count()"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Out8(7)");
  }, 120_000);

  it("alkyvm run --backend ts --key is refused: the reference VM has no link", () => {
    const r = alkyvm(["run", join(dir, "count.alk"), "--backend", "ts", "--key", keyRef, "--call", "Count()"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no sealed firmware/);
  });
});
