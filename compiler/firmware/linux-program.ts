// Running a Linux board's program here: the native build runs as is; one
// cross-built for the Raspberry Pi (armhf, arm-linux-gnueabihf-gcc) runs
// under qemu-user with Debian's armhf libraries (how the tests run the
// conformance corpus against the Pi's build on an x86 machine).

import { readFileSync } from "node:fs";
import { findTool } from "../engines/firmware-build.js";
import { BoardEmulationError } from "../engines/transport.js";

const EM_ARM = 40;
const ARMHF_SYSROOT = "/usr/arm-linux-gnueabihf";

/** The ELF machine of a program (e_machine). */
function elfMachine(path: string): number {
  const head = readFileSync(path).subarray(0, 20);
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) throw new BoardEmulationError("load-failed", `${path} is not an ELF program`);
  return head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
}

/** The command line that runs `program args...` on this machine. */
export function linuxProgramCommand(program: string, args: readonly string[]): { command: string; args: string[] } {
  if (elfMachine(program) !== EM_ARM || process.arch === "arm") return { command: program, args: [...args] };
  const qemu = findTool("qemu-arm");
  if (!qemu) throw new BoardEmulationError("toolchain-missing", `${program} is an armhf program: running it here needs qemu-arm (Debian qemu-user): run scripts/setup.sh`);
  return { command: qemu, args: ["-L", ARMHF_SYSROOT, program, ...args] };
}
