// `alkyvm compile` of Aryl scripts, and a rental device app's node calls under
// `alkyvm run` on the ts backend.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSolidity } from "../../compiler/fusion/solidity.js";
import { alkyvm, ensureBuilt, ROOT } from "../helpers/cli.js";

let dir: string;
let abiPath: string;
const rental = (name: string): string => join(ROOT, "examples", "rental", name);
const APPS = ["--app", `${rental("lock.alkyl")}@smartlock`, "--app", `${rental("meter.alkyl")}@meter`];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "alkyvm-aryl-"));
  const sol = compileSolidity({ source: readFileSync(rental("Rental.sol"), "utf8"), fileName: "Rental.sol" });
  if (!sol.ok) throw new Error(sol.message);
  abiPath = join(dir, "Rental.abi.json");
  writeFileSync(abiPath, JSON.stringify(sol.contract.abi));
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("alkyvm compile <script.aryl>", () => {
  it("compiles the rental script against the ABI and the apps to a verified aryl image", () => {
    const out = join(dir, "rental.alk");
    const r = alkyvm(["compile", rental("rental.aryl"), "--abi", abiPath, ...APPS, "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(alkyvm(["verify", out, "--profile", "aryl"]).stdout).toBe(`${out}: ok\n`);
    const asm = alkyvm(["disasm", out]).stdout;
    expect(asm).toContain(".profile 3 ; aryl");
    expect(asm).toContain(".func public On_PaymentEvent(string, uint32)");
    expect(asm).toContain(".import nodecall 0 send_deductUsage(uint256, uint256)");
  });

  it("prints a script's mistakes as file:line:col: error lines and exits 1", () => {
    const bad = join(dir, "bad.aryl");
    writeFileSync(bad, "On Paid(string p) { }\npublic void F() { for each (d in devices) { d.Open(); } }\n");
    const r = alkyvm(["compile", bad, "--abi", abiPath, ...APPS, "-o", join(dir, "bad.alk")]);
    expect(r.status).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe(`${bad}:1:4: error: unknown contract event 'Paid' (the ABI has: PaymentEvent, UsageDeducted, Withdrawn)`);
    expect(r.stderr).toContain(`${bad}:2:47: error: unknown device function 'Open' (the device apps' public functions: Lockout, SetPin)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a profile for a script, an ABI for an app, and a file that is not an ABI", () => {
    expect(alkyvm(["compile", rental("rental.aryl"), "--profile", "smartlock"]).status).toBe(2);
    expect(alkyvm(["compile", rental("lock.alkyl"), "--abi", abiPath]).status).toBe(2);
    const notAbi = join(dir, "not-abi.json");
    writeFileSync(notAbi, '{"hello": 1}');
    const r = alkyvm(["compile", rental("rental.aryl"), "--abi", notAbi]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`${notAbi}: not a contract ABI (a JSON list of entries, or an artifact with an "abi" list)`);
  });
});

describe("the rental lock's node calls on the ts backend", () => {
  it("reports a wrong PIN to the node and is locked out until the answer's time", () => {
    const keys = (pin: string): string[] => [...pin].flatMap((k) => ["--event", `KeyPressed('${k}')`]);
    const r = alkyvm([
      "run", rental("lock.alkyl"), "--profile", "smartlock", "--backend", "ts",
      "--time", "1000", "--call", 'SetPin("1234", 5000)', "--answer", "ReportInvalidAttempts = 1600",
      ...keys("9999"), ...keys("1234"), "--time", "1700", ...keys("1234"),
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("syscall Now"))).toEqual([
      "syscall IncorrectBeep()",
      "nodecall ReportInvalidAttempts(1) -> 1600",
      "syscall IncorrectBeep()",
      "syscall Unlock()",
    ]);
  });
});
