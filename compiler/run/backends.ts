// The backends of `alkyvm run --backend`: where an app runs. `ts` is the
// reference VM in this process; the others are the C VM behind the link
// protocol, on the host or on an emulated board, each built on first use
// (cached under build/ by content hash).

import { boardById, type Board } from "../../boards/boards.js";
import { firmwareSize, type FirmwareSize } from "../engines/elf-size.js";
import { buildHostAotDevice, buildMsp430AotDevice, buildUnoAotDevice } from "../engines/aot-build.js";
import { buildHostDevice, buildMsp430Device, buildUnoDevice } from "../engines/firmware-build.js";
import { MspdebugProcess } from "../engines/mspdebug.js";
import { PipeProcess } from "../engines/pipe.js";
import { SimavrProcess } from "../engines/simavr.js";
import type { ByteTransport } from "../engines/transport.js";
import type { Image } from "../ir/image.js";
import type { FaultProxyOptions } from "../link/fault-proxy.js";
import type { Profile } from "../profiles/profiles.js";
import type { Engine, NodeCallAnswerer } from "./engine.js";
import { LinkEngine } from "./link-engine.js";
import { serialBackendByName, tcpBackendByName } from "./serial-backend.js";
import { TsEngine } from "./ts-engine.js";

export interface BackendOptions {
  fuel?: number;
  /** Answers the app's node calls (docs/link.md §4.4); without it they fail (trap). */
  answerNodeCall?: NodeCallAnswerer;
  /** A link backend's frames go through a fault-injection proxy (docs/link.md §4.6); ignored by ts. */
  faults?: FaultProxyOptions;
}

export interface App {
  image: Image;
  bytes: Uint8Array;
  profile: Profile;
}

export interface Backend {
  name: string;
  doc: string;
  /** The board the backend's firmware is for (none for ts). */
  board: Board | undefined;
  open(app: App, options: BackendOptions): Promise<Engine>;
  /** Builds the firmware (if needed; with the app for an AOT backend) and measures it; undefined for backends without one. */
  firmwareSize?(app: App): FirmwareSize;
}

/** An emulated MCU is slow: a report may take a while when the fuel budget is large. */
const EMULATOR_TIMEOUT_MS = 120_000;

async function overLink(transport: ByteTransport, app: App, options: BackendOptions, timeoutMs?: number): Promise<Engine> {
  return LinkEngine.open(transport, app.image, app.bytes, { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

function sizeOf(elf: string, boardId: string): FirmwareSize {
  const board = boardById(boardId)!;
  return firmwareSize(elf, board.memory!);
}

export const BACKENDS: readonly Backend[] = [
  {
    name: "ts",
    doc: "the TypeScript reference VM, in this process",
    board: undefined,
    open: async (app, options) => new TsEngine(app.image, app.profile, options),
  },
  {
    name: "c",
    doc: "the C VM built for this host with gcc, over pipes with the link protocol",
    board: boardById("native"),
    open: (app, options) => overLink(PipeProcess.start(buildHostDevice()), app, options),
  },
  {
    name: "avr",
    doc: "the Arduino Uno firmware (avr-gcc) under simavr, over its emulated USART0",
    board: boardById("uno"),
    open: async (app, options) => overLink(await SimavrProcess.start(buildUnoDevice().elf), app, options, EMULATOR_TIMEOUT_MS),
    firmwareSize: () => sizeOf(buildUnoDevice().elf, "uno"),
  },
  {
    name: "msp430",
    doc: "the MSP430G2553 firmware (clang, ld.lld) under mspdebug's simulator, over a RAM mailbox",
    board: boardById("lpmsp430g2553"),
    open: async (app, options) => overLink(await MspdebugProcess.start(buildMsp430Device().elf), app, options, EMULATOR_TIMEOUT_MS),
    firmwareSize: () => sizeOf(buildMsp430Device().elf, "lpmsp430g2553"),
  },
  {
    name: "c-aot",
    doc: "the app compiled ahead of time to C (docs/aot.md) in the host device built with gcc, over pipes with the link protocol",
    board: boardById("native"),
    open: (app, options) => overLink(PipeProcess.start(buildHostAotDevice(app.bytes)), app, options),
  },
  {
    name: "avr-aot",
    doc: "the app compiled ahead of time to C (docs/aot.md) in the Arduino Uno firmware (avr-gcc) under simavr, over its emulated USART0",
    board: boardById("uno"),
    open: async (app, options) => overLink(await SimavrProcess.start(buildUnoAotDevice(app.bytes).elf), app, options, EMULATOR_TIMEOUT_MS),
    firmwareSize: (app) => sizeOf(buildUnoAotDevice(app.bytes).elf, "uno"),
  },
  {
    name: "msp430-aot",
    doc: "the app compiled ahead of time to C (docs/aot.md) in the MSP430G2553 firmware (clang -flto -Oz, ld.lld) under mspdebug's simulator, over a RAM mailbox",
    board: boardById("lpmsp430g2553"),
    open: async (app, options) => overLink(await MspdebugProcess.start(buildMsp430AotDevice(app.bytes).elf), app, options, EMULATOR_TIMEOUT_MS),
    firmwareSize: (app) => sizeOf(buildMsp430AotDevice(app.bytes).elf, "lpmsp430g2553"),
  },
];

/** A backend of BACKENDS by name, or a parameterised one: `serial:<path>[@baud]`, `tcp:<host>:<port>`. */
export function backendByName(name: string): Backend | undefined {
  return BACKENDS.find((b) => b.name === name) ?? serialBackendByName(name) ?? tcpBackendByName(name);
}
