// What the real-hardware firmware of each board is made of: its sources,
// defines and flags, the same ones the emulated boards' builds use
// (compiler/engines/firmware-build.ts) except where a real board differs:
// the LaunchPad talks over its USCI_A0 UART at 16 MHz instead of the
// simulator's RAM mailbox; a Linux board (raspberrypi, native) adds the
// serial-device and TCP link (vm-c/port/linux/link_fd.c).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import type { Board, Pin } from "../../boards/boards.js";
import {
  DEVICE_HAL_SOURCE,
  DEVICE_INCLUDE_DIRS,
  deviceCoreSources,
  HOST_DEVICE_FLAGS,
  MSP430_LINKER_SCRIPT,
  MSP430_PORT_DIR,
  MSP430_RUNTIME_SOURCES,
  msp430DeviceFirmware,
  REPO_ROOT,
  unoDeviceFirmware,
  VM_C_DIR,
} from "../engines/firmware-build.js";
import { AOT_DIR } from "../engines/aot-build.js";
import { LINK_KEY_HEADER, linkKeyHeader, withLinkKey } from "../engines/link-key-build.js";
import { BoardEmulationError } from "../engines/transport.js";

export const LINUX_PORT_DIR = join(VM_C_DIR, "port", "linux");

export interface BoardFirmware {
  /** C sources of the firmware: the VM core (vm-c/*.c) and the board glue. */
  sources: string[];
  /** Files the direct toolchain build needs that PlatformIO's toolchain brings itself (the MSP430's start-up code and linker script). */
  toolchainFiles: string[];
  includeDirs: string[];
  defines: string[];
  extraFlags: string[];
  /** Files generated for this board (from boards/boards.ts), by name; they go into the project's src/ (a secret one into include/, mode 0600). */
  generated: { name: string; text: string; secret?: boolean }[];
  /** The firmware holds a secret (a link key): its build outputs are its owner's only. */
  private?: boolean;
}

/** The device profiles whose drivers a firmware can carry (besides none: the plain link device). */
export const DRIVER_PROFILES = ["smartlock"] as const;
export type DriverProfile = (typeof DRIVER_PROFILES)[number];

export interface FirmwareOptions {
  /** Builds the profile's drivers into the firmware (the smart lock's keypad, lock and buzzer). */
  profile?: DriverProfile;
  /** An app compiled ahead of time into the firmware (compiler/aot/ emitC's text, docs/aot.md). */
  aotAppC?: string;
  /** The device's 32-byte link key, compiled in (flash on the Uno): the link is sealed (docs/link.md §2.1). */
  linkKey?: Uint8Array;
}

/** The C spelling of a pin in smartlock_pins.h (the board part defines the macro). */
function pinMacro(pin: Pin): string {
  return "chip" in pin ? `ALKY_GPIO_LINE(${pin.line})` : `ALKY_PIN(${pin.port}, ${pin.bit})`;
}

/** smartlock_pins.h for the board, from its smartlockPins. */
export function smartlockPinsHeader(board: Board): string {
  const pins = board.smartlockPins;
  if (!pins) throw new BoardEmulationError("build-failed", `board '${board.id}' has no smart-lock pins`);
  const chips = [...new Set([...pins.rows, ...pins.columns, pins.lock, pins.buzzer].flatMap((p) => ("chip" in p ? [p.chip] : [])))];
  const render = Handlebars.compile(readFileSync(join(REPO_ROOT, "templates", "smartlock_pins.h.hbs"), "utf8"), { noEscape: true, strict: true });
  return render({
    boardId: board.id,
    rowCount: pins.rows.length,
    columnCount: pins.columns.length,
    keys: pins.keys,
    rows: pins.rows.map(pinMacro).join(", "),
    columns: pins.columns.map(pinMacro).join(", "),
    lock: pinMacro(pins.lock),
    buzzer: pinMacro(pins.buzzer),
    extra: chips.map((c) => `#define ALKY_GPIO_CHIP "${c}"`),
  });
}

/** The smart-lock drivers of each board: its board part (the core is vm-c/port/smartlock.c). */
const SMARTLOCK_BOARD_PART: Partial<Record<Board["id"], string>> = {
  uno: join(VM_C_DIR, "port", "avr", "smartlock_board.c"),
  lpmsp430g2553: join(VM_C_DIR, "port", "msp430", "smartlock_board.c"),
  raspberrypi: join(LINUX_PORT_DIR, "smartlock_board.c"),
};

