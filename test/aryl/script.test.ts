// The Aryl script runner (aryl/script.ts): compiled scripts run against a host
// that records what the script asks of the node (device calls, contract reads
// and transactions, state, log lines).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileAlkyl, compileAryl, formatDiagnostic } from "../../compiler/compile.js";
import { compileSolidity } from "../../compiler/fusion/solidity.js";
import type { Image } from "../../compiler/ir/image.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { eciesEncrypt, generateKeyPair, eciesDecrypt, toHex } from "../../aryl/ecies.js";
import { ArylScript, ArylScriptError, type ArylHost, type ScriptValue } from "../../aryl/script.js";

const ROOT = join(import.meta.dirname, "..", "..");
const example = (name: string): string => readFileSync(join(ROOT, "examples", "rental", name), "utf8");

const TENANT = 0x00000000000000000000000000000000000000a1n;
const TIMESTAMP = 1_764_547_200n;

function show(v: ScriptValue): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/**
 * A node as far as a script can tell: named devices in groups, the node's key,
 * a block, shared state, and a rental contract (tenant, balances) that answers
 * reads and applies deductUsage transactions. Every request is recorded.
 */
class RecordingHost implements ArylHost {
  readonly effects: string[] = [];
  readonly stored = new Map<string, bigint>();
  readonly balances = new Map<bigint, bigint>([[TENANT, 10n ** 15n]]);
  /** Milliseconds each contract read takes. */
  readDelay = 0;
  failReads = false;
  readonly state = {
    get: (key: string): bigint | undefined => this.stored.get(key),
    set: (key: string, value: bigint): void => {
      this.effects.push(`state ${key} = ${value}`);
      this.stored.set(key, value);
    },
  };

  constructor(
    private readonly secretKey: Uint8Array,
    private readonly groups: Record<string, string[]> = { locks: ["front", "back"], meters: ["meter"] },
  ) {}

  devices(group?: string): string[] {
    return group === undefined ? Object.values(this.groups).flat() : (this.groups[group] ?? []);
  }
  callDevice(device: string, fn: string, args: ScriptValue[]): void {
    this.effects.push(`${device}.${fn}(${args.map(show).join(", ")})`);
  }
  block(): { number: bigint; timestamp: bigint } {
    return { number: 1234n, timestamp: TIMESTAMP };
  }
  decrypt(ciphertext: Uint8Array): Uint8Array {
    return eciesDecrypt(this.secretKey, ciphertext);
  }
  async readContract(fn: string, args: ScriptValue[]): Promise<ScriptValue> {
    this.effects.push(`read ${fn}(${args.map(show).join(", ")})`);
    await new Promise((r) => setTimeout(r, this.readDelay));
    if (this.failReads) throw new Error("execution reverted\n(details)");
    if (fn === "tenant") return `0x${TENANT.toString(16).padStart(40, "0")}`;
    if (fn === "balanceOf") return this.balances.get(BigInt(args[0] as string)) ?? 0n;
    if (fn === "isRented") return true;
    if (fn === "name") return "Flat 4";
    throw new Error(`no function ${fn}`);
  }
  async sendTransaction(fn: string, args: ScriptValue[]): Promise<void> {
    this.effects.push(`send ${fn}(${args.map(show).join(", ")})`);
    if (fn === "deductUsage") {
      const who = BigInt(args[0] as string);
      this.balances.set(who, (this.balances.get(who) ?? 0n) - (args[1] as bigint));
    }
  }
  log(line: string): void {
    this.effects.push(`log ${line}`);
  }
}

let abi: readonly Record<string, unknown>[];
let lock: Image;
let meter: Image;
const node = generateKeyPair();

function script(source: string, options: { fuel?: number; abi?: readonly unknown[] } = {}): ArylScript {
  const r = compileAryl(source, "test.aryl", { abi: options.abi ?? abi, apps: [{ file: "lock.alkyl", image: lock }, { file: "meter.alkyl", image: meter }] });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n"));
  return ArylScript.load(r.bytes, options.abi ?? abi, { fuel: options.fuel });
}

function app(name: string, profile: string): Image {
  const r = compileAlkyl(example(name), name, { profile: profileByName(profile)! });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.image;
}

beforeAll(() => {
  const sol = compileSolidity({ source: example("Rental.sol"), fileName: "Rental.sol" });
  if (!sol.ok) throw new Error(sol.message);
  abi = sol.contract.abi;
  lock = app("lock.alkyl", "smartlock");
  meter = app("meter.alkyl", "meter");
}, 120_000);

