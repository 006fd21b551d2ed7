// Hand-written differential programs: everything besides value arithmetic.
// Each is assembly text plus the driver commands (see vm-c/host/alky_run.c).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assembleOrThrow, type Program } from "./corpus.js";
import { ROOT, type CRunOptions } from "./c-vm.js";

function program(name: string, source: string, commands: string[], options?: CRunOptions): Program {
  return { name, image: assembleOrThrow(name, source), commands, ...(options ? { options } : {}) };
}

const MEMORY = `
.profile test
.memory 40
.data "hello" 00 0102030405060708
.import syscall Out8(uint8)

; load(width code w, address) for every width: faults at the first byte address
.func public load8(uint16) -> uint8
    MODE16
    LGET 0
    MODE8
    MLOAD
    RETF
.func public load32(uint16) -> uint32
    MODE16
    LGET 0
    MODE32
    MLOAD
    RETF
.func public load256(uint16) -> uint256
    MODE16
    LGET 0
    MODE256
    MLOAD
    RETF
.func public store64(uint16, uint64)
    MODE64
    LGET 2
    MODE16
    LGET 0
    MODE64
    MSTORE
    RETF
.func public store8(uint16, uint32)
    MODE32
    LGET 2
    MODE16
    LGET 0
    MODE32
    MSTORE8
    RETF
.func public store256(uint16, uint256)
    MODE256
    LGET 2
    MODE16
    LGET 0
    MODE256
    MSTORE
    RETF
; a fault after a syscall and a store: both stay
.func public partial()
    PUSH 7
    SYSCALL Out8
    PUSH 0xAA
    MODE16
    PUSH 0
    MODE8
    MSTORE
    MODE16
    PUSH 40
    MODE8
    MLOAD
    POP
    RETF
`;

const STORAGE = `
.profile test
.memory 4
.storage 20
.func public put(uint16, uint32)
    MODE32
    LGET 2
    MODE16
    LGET 0
    MODE32
    SSTORE
    RETF
.func public get(uint16) -> uint32
    MODE16
    LGET 0
    MODE32
    SLOAD
    RETF
.func public get256(uint16) -> uint256
    MODE16
    LGET 0
    MODE256
    SLOAD
    RETF
`;

const CALLS = `
.profile test
.memory 8
.import syscall Out32(uint32)

; sum(n) = n + sum(n - 1), recursively: call depth n + 1
.func public sum(uint32) -> uint32
    MODE32
    LGET 0
    ISZERO
    RJUMPI base
    MODE32
    LGET 0
    PUSH 1
    SWAP1
    SUB
    CALLF sum
    LGET 0
    ADD
    RETF
base:
    JUMPDEST
    MODE32
    PUSH 0
    RETF

; locals of mixed widths keep their values across a call, and the caller's mode comes back
.func public mixed(uint8, uint64) -> uint64
.locals uint256, uint16
    MODE16
    PUSH 0x1234
    LSET 41
    MODE8
    LGET 0
    MODE64
    LGET 1
    CALLF helper
    MODE16
    LGET 41
    ZEXT 64
    MODE64
    ADD
    LGET 1
    ADD
    RETF
.func helper helper(uint8, uint64) -> uint64
    MODE8
    LGET 0
    ZEXT 64
    MODE64
    LGET 1
    MUL
    RETF

; STOP inside a callee ends the whole invocation, after its syscall
.func public stopper()
    CALLF deep
    MODE32
    PUSH 99
    SYSCALL Out32
    RETF
.func helper deep()
    MODE32
    PUSH 5
    SYSCALL Out32
    STOP

.func public trap() -> uint8
    INVALID

; an infinite loop: only fuel ends it
.func public spin()
top:
    JUMPDEST
    RJUMP top

; counts down from n, one syscall per step: fuel boundaries
.func public countdown(uint8)
loop:
    JUMPDEST
    LGET 0
    ISZERO
    RJUMPI done
    LGET 0
    PUSH 1
    SWAP1
    SUB
    LSET 0
    RJUMP loop
done:
    JUMPDEST
    RETF

.func public void_ret()
    RETF
`;

const STRINGS = `
.profile test
.memory 24
.data "abc" 00 "xyz"
.import syscall Print(string)
.import syscall Now() -> uint32
.import syscall Out32(uint32)
.import nodecall Price(uint32, string) -> uint32

.func public print(uint16)
    MODE16
    LGET 0
    SYSCALL Print
    RETF
.func public echo(string, uint8, string) -> uint16
.buffer 8, 6
.buffer 16, 4
    MODE16
    LGET 0
    SYSCALL Print
    LGET 3
    SYSCALL Print
    LGET 3
    RETF
.func public now() -> uint32
    SYSCALL Now
    RETF
.func public price(uint32) -> uint32
    MODE32
    LGET 0
    MODE16
    PUSH 0
    NCALL Price
    SYSCALL Out32
    MODE32
    LGET 0
    MODE16
    PUSH 4
    NCALL Price
    RETF
`;

