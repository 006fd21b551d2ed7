// The reference VM's behaviour (docs/ir.md §3-4), one behaviour per test, on
// hand-assembled images.

import { describe, expect, it } from "vitest";
import { FunctionKind, ImportKind } from "../../compiler/ir/image.js";
import { OPCODE_BY_BYTE } from "../../compiler/ir/opcodes.js";
import type { WidthCode } from "../../compiler/ir/types.js";
import * as arith from "../../compiler/vm/arith.js";
import type { Raw, RawArg, RawEffect } from "../../compiler/vm/effects.js";
import { ReferenceVm, type ReferenceVmOptions } from "../../compiler/vm/reference.js";
import { buildImage, hex32, type FunctionSpec, type ImageSpec } from "./build.js";
import { prng, randomValue } from "./model.js";

function vmOf(spec: ImageSpec, options?: ReferenceVmOptions): ReferenceVm {
  return new ReferenceVm(buildImage(spec), options);
}

/** Runs function 0 of a one-function image. */
function run1(fn: FunctionSpec, args: RawArg[] = [], options?: ReferenceVmOptions, rest: Omit<ImageSpec, "functions"> = {}): RawEffect[] {
  return vmOf({ ...rest, functions: [fn] }, options).invoke(0, args);
}

const ret = (value: Raw): RawEffect => ({ kind: "return", value });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("parameters and locals", () => {
  it("parameters arrive in order: LGET of the second then the first, SUB, gives first - second", () => {
    const fn = { params: ["uint32", "uint32"], result: "uint32", code: "MODE32 LGET 4 LGET 0 SUB RETF" };
    expect(run1(fn, [10, 3])).toEqual([ret(7)]);
    expect(run1(fn, [3, 10])).toEqual([ret(0xfffffff9)]);
  });

  it("scalar arguments are converted to the parameter's width", () => {
    expect(run1({ params: ["uint8"], result: "uint8", code: "LGET 0 RETF" }, [-1])).toEqual([ret(255)]);
    expect(run1({ params: ["uint64"], result: "uint64", code: "MODE64 LGET 0 RETF" }, [5])).toEqual([ret(5n)]);
  });

  it("locals after the parameters start at zero in every invocation", () => {
    const vm = vmOf({ functions: [{ params: ["uint8"], locals: ["uint8"], result: "uint8", code: "LGET 1 PUSH1 5 LSET 1 RETF" }] });
    expect(vm.invoke(0, [9])).toEqual([ret(0)]);
    expect(vm.invoke(0, [9])).toEqual([ret(0)]);
  });

  it("LSET stores into the local LGET reads, at its own width", () => {
    const fn = { locals: ["uint8", "uint64"], result: "uint64", code: "MODE64 PUSH8 0x0102030405060708 LSET 1 MODE64 LGET 1 RETF" };
    expect(run1(fn)).toEqual([ret(0x0102030405060708n)]);
  });
});

describe("stack instructions", () => {
  it("PUSHn pushes big-endian immediates at the current width", () => {
    expect(run1({ result: "uint16", code: "MODE16 PUSH2 0xabcd RETF" })).toEqual([ret(0xabcd)]);
    const big = (1n << 255n) + 0x1234n;
    expect(run1({ result: "uint256", code: `MODE256 PUSH32 ${hex32(big)} RETF` })).toEqual([ret(big)]);
    expect(run1({ result: "uint64", code: "MODE64 PUSH0 RETF" })).toEqual([ret(0n)]);
  });

  it("DUPn copies the n-th value", () => {
    // 10 + 30 + 20 + (DUP3 of 10) = 70; DUP3 of 20 or 30 would give 80 or 90.
    expect(run1({ result: "uint8", code: "PUSH1 10 PUSH1 20 PUSH1 30 DUP3 ADD ADD ADD RETF" })).toEqual([ret(70)]);
  });

  it("SWAPn exchanges the top with the (n+1)-th value", () => {
    expect(run1({ result: "uint8", code: "PUSH1 10 PUSH1 20 PUSH1 30 SWAP2 POP POP RETF" })).toEqual([ret(30)]);
  });
});