describe("the rental script", () => {
  it("lists the events it handles and the functions devices may call", () => {
    const s = script(example("rental.aryl"));
    expect(s.eventNames).toEqual(["PaymentEvent"]);
    expect(s.publicFunctions.map((f) => f.name)).toEqual(["ReportInvalidAttempts", "ReportUsage"]);
  });

  it("PaymentEvent: decrypts the PIN and sets it on every device until block.timestamp + mins * 60", async () => {
    const host = new RecordingHost(node.secretKey);
    const pin = toHex(eciesEncrypt(node.publicKey, new TextEncoder().encode("4711")));
    await script(example("rental.aryl")).handleEvent("PaymentEvent", [pin, 30], host);
    const until = TIMESTAMP + 30n * 60n;
    expect(host.effects).toEqual([`front.SetPin("4711", ${until})`, `back.SetPin("4711", ${until})`, `meter.SetPin("4711", ${until})`]);
  });

  it("PaymentEvent with a tampered ciphertext fails with one line and calls no device", async () => {
    const host = new RecordingHost(node.secretKey);
    const sealed = eciesEncrypt(node.publicKey, new TextEncoder().encode("4711"));
    sealed[40] ^= 1;
    await expect(script(example("rental.aryl")).handleEvent("PaymentEvent", [toHex(sealed), 30], host)).rejects.toThrow(
      /^On PaymentEvent: Decrypt: ciphertext does not authenticate/,
    );
    expect(host.effects).toEqual([]);
  });

  it("PaymentEvent encrypted to another key fails", async () => {
    const host = new RecordingHost(node.secretKey);
    const other = generateKeyPair();
    const pin = toHex(eciesEncrypt(other.publicKey, new TextEncoder().encode("4711")));
    await expect(script(example("rental.aryl")).handleEvent("PaymentEvent", [pin, 30], host)).rejects.toBeInstanceOf(ArylScriptError);
  });

  it("three wrong PINs anywhere lock every lock out, and the reporting lock gets the time", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(example("rental.aryl"));
    expect(await s.callPublic("ReportInvalidAttempts", [1n], host)).toBe(0n);
    expect(await s.callPublic("ReportInvalidAttempts", [1n], host)).toBe(0n);
    const until = TIMESTAMP + 600n;
    expect(await s.callPublic("ReportInvalidAttempts", [2n], host)).toBe(until);
    expect(host.effects.filter((e) => !e.startsWith("log"))).toEqual([
      "state invalid = 1",
      "state invalid = 2",
      "state invalid = 0",
      `front.Lockout(${until})`,
      `back.Lockout(${until})`,
    ]);
    expect(host.effects).toContain("log wrong PINs in a row on a lock: 2");
    expect(host.effects).toContain("log property locked out");
  });

  it("metered usage is deducted on chain from the node's key while the balance covers it", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(example("rental.aryl"));
    host.balances.set(TENANT, 250n * 10n ** 12n);
    const tenant = `"0x${TENANT.toString(16).padStart(40, "0")}"`;
    expect(await s.callPublic("ReportUsage", [200n], host)).toBe(true);
    expect(host.effects).toEqual([`read tenant()`, `read balanceOf(${tenant})`, `send deductUsage(${tenant}, ${200n * 10n ** 12n})`]);
    host.effects.length = 0;
    expect(await s.callPublic("ReportUsage", [100n], host)).toBe(false);
    expect(host.effects).toEqual([`read tenant()`, `read balanceOf(${tenant})`, "log usage not covered by the tenant's balance"]);
  });
});

