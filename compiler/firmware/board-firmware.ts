// What the real-hardware firmware of each board is made of: its sources,
// defines and flags, the same ones the emulated boards' builds use
// (compiler/engines/firmware-build.ts) except where a real board differs:
// the LaunchPad talks over its USCI_A0 UART at 16 MHz instead of the
// simulator's RAM mailbox; a Linux board (raspberrypi, native) adds the
// serial-device and TCP link (vm-c/port/linux/link_fd.c).

import { join } from "node:path";
import type { Board } from "../../boards/boards.js";
import {
  DEVICE_HAL_SOURCE,
  DEVICE_INCLUDE_DIRS,
  deviceCoreSources,
  HOST_DEVICE_FLAGS,
  MSP430_LINKER_SCRIPT,
  MSP430_PORT_DIR,
  MSP430_RUNTIME_SOURCES,
  msp430DeviceFirmware,
  unoDeviceFirmware,
  VM_C_DIR,
} from "../engines/firmware-build.js";

export const LINUX_PORT_DIR = join(VM_C_DIR, "port", "linux");

export interface BoardFirmware {
  /** C sources of the firmware: the VM core (vm-c/*.c) and the board glue. */
  sources: string[];
  /** Files the direct toolchain build needs that PlatformIO's toolchain brings itself (the MSP430's start-up code and linker script). */
  toolchainFiles: string[];
  includeDirs: string[];
  defines: string[];
  extraFlags: string[];
}

/** The firmware `alkyvm firmware --board <id>` renders and builds. */
export function boardFirmware(board: Board): BoardFirmware {
  switch (board.id) {
    case "uno": {
      const spec = unoDeviceFirmware();
      return { sources: [...spec.sources], toolchainFiles: [], includeDirs: [...spec.includeDirs], defines: [...spec.defines], extraFlags: [...spec.extraFlags] };
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
      };
  }
}
