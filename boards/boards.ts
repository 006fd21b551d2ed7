// The boards AlkyVM runs on: one description each, the single source of the
// facts the build, the emulators, the size checks, `alkyvm firmware` and
// `alkyvm flash` use (docs/boards.md explains each field per board).

import type { FirmwareMemoryMap } from "../compiler/engines/elf-size.js";

export type BoardId = "native" | "uno" | "lpmsp430g2553" | "raspberrypi";

export interface Board {
  /** Board id on the command line; HELLO_REPLY's board code has the same name (compiler/link/messages.ts BOARDS). */
  id: BoardId;
  name: string;
  mcu: string | undefined;
  clockHz: number | undefined;
  /** Address windows of the chip's flash and RAM as the linker sees them (for size reports); none on Linux. */
  memory: FirmwareMemoryMap | undefined;
  /** What the chip has. */
  flashBytes: number | undefined;
  ramBytes: number | undefined;
  /** What the interpreter firmware may use of it (docs/performance.md). */
  budget: { flash: number; ram: number } | undefined;
  /** The compiler that builds the firmware without PlatformIO, and the Debian packages that bring it. */
  toolchain: Toolchain;
  /** How the node reaches the firmware. */
  link: BoardLink;
  /** How a built firmware gets onto the board (`alkyvm flash`). */
  upload: UploadMethod;
  /** The PlatformIO environment of a generated project (`alkyvm firmware`). */
  platformio: PlatformioEnv;
  /** The pins of the smart-lock profile's drivers (profile "smartlock"), if the board has them. */
  smartlockPins: SmartlockPins | undefined;
}

export interface Toolchain {
  kind: "avr-gcc" | "clang-msp430" | "gcc-linux";
  /** The compiler's command (for gcc-linux: the native one; a cross compiler is used when on PATH, see crossCompiler). */
  compiler: string;
  /** A cross compiler for the board used in place of `compiler` when it is installed. */
  crossCompiler?: string;
  debianPackages: string[];
}

export type BoardLink =
  | { kind: "uart"; peripheral: string; baud: number; pins: string }
  | { kind: "stdio" }
  | { kind: "serial-or-tcp"; defaultBaud: number };

export type UploadMethod =
  | { tool: "avrdude"; programmer: string; part: string; baud: number }
  | { tool: "mspdebug"; driver: string }
  | { tool: "copy"; note: string };

export interface PlatformioEnv {
  env: string;
  platform: string;
  /** Absent for PlatformIO's `native` platform, which has no boards. */
  board: string | undefined;
  uploadProtocol: string | undefined;
  uploadSpeed: number | undefined;
  /** The link's serial speed on this board. */
  monitorSpeed: number | undefined;
}

/** A pin: an MCU port and bit ("D", 4 is PD4), or a Linux GPIO line of a /dev/gpiochipN. */
export type Pin = { port: string; bit: number; label: string } | { chip: string; line: number; label: string };

/**
 * The smart lock's hardware: a 4x3 matrix keypad (rows driven low one at a
 * time, columns read with pull-ups), the lock actuator and a buzzer (active
 * high). `keys` lists the keypad's characters row by row.
 */
export interface SmartlockPins {
  rows: Pin[];
  columns: Pin[];
  keys: string;
  lock: Pin;
  buzzer: Pin;
}

const KEYPAD_4X3 = "123456789*0#";

const avr = (port: string, bit: number, arduino: string): Pin => ({ port, bit, label: `P${port}${bit} (Arduino ${arduino})` });
const msp = (port: string, bit: number, note = ""): Pin => ({ port, bit, label: `P${port}.${bit}${note}` });
const gpio = (line: number, header: number): Pin => ({ chip: "/dev/gpiochip0", line, label: `GPIO${line} (header pin ${header})` });