describe("calls", () => {
  it("CALLF pops the parameters (last on top) and RETF pushes the result on the caller's stack", () => {
    const vm = vmOf({
      functions: [
        { result: "uint32", code: "MODE32 PUSH1 10 PUSH1 3 CALLF 1 PUSH1 1 ADD RETF" },
        { params: ["uint32", "uint32"], result: "uint32", code: "MODE32 LGET 4 LGET 0 SUB RETF" },
      ],
    });
    expect(vm.invoke(0, [])).toEqual([ret(8)]);
  });

  it("a caller's values below the arguments survive the call", () => {
    const vm = vmOf({
      functions: [
        { result: "uint8", code: "PUSH1 100 PUSH1 5 CALLF 1 ADD RETF" },
        { params: ["uint8"], result: "uint8", code: "LGET 0 LGET 0 MUL RETF" },
      ],
    });
    expect(vm.invoke(0, [])).toEqual([ret(125)]);
  });

  it("a callee starts in mode 8 whatever the caller's mode", () => {
    const vm = vmOf({
      functions: [
        { result: "uint8", code: "MODE32 CALLF 1 RETF" },
        { result: "uint8", code: "PUSH1 200 PUSH1 100 ADD RETF" },
      ],
    });
    expect(vm.invoke(0, [])).toEqual([ret(44)]);
  });

  it("the caller's mode is restored after RETF", () => {
    const vm = vmOf({
      functions: [
        { result: "uint32", code: "MODE32 PUSH1 7 CALLF 1 PUSH4 0xffffffff ADD RETF" },
        { code: "PUSH1 200 PUSH1 100 ADD POP RETF" },
      ],
    });
    expect(vm.invoke(0, [])).toEqual([ret(6)]);
  });

  it("recursion computes through many frames (factorial in 64 bits)", () => {
    const vm = vmOf({
      functions: [
        {
          params: ["uint64"],
          result: "uint64",
          maxStack: 16,
          code: `MODE64 LGET 0 ISZERO RJUMPI base
                 MODE64 PUSH1 1 LGET 0 SUB CALLF 0 LGET 0 MUL RETF
                 base: JUMPDEST MODE64 PUSH1 1 RETF`,
        },
      ],
    });
    expect(vm.invoke(0, [20n])).toEqual([ret(2432902008176640000n)]);
    expect(vm.invoke(0, [21n])).toEqual([ret((51090942171709440000n) % (1n << 64n))]);
  });
});

describe("control flow", () => {
  const sum = {
    params: ["uint32"],
    locals: ["uint32"],
    result: "uint32",
    code: `loop: JUMPDEST
             MODE32 LGET 0 ISZERO RJUMPI done
             MODE32 LGET 0 LGET 4 ADD LSET 4
             PUSH1 1 LGET 0 SUB LSET 0
             RJUMP loop
           done: JUMPDEST
             MODE32 LGET 4 RETF`,
  };

  it("RJUMP and RJUMPI run a loop (sum of 1..n)", () => {
    expect(run1(sum, [10])).toEqual([ret(55)]);
    expect(run1(sum, [1000])).toEqual([ret(500500)]);
  });

  it("RJUMPI falls through on a false condition", () => {
    expect(run1(sum, [0])).toEqual([ret(0)]);
  });

  it("JUMPDEST resets the mode to 8", () => {
    expect(run1({ result: "uint8", code: "MODE32 RJUMP next next: JUMPDEST PUSH1 200 PUSH1 100 ADD RETF" })).toEqual([ret(44)]);
  });

  it("STOP ends the invocation with no result", () => {
    expect(run1({ result: "uint8", code: "STOP" })).toEqual([]);
  });

  it("STOP in a callee ends the whole invocation", () => {
    const vm = vmOf({ functions: [{ result: "uint8", code: "CALLF 1 PUSH1 1 RETF" }, { code: "STOP" }] });
    expect(vm.invoke(0, [])).toEqual([]);
  });

  it("INVALID faults with a trap, keeping the syscalls made before it", () => {
    const effects = run1({ code: "SYSCALL 0 INVALID" }, [], {}, { imports: [{ name: "Beep" }] });
    expect(effects).toEqual([{ kind: "syscall", importIndex: 0, args: [] }, { kind: "fault", fault: "trap" }]);
  });

  it("a void function that returns produces no effects", () => {
    expect(run1({ code: "RETF" })).toEqual([]);
  });
});