describe("the runner", () => {
  it("runs one invocation at a time, in order, across pending contract reads", async () => {
    const host = new RecordingHost(node.secretKey);
    host.readDelay = 20;
    const s = script(`uint32_t calls;
      public uint32_t Slow() { calls++; bool r = contract.isRented(); Log("slow done"); return calls; }
      public uint32_t Fast() { calls++; Log("fast done"); return calls; }`);
    const [a, b] = await Promise.all([s.callPublic("Slow", [], host), s.callPublic("Fast", [], host)]);
    expect([a, b]).toEqual([1n, 2n]);
    expect(host.effects).toEqual(["read isRented()", "log slow done", "log fast done"]);
  });

  it("reports a failed contract read as the invocation's error and keeps working", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(`public bool R() { return contract.isRented(); }`);
    host.failReads = true;
    await expect(s.callPublic("R", [], host)).rejects.toThrow(/^R: execution reverted$/);
    host.failReads = false;
    expect(await s.callPublic("R", [], host)).toBe(true);
  });

  it("a string a contract read returns lands in the script's memory", async () => {
    const withName = [...abi, { type: "function", name: "name", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "string" }] }];
    const host = new RecordingHost(node.secretKey);
    const s = script(`public void Hello() { string n = contract.name(); Log(n); }`, { abi: withName });
    await s.callPublic("Hello", [], host);
    expect(host.effects).toEqual(["read name()", "log Flat 4"]);
  });

  it("stops a script that runs out of fuel, with one line, and runs the next invocation", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(`public void Spin() { while (true) { } }\npublic uint8_t Ok() { return 7; }`, { fuel: 10_000 });
    await expect(s.callPublic("Spin", [], host)).rejects.toThrow(/^Spin: error fuel: instruction budget exhausted$/);
    expect(await s.callPublic("Ok", [], host)).toBe(7n);
  });

  it("named devices and groups; an unknown device is the invocation's error", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(`public void F() { device("back").Lockout(5); for each (m in group("meters")) { m.Lockout(6); } }
      public void G() { device("garage").Lockout(5); }`);
    await s.callPublic("F", [], host);
    expect(host.effects).toEqual(["back.Lockout(5)", "meter.Lockout(6)"]);
    await expect(s.callPublic("G", [], host)).rejects.toThrow(/^G: unknown device 'garage'$/);
  });

  it("turns a host's failure into the invocation's one-line error", async () => {
    const host = new RecordingHost(node.secretKey);
    host.callDevice = (): void => {
      throw new Error("command queue is full\n    at somewhere");
    };
    const s = script(`public void F() { device("back").Lockout(5); }`);
    await expect(s.callPublic("F", [], host)).rejects.toThrow(/^F: command queue is full$/);
  });

  it("keeps the script's globals between invocations; block, state and keccak-256 built-ins", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(`uint8_t n;
      public uint8_t Count() { n++; return n; }
      public uint64_t Block() { SetState("k", GetState("k") + 5); return block.number; }
      public uint256_t Hash() { return Keccak256("abc"); }`);
    await s.callPublic("Count", [], host);
    expect(await s.callPublic("Count", [], host)).toBe(2n);
    expect(await s.callPublic("Block", [], host)).toBe(1234n);
    expect(host.stored.get("k")).toBe(5n);
    expect(await s.callPublic("Hash", [], host)).toBe(0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45n);
  });

  it("refuses what does not fit: unknown names, wrong arguments, long strings", async () => {
    const host = new RecordingHost(node.secretKey);
    const s = script(example("rental.aryl"));
    await expect(s.handleEvent("Withdrawn", [], host)).rejects.toThrow(/no handler for event Withdrawn/);
    await expect(s.callPublic("On_PaymentEvent", ["x", 1n], host)).rejects.toThrow(/no public function On_PaymentEvent/);
    await expect(s.callPublic("ReportUsage", [], host)).rejects.toThrow(/^ReportUsage: takes 1 argument\(s\), 0 given$/);
    await expect(s.handleEvent("PaymentEvent", ["ab".repeat(200), 1], host)).rejects.toThrow(/does not fit the 255-byte buffer/);
  });

  it("load refuses an image that is not an Aryl script, or one for another contract", () => {
    const r = compileAryl(example("rental.aryl"), "rental.aryl", { abi });
    if (!r.ok) throw new Error("compile");
    const lockBytes = compileAlkyl(example("lock.alkyl"), "lock.alkyl", { profile: profileByName("smartlock")! });
    if (!lockBytes.ok) throw new Error("compile");
    expect(() => ArylScript.load(lockBytes.bytes, abi)).toThrow(/^aryl script: error verify: /);
    const otherAbi = abi.map((e) => (e.name === "PaymentEvent" ? { ...e, inputs: [{ name: "pin", type: "string" }] } : e));
    expect(() => ArylScript.load(r.bytes, otherAbi)).toThrow(/^aryl script: handler On PaymentEvent: its parameters differ from the ABI event PaymentEvent\(string\)$/);
    const noDeduct = abi.filter((e) => e.name !== "deductUsage");
    expect(() => ArylScript.load(r.bytes, noDeduct)).toThrow(/^aryl script: the contract ABI has no function deductUsage with 2 parameter\(s\)$/);
  });
});