function withDrivers(board: Board, fw: BoardFirmware, options: FirmwareOptions): BoardFirmware {
  if (options.profile === undefined) return fw;
  const part = SMARTLOCK_BOARD_PART[board.id];
  if (!part) throw new BoardEmulationError("build-failed", `the smartlock drivers are not written for board '${board.id}' yet (they exist for: ${Object.keys(SMARTLOCK_BOARD_PART).join(", ")})`);
  return {
    ...fw,
    sources: [...fw.sources, join(VM_C_DIR, "port", "smartlock.c"), part],
    defines: [...fw.defines, "ALKY_SMARTLOCK_DRIVERS=1"],
    generated: [...fw.generated, { name: "smartlock_pins.h", text: smartlockPinsHeader(board) }],
  };
}

/** The firmware `alkyvm firmware --board <id> [--profile P] [--app A --aot]` renders and builds. */
export function boardFirmware(board: Board, options: FirmwareOptions = {}): BoardFirmware {
  return withKey(board, withAotApp(board, withDrivers(board, linkDeviceFirmware(board), options), options), options);
}

/** A sealed link: the AEAD and the key header (compiler/engines/link-key-build.ts); not on the MSP430 (docs/link.md §2.1). */
function withKey(board: Board, fw: BoardFirmware, options: FirmwareOptions): BoardFirmware {
  if (options.linkKey === undefined) return fw;
  if (board.toolchain.kind === "clang-msp430") {
    throw new BoardEmulationError("build-failed", `--key: board '${board.id}' has no sealed firmware (its flash and RAM are full, docs/link.md §2.1); sealed boards: uno, raspberrypi, native`);
  }
  const sealed = withLinkKey({ name: "firmware", ...fw }, options.linkKey);
  return {
    ...fw,
    sources: sealed.sources,
    defines: sealed.defines,
    extraFlags: [...(sealed.extraFlags ?? [])],
    generated: [...fw.generated, { name: LINK_KEY_HEADER, text: linkKeyHeader(options.linkKey), secret: true }],
    private: true,
  };
}

/**
 * The AOT build of a board: as the avr-aot and c-aot backends build it
 * (compiler/engines/aot-build.ts): the AOT runtime and the app's C, with
 * device.c's invocations routed through alky_aot_call_run; on the Uno
 * without -flto (avr-gcc 5.4 miscompiles the AOT code under LTO, docs/aot.md).
 */
function withAotApp(board: Board, fw: BoardFirmware, options: FirmwareOptions): BoardFirmware {
  if (options.aotAppC === undefined) return fw;
  if (board.toolchain.kind === "clang-msp430") {
    throw new BoardEmulationError("build-failed", `--aot is not supported for board '${board.id}' by alkyvm firmware yet (uno, raspberrypi, native)`);
  }
  return {
    ...fw,
    sources: [...fw.sources, join(AOT_DIR, "aot_runtime.c")],
    includeDirs: [...fw.includeDirs, AOT_DIR],
    defines: [...fw.defines, "ALKY_DEVICE_CALL_RUN=alky_aot_call_run"],
    extraFlags: board.toolchain.kind === "avr-gcc" ? fw.extraFlags.filter((f) => f !== "-flto") : fw.extraFlags,
    generated: [...fw.generated, { name: "alkyvm_app.c", text: options.aotAppC }],
  };
}

function linkDeviceFirmware(board: Board): BoardFirmware {
  switch (board.id) {
    case "uno": {
      const spec = unoDeviceFirmware();
      return { sources: [...spec.sources], toolchainFiles: [], includeDirs: [...spec.includeDirs], defines: [...spec.defines], extraFlags: [...spec.extraFlags], generated: [] };
    }
    case "lpmsp430g2553": {
      // The simulator firmware with the UART in place of the mailbox, and the calibrated 16 MHz clock.
      const sim = msp430DeviceFirmware();
      const simOnly = /^(ALKY_MSP430_SIM|ALKY_MAILBOX_)/;
      return {
        sources: sim.sources.map((s) => (s === join(MSP430_PORT_DIR, "mailbox.c") ? join(MSP430_PORT_DIR, "uart.c") : s)),
        toolchainFiles: [...MSP430_RUNTIME_SOURCES, MSP430_LINKER_SCRIPT],
        includeDirs: [...sim.includeDirs],
        defines: [...sim.defines.filter((d) => !simOnly.test(d)), `ALKY_MCLK_HZ=${board.clockHz}UL`],
        extraFlags: [...sim.extraFlags],
        generated: [],
      };
    }
    case "raspberrypi":
    case "native":
      return {
        sources: [...deviceCoreSources(), DEVICE_HAL_SOURCE, join(VM_C_DIR, "port", "host", "main.c"), join(LINUX_PORT_DIR, "link_fd.c")],
        toolchainFiles: [],
        includeDirs: [...DEVICE_INCLUDE_DIRS, LINUX_PORT_DIR],
        defines: [`ALKY_CONFIG_HEADER="config/${board.id}.h"`, "ALKY_HOST_LINK_FD=1"],
        extraFlags: [...HOST_DEVICE_FLAGS],
        generated: [],
      };
  }
}