describe("memory", () => {
  it("MSTORE writes little-endian", () => {
    const vm = vmOf({ memorySize: 16, functions: [{ code: "MODE32 PUSH4 0x11223344 MODE16 PUSH1 4 MODE32 MSTORE STOP" }] });
    vm.invoke(0, []);
    expect([...vm.memory.slice(4, 8)]).toEqual([0x44, 0x33, 0x22, 0x11]);
  });

  it("MLOAD reads little-endian, starting from the data section", () => {
    const fn = { result: "uint16", code: "MODE16 PUSH1 1 MLOAD RETF" };
    expect(run1(fn, [], {}, { data: [0x01, 0x02, 0x03] })).toEqual([ret(0x0302)]);
  });

  it("a 256-bit value round-trips through memory with its least significant byte first", () => {
    const v = 0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20n;
    const vm = vmOf({
      memorySize: 40,
      functions: [{ result: "uint256", code: `MODE256 PUSH32 ${hex32(v)} MODE16 PUSH1 8 MODE256 MSTORE MODE16 PUSH1 8 MODE256 MLOAD RETF` }],
    });
    expect(vm.invoke(0, [])).toEqual([ret(v)]);
    expect(vm.memory[8]).toBe(0x20);
    expect(vm.memory[39]).toBe(0x01);
  });

  it("a 64-bit value round-trips through memory", () => {
    const fn = { result: "uint64", code: "MODE64 PUSH8 0xfedcba9876543210 MODE16 PUSH0 MODE64 MSTORE MODE16 PUSH0 MODE64 MLOAD RETF" };
    expect(run1(fn)).toEqual([ret(0xfedcba9876543210n)]);
  });

  it("MSTORE8 writes the low byte only", () => {
    const vm = vmOf({ memorySize: 16, functions: [{ code: "MODE32 PUSH4 0x11223344 MODE16 PUSH1 9 MODE32 MSTORE8 STOP" }] });
    vm.invoke(0, []);
    expect([...vm.memory.slice(8, 11)]).toEqual([0, 0x44, 0]);
  });

  it("an access that ends exactly at the end of memory is allowed", () => {
    expect(run1({ result: "uint32", code: "MODE16 PUSH1 12 MODE32 MLOAD RETF" }, [], {}, { memorySize: 16 })).toEqual([ret(0)]);
  });

  it("an access past the end faults with the first byte address accessed", () => {
    expect(run1({ result: "uint32", code: "MODE16 PUSH1 13 MODE32 MLOAD RETF" }, [], {}, { memorySize: 16 })).toEqual([
      { kind: "fault", fault: "memory", address: 13 },
    ]);
    expect(run1({ code: "PUSH1 1 MODE16 PUSH1 16 MODE8 MSTORE8 STOP" }, [], {}, { memorySize: 16 })).toEqual([
      { kind: "fault", fault: "memory", address: 16 },
    ]);
  });

  it("addresses do not wrap around at 2^16", () => {
    expect(run1({ result: "uint16", code: "MODE16 PUSH2 0xffff MLOAD RETF" }, [], {}, { memorySize: 16 })).toEqual([
      { kind: "fault", fault: "memory", address: 0xffff },
    ]);
  });

  it("memory writes made before a fault stay", () => {
    const vm = vmOf({ memorySize: 16, functions: [{ code: "PUSH1 0x5a MODE16 PUSH1 3 MODE8 MSTORE8 INVALID" }] });
    expect(vm.invoke(0, [])).toEqual([{ kind: "fault", fault: "trap" }]);
    expect(vm.memory[3]).toBe(0x5a);
  });

  it("memory keeps its contents between invocations", () => {
    const vm = vmOf({
      memorySize: 4,
      functions: [{ result: "uint8", code: "MODE16 PUSH0 MODE8 MLOAD PUSH1 1 ADD DUP1 MODE16 PUSH0 MODE8 MSTORE8 RETF" }],
    });
    expect(vm.invoke(0, [])).toEqual([ret(1)]);
    expect(vm.invoke(0, [])).toEqual([ret(2)]);
  });
});

