// The backends of `alkyvm run --backend`: where an app runs. `ts` is the
// reference VM in this process; the others are the C VM behind the link
// protocol, on the host or on an emulated board, each built on first use
// (cached under build/ by content hash).

import { join } from "node:path";
import { boardById, type Board } from "../../boards/boards.js";
import { firmwareSize, type FirmwareSize } from "../engines/elf-size.js";
import { buildHostAotDevice, buildMsp430AotDevice, buildUnoAotDevice } from "../engines/aot-build.js";
import { buildHostDevice, buildMsp430Device, buildUnoDevice } from "../engines/firmware-build.js";
import { MspdebugProcess } from "../engines/mspdebug.js";
import { PipeProcess } from "../engines/pipe.js";
import { SimavrProcess } from "../engines/simavr.js";
import { keyDir } from "../engines/link-key-build.js";
import { BoardEmulationError, type ByteTransport } from "../engines/transport.js";
import type { Image } from "../ir/image.js";
import type { FaultProxyOptions } from "../link/fault-proxy.js";
import type { Profile } from "../profiles/profiles.js";
import type { Engine, NodeCallAnswerer } from "./engine.js";
import { LinkEngine, linkOptions } from "./link-engine.js";
import { serialBackendByName, tcpBackendByName } from "./serial-backend.js";
import { TsEngine } from "./ts-engine.js";

export interface BackendOptions {
  fuel?: number;
  /** Answers the app's node calls (docs/link.md §4.4); without it they fail (trap). */
  answerNodeCall?: NodeCallAnswerer;
  /** The device's 32-byte link key: the firmware is built with it and the link sealed (docs/link.md §2.1). */
  linkKey?: Uint8Array;
  /** A link backend's frames go through a fault-injection proxy (docs/link.md §4.6); ignored by ts. */
  faults?: FaultProxyOptions;
}

/**
 * Where an emulated device built with `key` keeps its app store (and with it
 * its counters' marks): one file per key, in the key's private build folder,
 * so the counters never restart from zero under the same key. Two runs with
 * the same key at the same time would share it: run them one after another.
 */
function keyedStore(key: Uint8Array, file: string): string {
  return join(keyDir(key), file);
}

/** A backend whose firmware cannot seal its link refuses a key rather than run unsealed. */
function noKey(backend: string, options: BackendOptions): void {
  if (options.linkKey) throw new BoardEmulationError("build-failed", `backend ${backend} has no sealed firmware (docs/link.md §2.1: host and Uno only); run it without --key`);
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
  firmwareSize?(app: App, options?: Pick<BackendOptions, "linkKey">): FirmwareSize;
}

/** An emulated MCU is slow: a report may take a while when the fuel budget is large. */
const EMULATOR_TIMEOUT_MS = 120_000;

async function overLink(transport: ByteTransport, app: App, options: BackendOptions, timeoutMs?: number): Promise<Engine> {
  return LinkEngine.open(transport, app.image, app.bytes, { ...linkOptions(options), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
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
    open: async (app, options) => {
      noKey("ts", options);
      return new TsEngine(app.image, app.profile, options);
    },
  },
  {
    name: "c",
    doc: "the C VM built for this host with gcc, over pipes with the link protocol",
    board: boardById("native"),
    open: (app, options) => {
      const key = options.linkKey;
      return overLink(key ? PipeProcess.start(buildHostDevice({ linkKey: key }), ["--store", keyedStore(key, "host-device.store")]) : PipeProcess.start(buildHostDevice()), app, options);
    },
  },
  {
    name: "avr",
    doc: "the Arduino Uno firmware (avr-gcc) under simavr, over its emulated USART0",
    board: boardById("uno"),
    open: async (app, options) => {
      const key = options.linkKey;
      const sim = key ? await SimavrProcess.start(buildUnoDevice({ linkKey: key }).elf, { eepromFile: keyedStore(key, "uno.eeprom") }) : await SimavrProcess.start(buildUnoDevice().elf);
      return overLink(sim, app, options, EMULATOR_TIMEOUT_MS);
    },
    firmwareSize: (_app, options) => sizeOf(buildUnoDevice(options?.linkKey ? { linkKey: options.linkKey } : {}).elf, "uno"),
  },
  {
    name: "msp430",
    doc: "the MSP430G2553 firmware (clang, ld.lld) under mspdebug's simulator, over a RAM mailbox",
    board: boardById("lpmsp430g2553"),
    open: async (app, options) => {
      noKey("msp430", options);
      return overLink(await MspdebugProcess.start(buildMsp430Device().elf), app, options, EMULATOR_TIMEOUT_MS);
    },
    firmwareSize: () => sizeOf(buildMsp430Device().elf, "lpmsp430g2553"),
  },
  {
    name: "c-aot",
    doc: "the app compiled ahead of time to C (docs/aot.md) in the host device built with gcc, over pipes with the link protocol",
    board: boardById("native"),
    open: async (app, options) => {
      noKey("c-aot", options);
      return overLink(PipeProcess.start(buildHostAotDevice(app.bytes)), app, options);
    },
  },
  {
    name: "avr-aot",
    doc: "the app compiled ahead of time to C (docs/aot.md) in the Arduino Uno firmware (avr-gcc) under simavr, over its emulated USART0",
    board: boardById("uno"),
    open: async (app, options) => {
      noKey("avr-aot", options);
      return overLink(await SimavrProcess.start(buildUnoAotDevice(app.bytes).elf), app, options, EMULATOR_TIMEOUT_MS);
    },
    firmwareSize: (app) => sizeOf(buildUnoAotDevice(app.bytes).elf, "uno"),
  },
  {
    name: "msp430-aot",
    doc: "the app compiled ahead of time to C (docs/aot.md) in the MSP430G2553 firmware (clang -flto -Oz, ld.lld) under mspdebug's simulator, over a RAM mailbox",
    board: boardById("lpmsp430g2553"),
    open: async (app, options) => {
      noKey("msp430-aot", options);
      return overLink(await MspdebugProcess.start(buildMsp430AotDevice(app.bytes).elf), app, options, EMULATOR_TIMEOUT_MS);
    },
    firmwareSize: (app) => sizeOf(buildMsp430AotDevice(app.bytes).elf, "lpmsp430g2553"),
  },
];

/** A backend of BACKENDS by name, or a parameterised one: `serial:<path>[@baud]`, `tcp:<host>:<port>`. */
export function backendByName(name: string): Backend | undefined {
  return BACKENDS.find((b) => b.name === name) ?? serialBackendByName(name) ?? tcpBackendByName(name);
}
