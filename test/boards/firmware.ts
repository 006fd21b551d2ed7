// Builds the test firmwares in test/boards/fixtures (cached under build/
// by content hash) and makes the byte patterns the link tests send.

import { join } from "node:path";
import {
  AVR_PORT_DIR,
  buildAvrFirmware,
  buildMsp430Firmware,
  MSP430_PORT_DIR,
  type BuiltFirmware,
} from "../../compiler/engines/firmware-build.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

/** avr_<name>.c with the listed vm-c/port/avr modules (default: the UART driver). */
export function avrFixture(name: string, portModules: string[] = ["uart"]): BuiltFirmware {
  return buildAvrFirmware({
    name: `avr_${name}`,
    sources: [join(FIXTURES, `avr_${name}.c`), ...portModules.map((m) => join(AVR_PORT_DIR, `${m}.c`))],
  });
}

/** msp430_<name>.c with the listed vm-c/port/msp430 modules (default: the mailbox). */
export function msp430Fixture(name: string, portModules: string[] = ["mailbox"], defines: string[] = []): BuiltFirmware {
  return buildMsp430Firmware({
    name: `msp430_${name}`,
    sources: [join(FIXTURES, `msp430_${name}.c`), ...portModules.map((m) => join(MSP430_PORT_DIR, `${m}.c`))],
    defines,
  });
}

/** n pseudo-random bytes (fixed seed) that start with the bytes links get wrong: NUL, 0xFF, LF, CR. */
export function linkTestBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set([0x00, 0xff, 0x0a, 0x0d, 0x0d, 0x0a, 0x11, 0x13, 0x1b, 0x7f, 0x80].slice(0, n));
  let state = 0x2545f491;
  for (let i = 11; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

export function plusOne(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (b + 1) & 0xff);
}
