// Aryl scripts and `node` declarations in the front end: what compiles, to
// which imports, and the one-line diagnostics for an Aryl script's mistakes.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileAlkyl, compileAryl, formatDiagnostic, type CompileResult } from "../../compiler/compile.js";
import { compileSolidity } from "../../compiler/fusion/solidity.js";
import { FunctionKind, ImportKind, type Image } from "../../compiler/ir/image.js";
import { typeName } from "../../compiler/ir/types.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import type { Raw, RawArg } from "../../compiler/vm/effects.js";
import { ReferenceVm } from "../../compiler/vm/reference.js";

const ROOT = join(import.meta.dirname, "..", "..");
const example = (name: string): string => readFileSync(join(ROOT, "examples", "rental", name), "utf8");

const PAPER_SCRIPT = `On PaymentEvent(string encryptPin, uint32_t mins) {
    string pin = Decrypt(encryptPin);
    for each (device in devices) {
        device.SetPin(pin, block.timestamp + (mins * 60));
    }
}
`;

let abi: readonly Record<string, unknown>[];
let lock: Image;
let meter: Image;

function app(source: string, profile: string): Image {
  const r = compileAlkyl(source, `app.alkyl`, { profile: profileByName(profile)! });
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n"));
  return r.image;
}

function aryl(source: string, withApps = true): CompileResult {
  return compileAryl(source, "rental.aryl", { abi, apps: withApps ? [{ file: "lock.alkyl", image: lock }, { file: "meter.alkyl", image: meter }] : undefined });
}

function compiled(source: string, withApps = true): Image {
  const r = aryl(source, withApps);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n"));
  expect(verifyImage(r.bytes, { profile: profileByName("aryl")! }).ok).toBe(true);
  return r.image;
}

/** The first line of each diagnostic: `file:line:col: error: message`. */
function errors(source: string, withApps = true): string[] {
  const r = aryl(source, withApps);
  if (r.ok) throw new Error("expected compile errors");
  return r.diagnostics.map((d) => formatDiagnostic(d, source).split("\n")[0]!);
}

const signature = (im: Image): string[] =>
  im.imports.map((i) => `${i.kind === ImportKind.NodeCall ? "nodecall" : "syscall"} ${i.name}(${i.params.map(typeName).join(", ")})${i.result ? ` -> ${typeName(i.result)}` : ""}`);

beforeAll(() => {
  const sol = compileSolidity({ source: example("Rental.sol"), fileName: "Rental.sol" });
  if (!sol.ok) throw new Error(sol.message);
  abi = sol.contract.abi;
  lock = app(example("lock.alkyl"), "smartlock");
  meter = app(example("meter.alkyl"), "meter");
}, 120_000);

describe("Aryl scripts compile", () => {
  it("the paper's script, as written, against Rental.sol's ABI and the lock app", () => {
    const im = compiled(PAPER_SCRIPT);
    expect(im.profileId).toBe(profileByName("aryl")!.id);
    const handler = im.functions.find((f) => f.name === "On_PaymentEvent")!;
    expect(handler.kind).toBe(FunctionKind.Public);
    expect(handler.locals.slice(0, handler.paramCount).map(typeName)).toEqual(["string", "uint32"]);
    expect(handler.stringBuffers[0]!.capacity).toBe(255);
    expect(signature(im)).toEqual([
      "syscall Decrypt(string, uint16, uint16) -> string",
      "syscall DeviceGroup(string) -> uint16",
      "syscall BlockTimestamp() -> uint32",
      "nodecall device_SetPin(uint16, string, uint32)",
      "syscall DeviceCount() -> uint16",
    ]);
  });

  it("the paper's script without device apps: arguments keep their own types", () => {
    expect(signature(compiled(PAPER_SCRIPT, false))).toContain("nodecall device_SetPin(uint16, string, uint32)");
  });

  it("examples/rental/rental.aryl: handlers, public functions, device and contract calls", () => {
    const im = compiled(example("rental.aryl"));
    expect(im.functions.filter((f) => f.kind === FunctionKind.Public).map((f) => f.name)).toEqual(["On_PaymentEvent", "ReportInvalidAttempts", "ReportUsage"]);
    const imports = signature(im);
    expect(imports).toContain("nodecall device_Lockout(uint16, uint32)");
    expect(imports).toContain("nodecall call_tenant() -> uint256");
    expect(imports).toContain("nodecall call_balanceOf(uint256) -> uint256");
    expect(imports).toContain("nodecall send_deductUsage(uint256, uint256)");
    expect(imports).toContain("syscall GetState(string) -> uint256");
  });

  it("one import per device function and signature, however often it is called", () => {
    const im = compiled(`On PaymentEvent(string p, uint32_t mins) {
      for each (d in devices) { d.Lockout(1); d.Lockout(2); }
      device("front").Lockout(3);
    }`);
    expect(signature(im).filter((s) => s.includes("Lockout"))).toEqual(["nodecall device_Lockout(uint16, uint32)"]);
    expect(signature(im)).toContain("syscall DeviceNamed(string) -> uint16");
  });
});

