// The c-aot, avr-aot and msp430-aot firmwares run the compiled-in app as
// native code when the loaded image is that app (same CRC-32 and length), and
// interpret any other image.

import { describe, expect, it } from "vitest";
import { emitC } from "../../compiler/aot/emit-c.js";
import { buildHostAotDeviceFromC, buildMsp430AotDevice, buildMsp430AotDeviceFromC, buildUnoAotDeviceFromC } from "../../compiler/engines/aot-build.js";
import { MspdebugProcess } from "../../compiler/engines/mspdebug.js";
import { PipeProcess } from "../../compiler/engines/pipe.js";
import { SimavrProcess } from "../../compiler/engines/simavr.js";
import { BoardEmulationError, type ByteTransport } from "../../compiler/engines/transport.js";
import type { App } from "../../compiler/run/backends.js";
import { LinkEngine } from "../../compiler/run/link-engine.js";
import { runSteps } from "../../compiler/run/session.js";
import { formatTraceLine } from "../../compiler/run/trace.js";
import { compileApp, traceOn } from "../helpers/backends.js";

const ANSWER = "public uint8_t Answer() { return 42; }\n";
/** Same length as ANSWER, another CRC, and an answer neither ANSWER nor its altered AOT code gives. */
const OTHER = "public uint8_t Answer() { return 41; }\n";

async function traceWith(device: string | ByteTransport, app: App): Promise<string[]> {
  const engine = await LinkEngine.open(typeof device === "string" ? PipeProcess.start(device) : device, app.image, app.bytes);
  const lines: string[] = [];
  try {
    await runSteps(app.image, app.profile, engine, [{ kind: "call", text: "Answer()" }], (l) => lines.push(formatTraceLine(l)));
  } finally {
    await engine.close();
  }
  return lines;
}

describe("the c-aot device", () => {
  // A firmware whose generated code is altered (42 becomes 43) shows which engine ran.
  const app = compileApp(ANSWER);
  const c = emitC(app.bytes);
  if (!c.ok) throw new Error(c.message);
  const altered = c.text.replace(/= 0x2a;/, "= 0x2b;");

  it("runs the compiled-in app's AOT code when that image is loaded", async () => {
    expect(altered).not.toBe(c.text);
    expect(await traceWith(buildHostAotDeviceFromC(altered), app)).toEqual(["return 43"]);
  }, 120_000);

  it("interprets an image that is not the compiled-in app", async () => {
    const other = compileApp(OTHER);
    expect(await traceWith(buildHostAotDeviceFromC(altered), other)).toEqual(await traceOn("ts", other, [{ kind: "call", text: "Answer()" }]));
    expect(await traceWith(buildHostAotDeviceFromC(altered), other)).toEqual(["return 41"]);
  }, 120_000);
});

describe("the avr-aot device", () => {
  const app = compileApp(ANSWER);
  const c = emitC(app.bytes);
  if (!c.ok) throw new Error(c.message);
  const altered = c.text.replace(/= 0x2a;/, "= 0x2b;");
  const simulate = async () => SimavrProcess.start(buildUnoAotDeviceFromC(altered).elf);

  it("runs the compiled-in app's AOT code when that image is loaded", async () => {
    expect(await traceWith(await simulate(), app)).toEqual(["return 43"]);
  }, 120_000);

  it("interprets an image that is not the compiled-in app", async () => {
    const other = compileApp("public uint8_t Answer() { return 41; }\n"); // same length, another CRC
    expect(await traceWith(await simulate(), other)).toEqual(["return 41"]);
  }, 120_000);
});

describe("the msp430-aot device", () => {
  const app = compileApp(ANSWER);
  const c = emitC(app.bytes);
  if (!c.ok) throw new Error(c.message);
  const altered = c.text.replace(/= 0x2a;/, "= 0x2b;");
  const simulate = async () => MspdebugProcess.start(buildMsp430AotDeviceFromC(altered).elf);

  it("runs the compiled-in app's AOT code when that image is loaded", async () => {
    expect(await traceWith(await simulate(), app)).toEqual(["return 43"]);
  }, 120_000);

  it("interprets an image that is not the compiled-in app", async () => {
    expect(await traceWith(await simulate(), compileApp(OTHER))).toEqual(["return 41"]);
  }, 120_000);

  it("refuses to build an app that needs what the MSP430 firmware lacks, naming it", () => {
    const wide = compileApp("public uint64_t Answer() { return 42; }\n");
    expect(() => buildMsp430AotDevice(wide.bytes)).toThrow(BoardEmulationError);
    expect(() => buildMsp430AotDevice(wide.bytes)).toThrow(/^the app needs w64, which the MSP430 firmware is built without/);
  });
});
