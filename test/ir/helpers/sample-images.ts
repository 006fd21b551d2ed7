// Valid images covering every instruction family: the verifier's acceptance
// tests and the seeds that the corruption property test mutates.

import { Feature, FunctionKind } from "../../../compiler/ir/image.js";
import { profileByName, type Profile } from "../../../compiler/profiles/profiles.js";
import { build, code, fn, label, nodecall, syscall, to } from "./image-builder.js";

export interface SampleImage {
  description: string;
  bytes: Uint8Array;
  /** The profile the image is checked against, when it uses one. */
  profile?: Profile;
}

const lockProfile = profileByName("smartlock")!;
const testProfile = profileByName("test")!;

export const SAMPLE_IMAGES: readonly SampleImage[] = [
  {
    description: "a counting loop over a local",
    bytes: build({
      functions: [
        fn({
          locals: ["uint8"],
          maxStack: 2,
          code: code(
            ["PUSH1", 10], ["LSET", 0],
            label("top"), "JUMPDEST",
            ["LGET", 0], "ISZERO", ["RJUMPI", to("done")],
            ["PUSH1", 1], ["LGET", 0], "SUB", ["LSET", 0],
            ["RJUMP", to("top")],
            label("done"), "JUMPDEST", "STOP",
          ),
        }),
      ],
    }),
  },
  {
    description: "calls with parameters and results, and unbounded recursion",
    bytes: build({
      functions: [
        fn({ result: "uint32", maxStack: 8, code: code("MODE32", ["PUSH1", 2], ["PUSH1", 3], ["CALLF", 1], "RETF") }),
        fn({
          name: "Add",
          kind: FunctionKind.Helper,
          params: ["uint32", "uint32"],
          result: "uint32",
          maxStack: 8,
          code: code("MODE32", ["LGET", 0], ["LGET", 4], "ADD", "RETF"),
        }),
        fn({ name: "Forever", code: code(["CALLF", 2], "RETF") }),
      ],
    }),
  },
  {
    description: "arithmetic at every width with matching locals",
    bytes: build({
      features: Feature.Width64 | Feature.Width256,
      functions: [
        fn({
          params: ["int16"],
          locals: ["uint8", "uint32", "int64", "uint256"],
          result: "uint8",
          maxStack: 96,
          code: code(
            ["PUSH1", 1], ["PUSH1", 2], "ADD", ["LSET", 2],
            "MODE16", ["PUSH2", 0x1234], ["LGET", 0], "MUL", ["LSET", 0],
            "MODE32", ["PUSH4", 0xdeadbeef], ["LGET", 3], "SDIV", ["LSET", 3],
            "MODE64", ["PUSH8", 0x0102030405060708n], ["LGET", 7], "EXP", ["LSET", 7],
            "MODE256", ["PUSH32", (1n << 255n) | 1n], ["LGET", 15], ["PUSH1", 3], "ADDMOD", ["LSET", 15],
            "MODE8", ["LGET", 2], "RETF",
          ),
        }),
      ],
    }),
  },
  {
    description: "conversions between all widths",
    bytes: build({
      features: Feature.Width64 | Feature.Width256,
      functions: [
        fn({
          result: "int8",
          maxStack: 32,
          code: code(
            "PUSH0", "NOT", ["SEXT", 1], "MODE16", ["ZEXT", 2], "MODE32", ["SEXT", 3], "MODE64", ["ZEXT", 4],
            "MODE256", ["TRUNC", 3], "MODE64", ["TRUNC", 2], "MODE32", ["TRUNC", 1], "MODE16", ["TRUNC", 0], "RETF",
          ),
        }),
      ],
    }),
  },
  {
    description: "memory, storage, comparisons, DUP and SWAP",
    bytes: build({
      features: Feature.Storage,
      storageSize: 8,
      memorySize: 16,
      data: [1, 2, 3, 4, 5],
      functions: [
        fn({
          maxStack: 4,
          code: code(
            "MODE16", ["PUSH1", 4], "MODE8", "MLOAD", "DUP1", "DUP2", "SWAP1", "LT", "POP", "POP",
            "MODE16", "PUSH0", ["PUSH1", 2], "SSTORE", "PUSH0", "SLOAD", ["PUSH2", 0x0400], "MSTORE", "STOP",
          ),
        }),
      ],
    }),
  },
  {
    description: "the smart lock against its profile: event handler, syscalls, string parameter",
    profile: lockProfile,
    bytes: build({
      profileId: lockProfile.id,
      memorySize: 16,
      imports: [syscall(0, "Unlock"), syscall(3, "Now", [], "uint32")],
      functions: [
        fn({
          kind: FunctionKind.Event,
          name: "KeyPressed",
          params: ["char"],
          maxStack: 4,
          code: code(["LGET", 0], ["PUSH1", 0x23], "EQ", ["RJUMPI", to("open")], "STOP", label("open"), "JUMPDEST", ["SYSCALL", 0], ["SYSCALL", 1], "MODE32", "POP", "STOP"),
        }),
        fn({ name: "SetPin", params: ["string", "uint32"], stringBuffers: [{ address: 0, capacity: 8 }], code: code("STOP") }),
      ],
    }),
  },
  {
    description: "node calls and string syscalls",
    profile: testProfile,
    bytes: build({
      features: Feature.NodeCalls,
      memorySize: 8,
      data: [0x68, 0x69, 0],
      imports: [syscall(12, "Print", ["string"]), nodecall("Ask", ["uint16"], "bool"), syscall(10, "OutBool", ["bool"])],
      functions: [
        fn({
          name: "Greet",
          maxStack: 4,
          code: code("MODE16", "PUSH0", "DUP1", ["SYSCALL", 0], ["NCALL", 1], ["SYSCALL", 2], "STOP"),
        }),
      ],
    }),
  },
];