describe("Aryl diagnostics", () => {
  it("an unknown contract event names the ABI's events", () => {
    expect(errors("On Payment(string p, uint32_t m) { }")).toEqual([
      "rental.aryl:1:4: error: unknown contract event 'Payment' (the ABI has: PaymentEvent, UsageDeducted, Withdrawn)",
    ]);
  });

  it("handler parameters must have the ABI event's types and number", () => {
    expect(errors("On PaymentEvent(string pin, uint16_t mins) { }")).toEqual([
      "rental.aryl:1:29: error: parameter 'mins' is 'uint16_t', but contract event PaymentEvent passes 'uint32' (declare it 'uint32_t')",
    ]);
    expect(errors("On PaymentEvent(string pin) { }")).toEqual(["rental.aryl:1:4: error: handler 'On PaymentEvent' takes 1 parameter(s), contract event PaymentEvent has 2"]);
  });

  it("an ABI type Aryl cannot hold is named", () => {
    const r = compileAryl("On Bytes(uint256_t b) { }", "x.aryl", { abi: [{ type: "event", name: "Bytes", inputs: [{ name: "b", type: "bytes" }] }] });
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual(["ABI type 'bytes' of 'Bytes.b' has no Aryl type (supported: uintN, intN, bool, string, address)"]);
  });

  it("an unknown device function names the apps' public functions", () => {
    expect(errors("On PaymentEvent(string p, uint32_t m) {\n  for each (d in devices) { d.SetCode(p); }\n}")).toEqual([
      "rental.aryl:2:31: error: unknown device function 'SetCode' (the device apps' public functions: Lockout, SetPin)",
    ]);
  });

  it("device function arguments convert to the app's parameter types", () => {
    expect(errors("On PaymentEvent(string p, uint32_t m) {\n  for each (d in devices) { d.SetPin(m, m); }\n}")).toEqual([
      "rental.aryl:2:38: error: cannot convert 'uint32_t' to 'char*'",
    ]);
  });

  it("unknown contract functions, wrong argument counts, missing ABI", () => {
    expect(errors("public void F() { contract.refund(); }")).toEqual(["rental.aryl:1:28: error: unknown contract function 'refund'"]);
    expect(errors("public void F() { contract.balanceOf(); }")).toEqual(["rental.aryl:1:19: error: 'contract.balanceOf' takes 1 argument(s), 0 given"]);
    const r = compileAryl("On PaymentEvent(string p, uint32_t m) { }", "x.aryl", {});
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual(["unknown contract event 'PaymentEvent' (no ABI given: pass --abi)"]);
  });

  it("devices are called, not used as values; for each walks devices or a group", () => {
    expect(errors("public void F() { for each (d in devices) { uint16_t x = d; } }")).toEqual([
      "rental.aryl:1:58: error: 'd' is a device, not a value; call one of its functions (d.Name(...))",
    ]);
    expect(errors("public void F() { for each (d in locks) { } }")).toEqual([`rental.aryl:1:34: error: 'for each' walks 'devices' or 'group("name")'`]);
    expect(errors("public void F() { uint16_t x = 1; x.Lockout(1); }")).toEqual([
      `rental.aryl:1:35: error: not a device: call device functions on a 'for each' variable or on device("name")`,
    ]);
  });

  it("unknown built-ins and device-app declarations in a script", () => {
    expect(errors("public uint64_t F() { return block.height; }")).toEqual([
      "rental.aryl:1:30: error: unknown built-in 'block.height' (Aryl has block.number and block.timestamp)",
    ]);
    expect(errors("node void Report(uint8_t n);")[0]).toMatch(/^rental\.aryl:1:1: error: /);
  });

  it("Aryl syntax is not Alkyl: an app has no On handlers", () => {
    const r = compileAlkyl("On KeyPressed(char k) { }", "lock.alkyl", { profile: profileByName("smartlock")! });
    expect(r.ok).toBe(false);
  });
});