describe("storage", () => {
  it("SSTORE and SLOAD are little-endian in storage, not memory", () => {
    const vm = vmOf({
      memorySize: 8,
      storageSize: 8,
      functions: [{ result: "uint16", code: "MODE16 PUSH2 0xbeef PUSH1 2 SSTORE MODE16 PUSH1 2 SLOAD RETF" }],
    });
    expect(vm.invoke(0, [])).toEqual([ret(0xbeef)]);
    expect([...vm.storage.slice(2, 4)]).toEqual([0xef, 0xbe]);
    expect([...vm.memory]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("an access past the end of storage faults with its address", () => {
    expect(run1({ result: "uint32", code: "MODE16 PUSH1 6 MODE32 SLOAD RETF" }, [], {}, { storageSize: 8 })).toEqual([
      { kind: "fault", fault: "storage", address: 6 },
    ]);
    expect(run1({ code: "MODE64 PUSH1 1 MODE16 PUSH1 1 MODE64 SSTORE STOP" }, [], {}, { storageSize: 8 })).toEqual([
      { kind: "fault", fault: "storage", address: 1 },
    ]);
  });
});

describe("fuel", () => {
  const fourInstructions = { result: "uint8", code: "PUSH1 1 PUSH1 2 ADD RETF" };

  it("a budget of N runs exactly N instructions", () => {
    expect(run1(fourInstructions, [], { fuel: 4 })).toEqual([ret(3)]);
  });

  it("the invocation faults when it needs one instruction more than the budget", () => {
    expect(run1(fourInstructions, [], { fuel: 3 })).toEqual([{ kind: "fault", fault: "fuel" }]);
    expect(run1(fourInstructions, [], { fuel: 0 })).toEqual([{ kind: "fault", fault: "fuel" }]);
  });

  it("an endless loop exhausts the default budget", () => {
    expect(run1({ code: "l: JUMPDEST RJUMP l" })).toEqual([{ kind: "fault", fault: "fuel" }]);
  });

  it("every invocation starts with the full budget", () => {
    const vm = vmOf({ functions: [fourInstructions] }, { fuel: 4 });
    expect(vm.invoke(0, [])).toEqual([ret(3)]);
    expect(vm.invoke(0, [])).toEqual([ret(3)]);
  });
});

describe("call stack", () => {
  // Each frame: 8 + 1 (one uint8 local) + 2 (declared max stack) = 11 bytes.
  const countdown = {
    params: ["uint8"],
    maxStack: 2,
    code: `LGET 0 ISZERO RJUMPI done
           PUSH1 1 LGET 0 SUB CALLF 0 RETF
           done: JUMPDEST RETF`,
  };

  it("unbounded recursion faults with a call stack overflow", () => {
    expect(run1({ code: "CALLF 0 RETF", maxStack: 0 })).toEqual([{ kind: "fault", fault: "stack" }]);
  });

  it("each active frame, the entry frame included, costs 8 + frameSize + maxStack bytes", () => {
    // countdown(9) has 10 active frames at its deepest: 110 bytes.
    expect(run1(countdown, [9], { stackSize: 110 })).toEqual([]);
    expect(run1(countdown, [9], { stackSize: 109 })).toEqual([{ kind: "fault", fault: "stack" }]);
  });

  it("an entry frame larger than the stack faults before running anything", () => {
    const effects = run1({ code: "SYSCALL 0 RETF", locals: ["uint256"], maxStack: 0 }, [], { stackSize: 39 }, { imports: [{ name: "Beep" }] });
    expect(effects).toEqual([{ kind: "fault", fault: "stack" }]);
  });
});

describe("syscalls and node calls", () => {
  const imports = [
    { name: "Show", params: ["uint8", "uint32", "string"] },
    { name: "Now", result: "uint32" },
  ];

  it("a syscall effect carries its arguments in parameter order, strings read up to the NUL", () => {
    const effects = run1(
      { code: "PUSH1 7 MODE32 PUSH4 0xdeadbeef MODE16 PUSH1 2 SYSCALL 0 STOP" },
      [],
      {},
      { imports, memorySize: 8, data: [0, 0, 0x68, 0x69, 0, 0x78] },
    );
    expect(effects).toEqual([{ kind: "syscall", importIndex: 0, args: [7, 0xdeadbeef, text("hi")] }]);
  });

  it("a string argument not terminated inside memory faults at the end of memory", () => {
    const effects = run1({ code: "PUSH1 7 MODE32 PUSH4 1 MODE16 PUSH1 2 SYSCALL 0 STOP" }, [], {}, { imports, memorySize: 6, data: [0, 0, 1, 2, 3, 4] });
    expect(effects).toEqual([{ kind: "fault", fault: "memory", address: 6 }]);
  });

  it("a syscall's result comes from the handler, which sees the arguments", () => {
    const seen: [number, RawArg[]][] = [];
    const syscall = (i: number, args: RawArg[]): Raw | undefined => {
      seen.push([i, args]);
      return i === 1 ? 1_700_000_000 : undefined;
    };
    const effects = run1({ result: "uint32", code: "SYSCALL 1 RETF" }, [], { syscall }, { imports });
    expect(effects).toEqual([{ kind: "syscall", importIndex: 1, args: [] }, ret(1_700_000_000)]);
    expect(seen).toEqual([[1, []]]);
  });

  it("a syscall with a result but no handler answer pushes 0", () => {
    expect(run1({ result: "uint32", code: "SYSCALL 1 RETF" }, [], {}, { imports })).toEqual([{ kind: "syscall", importIndex: 1, args: [] }, ret(0)]);
  });

  const nodeImports = [{ name: "Offload", kind: ImportKind.NodeCall, params: ["uint32"], result: "uint32" }];

  it("a node call pushes the node's answer and leaves no effect", () => {
    const nodeCall = (_i: number, args: RawArg[]): Raw | undefined => (args[0] as number) * 2;
    const effects = run1({ result: "uint32", code: "MODE32 PUSH1 21 NCALL 0 RETF" }, [], { nodeCall }, { imports: nodeImports });
    expect(effects).toEqual([ret(42)]);
  });

  it("a node call without an answer faults with a trap", () => {
    expect(run1({ result: "uint32", code: "MODE32 PUSH1 21 NCALL 0 RETF" }, [], {}, { imports: nodeImports })).toEqual([{ kind: "fault", fault: "trap" }]);
  });
});

describe("string parameters of public functions", () => {
  const setPin = {
    kind: FunctionKind.Public,
    name: "SetPin",
    params: ["string", "uint32"],
    result: "uint16",
    stringBuffers: [{ address: 16, capacity: 8 }],
    code: "MODE16 LGET 0 SYSCALL 0 MODE16 LGET 0 RETF",
  };

  it("a string argument is copied NUL-terminated into its buffer and the parameter holds the address", () => {
    const vm = vmOf({ memorySize: 32, imports: [{ name: "Show", params: ["string"] }], functions: [setPin] });
    expect(vm.invoke(0, [text("1234"), 60])).toEqual([{ kind: "syscall", importIndex: 0, args: [text("1234")] }, ret(16)]);
    expect([...vm.memory.slice(16, 21)]).toEqual([0x31, 0x32, 0x33, 0x34, 0]);
  });
});

describe("reset", () => {
  it("reset() re-initialises memory from the data section and keeps storage", () => {
    const vm = vmOf({
      memorySize: 8,
      storageSize: 4,
      data: [1, 2, 3],
      functions: [{ code: "PUSH1 9 MODE16 PUSH0 MODE8 MSTORE8 PUSH1 9 MODE16 PUSH1 6 MODE8 MSTORE8 PUSH1 5 MODE16 PUSH0 MODE8 SSTORE STOP" }],
    });
    vm.invoke(0, []);
    expect([...vm.memory]).toEqual([9, 2, 3, 0, 0, 0, 9, 0]);
    vm.reset();
    expect([...vm.memory]).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
    expect([...vm.storage]).toEqual([5, 0, 0, 0]);
  });
});

describe("every value-computing opcode is wired to arith.ts with a = top of stack", () => {
  const TYPE = ["uint8", "uint16", "uint32", "uint64", "uint256"];
  const BITS = [8, 16, 32, 64, 256];
  const widths: WidthCode[] = [0, 1, 2, 3, 4];
  const raw = (w: WidthCode, v: bigint): Raw => (w <= 2 ? Number(v) : v);

  for (const w of widths) {
    it(`at ${BITS[w]} bits`, () => {
      const next = prng(0x5eed + w);
      const bytes = BITS[w]! / 8;
      const ops: [number, number][] = [
        ...arith.BINARY_OPCODES.map((op): [number, number] => [op, 2]),
        ...arith.COMPARE_OPCODES.map((op): [number, number] => [op, 2]),
        ...arith.TERNARY_OPCODES.map((op): [number, number] => [op, 3]),
        ...arith.UNARY_OPCODES.map((op): [number, number] => [op, 1]),
      ];
      const mismatches: string[] = [];
      for (const [op, n] of ops) {
        const name = OPCODE_BY_BYTE[op]!.name;
        const isBool = arith.COMPARE_OPCODES.includes(op) || name === "ISZERO";
        const gets = Array.from({ length: n }, (_, k) => `LGET ${bytes * (n - 1 - k)}`).join(" ");
        const vm = vmOf({
          functions: [{ params: Array<string>(n).fill(TYPE[w]!), result: isBool ? "bool" : TYPE[w], code: `MODE${BITS[w]} ${gets} ${name} RETF` }],
        });
        for (let i = 0; i < 40; i++) {
          const operands = Array.from({ length: n }, () => raw(w, randomValue(next, BITS[w]!)));
          const [a, b, m] = operands as [Raw, Raw, Raw];
          const expected =
            n === 1 ? arith.unary(op, w, a) : n === 3 ? arith.ternary(op, w, a, b, m) : isBool ? arith.compare(op, w, a, b) : arith.binary(op, w, a, b);
          const got = vm.invoke(0, operands);
          if (got.length !== 1 || got[0]!.kind !== "return" || got[0]!.value !== expected) mismatches.push(`${name}(${operands.join(", ")})`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it("conversions between widths", () => {
    const next = prng(0xc0de);
    const mismatches: string[] = [];
    for (const [name, op] of [["ZEXT", 0xc8], ["SEXT", 0xc9], ["TRUNC", 0xca]] as const) {
      for (const from of widths) {
        for (const to of widths) {
          if (name === "TRUNC" ? to >= from : to <= from) continue;
          const vm = vmOf({ functions: [{ params: [TYPE[from]!], result: TYPE[to], code: `MODE${BITS[from]} LGET 0 ${name} ${to} RETF` }] });
          for (let i = 0; i < 20; i++) {
            const v = raw(from, randomValue(next, BITS[from]!));
            const got = vm.invoke(0, [v]);
            if (got[0]?.kind !== "return" || got[0].value !== arith.convert(op, from, to, v)) mismatches.push(`${name} ${from}->${to} (${v})`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