export const BOARDS: readonly Board[] = [
  {
    id: "native",
    name: "host build (Linux)",
    mcu: undefined,
    clockHz: undefined,
    memory: undefined,
    flashBytes: undefined,
    ramBytes: undefined,
    budget: undefined,
    toolchain: { kind: "gcc-linux", compiler: "gcc", debianPackages: ["gcc"] },
    link: { kind: "stdio" },
    upload: { tool: "copy", note: "a host program: run it where it was built" },
    platformio: { env: "native", platform: "native", board: undefined, uploadProtocol: undefined, uploadSpeed: undefined, monitorSpeed: undefined },
    smartlockPins: undefined,
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
    toolchain: { kind: "avr-gcc", compiler: "avr-gcc", debianPackages: ["gcc-avr", "avr-libc", "binutils-avr"] },
    link: { kind: "uart", peripheral: "USART0", baud: 115200, pins: "PD0 RXD, PD1 TXD (the USB bridge)" },
    // The Uno's boot loader (optiboot) speaks STK500v1 at 115200 baud.
    upload: { tool: "avrdude", programmer: "arduino", part: "m328p", baud: 115200 },
    platformio: { env: "uno", platform: "atmelavr", board: "uno", uploadProtocol: "arduino", uploadSpeed: 115200, monitorSpeed: 115200 },
    smartlockPins: {
      rows: [avr("D", 4, "D4"), avr("D", 5, "D5"), avr("D", 6, "D6"), avr("D", 7, "D7")],
      columns: [avr("B", 0, "D8"), avr("B", 1, "D9"), avr("B", 2, "D10")],
      keys: KEYPAD_4X3,
      lock: avr("B", 5, "D13, the on-board LED"),
      buzzer: avr("B", 4, "D12"),
    },
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
    toolchain: { kind: "clang-msp430", compiler: "clang", debianPackages: ["clang", "lld", "llvm", "msp430mcu"] },
    // The LaunchPad's USB bridge (the eZ430 "Application UART") runs at 9600 baud.
    link: { kind: "uart", peripheral: "USCI_A0", baud: 9600, pins: "P1.1 RXD, P1.2 TXD (RXD/TXD jumpers set for hardware UART)" },
    upload: { tool: "mspdebug", driver: "rf2500" },
    platformio: { env: "lpmsp430g2553", platform: "timsp430", board: "lpmsp430g2553", uploadProtocol: "rf2500", uploadSpeed: undefined, monitorSpeed: 9600 },
    smartlockPins: {
      rows: [msp("2", 0), msp("2", 1), msp("2", 2), msp("2", 3)],
      columns: [msp("2", 4), msp("2", 5), msp("1", 5)],
      keys: KEYPAD_4X3,
      lock: msp("1", 6, " (the green LED)"),
      buzzer: msp("1", 0, " (the red LED)"),
    },
  },
  {
    id: "raspberrypi",
    name: "Raspberry Pi (Linux, armhf)",
    mcu: undefined,
    clockHz: undefined,
    memory: undefined,
    flashBytes: undefined,
    ramBytes: undefined,
    budget: undefined,
    // Built natively on the Pi, or cross-built here when Debian's armhf cross compiler is installed.
    toolchain: { kind: "gcc-linux", compiler: "gcc", crossCompiler: "arm-linux-gnueabihf-gcc", debianPackages: ["gcc", "gcc-arm-linux-gnueabihf"] },
    link: { kind: "serial-or-tcp", defaultBaud: 115200 },
    upload: { tool: "copy", note: "copy the program to the Pi (scp) and run it there" },
    // PlatformIO's `raspberrypi` platform is the RP2040 chip; the Linux Pi is `linux_arm`, built on the Pi itself.
    platformio: { env: "raspberrypi", platform: "linux_arm", board: "raspberrypi_3b", uploadProtocol: undefined, uploadSpeed: undefined, monitorSpeed: undefined },
    smartlockPins: {
      rows: [gpio(5, 29), gpio(6, 31), gpio(13, 33), gpio(19, 35)],
      columns: [gpio(12, 32), gpio(16, 36), gpio(20, 38)],
      keys: KEYPAD_4X3,
      lock: gpio(17, 11),
      buzzer: gpio(27, 13),
    },
  },
];

export function boardById(id: string): Board | undefined {
  return BOARDS.find((b) => b.id === id);
}