describe("device-to-node calls in Alkyl", () => {
  it("node declarations become node-call imports, calls NCALL", () => {
    expect(signature(lock)).toContain("nodecall ReportInvalidAttempts(uint8) -> uint32");
    expect(signature(meter)).toContain("nodecall ReportUsage(uint32) -> bool");
  });

  it("node declarations: a string result, an array parameter and a wrong call are errors", () => {
    const p = profileByName("test")!;
    const messages = (src: string): string[] => {
      const r = compileAlkyl(src, "a.alkyl", { profile: p });
      return r.ok ? [] : r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
    };
    expect(messages("node char* Name();")).toEqual(["1:6: node function 'Name' cannot return a string"]);
    expect(messages("node void Put(char s[8]);")).toEqual(["1:21: array parameters are only allowed for the strings of public functions ('char s[N]')"]);
    expect(messages("node void Put(uint8_t n);\ndeviceevent void Tick() { Put(); }")).toEqual(["2:27: 'Put' takes 1 argument(s), 0 given"]);
    expect(messages("node void Put(uint8_t n);\nuint8_t Put;")).toEqual(["2:9: 'Put' is already defined"]);
  });

  it("the rental lock reports wrong PINs and takes the node's lockout time from the answer", () => {
    const calls: string[] = [];
    let now = 1000;
    let answer: Raw | undefined = 1600;
    const vm = new ReferenceVm(lock, {
      syscall: (i) => (lock.imports[i]!.name === "Now" ? now : undefined),
      nodeCall: (i, args: RawArg[]) => {
        calls.push(`${lock.imports[i]!.name}(${args.join(", ")})`);
        return answer;
      },
    });
    const fn = (name: string): number => lock.functions.findIndex((f) => f.name === name);
    const press = (keys: string): string[] =>
      [...keys].flatMap((k) => vm.invoke(fn("KeyPressed"), [k.charCodeAt(0)])).map((e) => (e.kind === "syscall" ? lock.imports[e.importIndex]!.name : e.kind === "fault" ? `fault ${e.fault}` : e.kind));
    vm.invoke(fn("SetPin"), [new TextEncoder().encode("1234"), 5000]);
    expect(press("9999")).toEqual(["Now", "IncorrectBeep"]);
    expect(calls).toEqual(["ReportInvalidAttempts(1)"]);
    expect(press("1234")).toEqual(["Now", "IncorrectBeep"]); // locked out until 1600
    now = 1700;
    expect(press("1234")).toEqual(["Now", "Unlock"]);
    answer = undefined; // the node does not answer: the handler traps
    expect(press("0000")).toEqual(["Now", "IncorrectBeep", "fault trap"]);
  });
});
