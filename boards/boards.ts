// The boards AlkyVM runs on: one description each, the single source of the
// facts the build, the emulators and the size checks use (docs/boards.md).

import type { FirmwareMemoryMap } from "../compiler/engines/elf-size.js";

export interface Board {
  /** Board id on the command line and in HELLO_REPLY (compiler/link/messages.ts BOARDS). */
  id: "native" | "uno" | "lpmsp430g2553";
  name: string;
  mcu: string | undefined;
  clockHz: number | undefined;
  /** Address windows of the chip's flash and RAM as the linker sees them (for size reports). */
  memory: FirmwareMemoryMap | undefined;
  /** What the chip has. */
  flashBytes: number | undefined;
  ramBytes: number | undefined;
  /** What the interpreter firmware may use of it (docs/performance.md). */
  budget: { flash: number; ram: number } | undefined;
  /** The PlatformIO environment of a generated project (`alkyvm firmware`). */
  platformio: PlatformioEnv | undefined;
}

export interface PlatformioEnv {
  env: string;
  platform: string;
  board: string;
  uploadProtocol: string;
  uploadSpeed: number;
  /** The link's serial speed on this board. */
  monitorSpeed: number;
}

export const BOARDS: readonly Board[] = [
  {
    id: "native",
    name: "host build (Linux; also the Raspberry Pi)",
    mcu: undefined,
    clockHz: undefined,
    memory: undefined,
    flashBytes: undefined,
    ramBytes: undefined,
    budget: undefined,
    platformio: undefined,
  },
  {
    id: "uno",
    name: "Arduino Uno (ATmega328P)",
    mcu: "atmega328p",
    clockHz: 16_000_000,
    // avr-gcc's view: flash from 0, data memory at 0x800000 (SRAM from 0x100).
    memory: { flash: { start: 0, end: 0x8000 }, ram: { start: 0x800100, end: 0x800900 } },
    flashBytes: 32 * 1024,
    ramBytes: 2 * 1024,
    budget: { flash: 12 * 1024, ram: 1024 },
    platformio: { env: "uno", platform: "atmelavr", board: "uno", uploadProtocol: "arduino", uploadSpeed: 115200, monitorSpeed: 115200 },
  },
  {
    id: "lpmsp430g2553",
    name: "TI LaunchPad MSP430G2553",
    mcu: "msp430g2553",
    clockHz: 16_000_000,
    memory: { flash: { start: 0xc000, end: 0x10000 }, ram: { start: 0x200, end: 0x400 } },
    flashBytes: 16 * 1024,
    ramBytes: 512,
    // Static RAM must leave the C stack at least 96 bytes (the linker script checks the same).
    budget: { flash: 16 * 1024, ram: 512 - 96 },
    // The LaunchPad's USB bridge runs USCI_A0 at 9600 baud.
    platformio: { env: "lpmsp430g2553", platform: "timsp430", board: "lpmsp430g2553", uploadProtocol: "rf2500", uploadSpeed: 9600, monitorSpeed: 9600 },
  },
];

export function boardById(id: string): Board | undefined {
  return BOARDS.find((b) => b.id === id);
}