/** The paper's smart lock (test/fixtures/asm/smartlock.asm): SetPin, then key presses. */
function smartLock(): Program {
  const source = readFileSync(join(ROOT, "test", "fixtures", "asm", "smartlock.asm"), "utf8");
  const pin = Buffer.from("1234").toString("hex");
  const key = (c: string): string => `event 0 ${c.charCodeAt(0).toString(16)}`;
  return program("smart lock: PIN, keys, clock", source, [
    "time 1000", `call 0 ${pin} d0070000`, key("1"), key("2"), key("3"), key("4"),
    `call 0 ${pin} d0070000`, key("1"), key("9"), key("3"), key("4"),
    "time 5000", `call 0 ${pin} d0070000`, key("1"), key("2"), key("3"), key("4"),
    "event 7 00", "mem 0 48",
  ]);
}

export function scenarios(): Program[] {
  return [
    smartLock(),
    program("memory", MEMORY, [
      "call 0 0000", "call 0 0500", "call 0 2700", "call 0 2800", "call 0 ffff",
      "call 1 0000", "call 1 2400", "call 1 2500", "call 1 fdff",
      "call 2 0000", "call 2 0800", "call 2 0900", "call 2 ffff",
      "call 3 2000 0102030405060708", "call 3 2100 1112131415161718", "mem 0 40",
      "call 4 2700 aabbccdd", "call 4 2800 aabbccdd", "mem 32 8",
      "call 5 0000 " + "ff".repeat(32), "call 5 0900 " + "01".repeat(32), "mem 0 40",
      "call 6", "mem 0 8", "reset", "mem 0 40", "call 6",
    ]),
    program("storage", STORAGE, [
      "call 0 0000 01020304", "call 0 1000 0a0b0c0d", "call 0 1100 00000000", "call 0 ffff 00000000",
      "call 1 0000", "call 1 1000", "call 1 1100", "storage 0 20", "reset", "call 1 0000",
      "call 2 0000", "call 2 0100", "call 0 0200 ffffffff", "storage 0 20",
    ]),
    program("calls", CALLS, ["call 0 05000000", "call 0 00000000", "call 0 1e000000", "call 1 07 0900000000000000", "call 3", "call 5", "call 6", "call 7 03", "call 8"]),
    program("calls, small stack", CALLS, ["call 0 05000000", "call 0 06000000", "call 0 07000000", "call 0 08000000", "call 0 09000000", "call 0 64000000", "call 1 02 0300000000000000"], { stackSize: 180 }),
    program("calls, stack too small for the entry frame", CALLS, ["call 1 02 0300000000000000", "call 0 00000000", "call 8", "call 3"], { stackSize: 20 }),
    ...[0, 1, 2, 3, 10, 11, 12, 13].map((fuel) =>
      program(`calls, fuel ${fuel}`, CALLS, ["call 7 00", "call 7 01", "call 8", "call 0 01000000", "call 6", "call 3"], { fuel }),
    ),
    program("calls, fuel 1000", CALLS, ["call 6", "call 7 ff", "call 7 10", "call 0 32000000"], { fuel: 1000 }),
    // The interpreter counts fuel in two 16-bit halves (docs/vm-c.md): budgets around the carry.
    ...[65535, 65536, 65537, 131073].map((fuel) =>
      program(`calls, fuel ${fuel}`, CALLS, ["call 6", "call 0 00200000", "call 0 00100000", "call 0 00080000"], { fuel }),
    ),
    program("strings, clock and node calls", STRINGS, [
      "call 0 0000", "call 0 0400", "call 0 0200", "call 0 1700", "call 0 1800", "call 0 ffff",
      "call 1 6869 07 -", "call 1 6162636465 01 787978", "mem 0 24",
      "call 0 0800", "call 0 1000",
      "call 2", "time 1700000000", "call 2", "time 4294967295", "call 2",
      "answer 2a000000", "answer 05000000", "call 3 07000000",
      "answer 01000000", "answer none", "call 3 07000000",
      "call 3 07000000",
      "answer 09000000", "call 3 08000000",
    ]),
  ];
}

/** A string that runs to the end of memory faults with the memory size as address. */
export const UNTERMINATED = `
.profile test
.memory 6
.data "abcdef"
.import syscall Print(string)
.func public print(uint16)
    MODE16
    LGET 0
    SYSCALL Print
    RETF
`;
