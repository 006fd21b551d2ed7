// The image container and what fusion refuses, without a chain: every broken
// field of a container is reported in one line, and contracts whose init code
// cannot be grown safely are refused with the reason.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONTAINER_TRAILER_SIZE, DIRECTORY_ENTRY_SIZE, checkImage, encodeContainer, imageHash, readContainer } from "../../compiler/fusion/container.js";
import { fuseContract, MAX_RUNTIME_SIZE, readEmbeddedImages, type ImageInput } from "../../compiler/fusion/fuse.js";
import { growSizeFields, locateSizeFields } from "../../compiler/fusion/init-code.js";
import { compileSolidity, type SolidityContract } from "../../compiler/fusion/solidity.js";
import { ROOT } from "../helpers/cli.js";
import { LOCK } from "./images.js";

const CODE = Uint8Array.from([0x60, 0x80, 0x60, 0x40, 0x52, 0xfe, 0xa2, 0x64]); // stands for a contract's runtime code

function fusedCode(): Uint8Array {
  const first = checkImage("alkyl", LOCK, "lock");
  if (!first.ok) throw new Error(first.message);
  const container = encodeContainer([first.image, first.image]);
  const out = new Uint8Array(CODE.length + container.length);
  out.set(CODE);
  out.set(container, CODE.length);
  return out;
}

function mutated(edit: (code: Uint8Array, view: DataView) => void): Uint8Array {
  const code = fusedCode();
  edit(code, new DataView(code.buffer));
  return code;
}

const trailerAt = (code: Uint8Array): number => code.length - CONTAINER_TRAILER_SIZE;
const entryAt = (code: Uint8Array, i: number): number => trailerAt(code) - 2 * DIRECTORY_ENTRY_SIZE + i * DIRECTORY_ENTRY_SIZE;

function errorOf(code: Uint8Array): string {
  const r = readContainer(code);
  if (r.ok) throw new Error("expected an error");
  expect(r.message).not.toContain("\n");
  return r.message;
}

describe("image container", () => {
  it("round-trips images after arbitrary code, finding them from the end", () => {
    const r = readContainer(fusedCode());
    expect(r.ok && r.containerOffset).toBe(CODE.length);
    expect(r.ok && r.images.map((i) => [i.kind, i.profile, i.hash, i.bytes.length])).toEqual([
      ["alkyl", "smartlock", imageHash(LOCK), LOCK.length],
      ["alkyl", "smartlock", imageHash(LOCK), LOCK.length],
    ]);
  });

  it("rejects each broken field with one line", () => {
    expect(errorOf(CODE)).toMatch(/not a fused contract/);
    expect(errorOf(mutated((c) => (c[trailerAt(c)] = 2)))).toMatch(/container version 2 is not supported/);
    expect(errorOf(mutated((c) => (c[trailerAt(c) + 1] = 0)))).toMatch(/lists no images/);
    expect(errorOf(mutated((c) => (c[trailerAt(c) + 2] = 1)))).toMatch(/reserved field is not zero/);
    expect(errorOf(mutated((c, v) => v.setUint32(trailerAt(c) + 4, c.length + 1, true)))).toMatch(/does not fit the code/);
    expect(errorOf(mutated((c) => (c[entryAt(c, 1)] = 7)))).toMatch(/embedded image 1: unknown kind 7/);
    expect(errorOf(mutated((c) => (c[entryAt(c, 0) + 1] = 1)))).toMatch(/reserved directory byte/);
    expect(errorOf(mutated((c, v) => v.setUint32(entryAt(c, 0) + 4, 100_000, true)))).toMatch(/runs past the image area/);
    expect(errorOf(mutated((c) => (c[CODE.length + 30] ^= 0x40)))).toMatch(/embedded image 0 \(alkyl\) is corrupted: keccak-256 0x[0-9a-f]{64}, the directory says/);
    expect(errorOf(mutated((c) => (c[entryAt(c, 1) + 2] = 1)))).toMatch(/embedded image 1 \(alkyl\): directory says profile id 1, the image header 2/);
    expect(errorOf(mutated((c) => (c[entryAt(c, 1)] = 1)))).toMatch(/embedded image 1 \(aryl\): an Aryl script must be built for profile aryl/);
  });

  it("verifies every image before use, not only its hash", () => {
    const broken = Uint8Array.from(LOCK);
    broken[broken.length - 1] ^= 0xff; // the image's own CRC
    const code = mutated(() => undefined);
    const container = code.subarray(CODE.length);
    container.set(broken, 0);
    container.set(Buffer.from(imageHash(broken).slice(2), "hex"), container.length - CONTAINER_TRAILER_SIZE - 2 * DIRECTORY_ENTRY_SIZE + 8);
    expect(errorOf(code)).toMatch(/embedded image 0 \(alkyl\): does not verify: offset \d+: crc:/);
  });

  it("an Aryl script must be built for the aryl profile, a device app must not", () => {
    const r = checkImage("aryl", LOCK, "lock.alk");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^lock\.alk: an Aryl script must be built for profile aryl/);
  });
});

describe("what fusion refuses", () => {
  const fuse = (solidity: string, images: ImageInput[] = [{ kind: "alkyl", bytes: LOCK }]) => fuseContract({ solidity, fileName: "T.sol", images });

  it("a runtime code shorter than 256 bytes, whose size solc pushes in one byte", () => {
    const r = fuse("pragma solidity ^0.8.0; contract Tiny { uint x; function set(uint v) external { x = v; } }");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^contract Tiny: the runtime-size \d+ does not fit the init code's 1-byte field at byte \d+$/);
  });

  it("a file with several contracts without --name, and a constructor that creates another contract", () => {
    const unnamed = fuseContract({ solidity: readParent(), fileName: "T.sol", images: [{ kind: "alkyl", bytes: LOCK }] });
    expect(!unnamed.ok && unnamed.message).toBe("T.sol: defines 2 contracts (Child, Parent): choose one with --name");
    const p = fuseContract({ solidity: readParent(), fileName: "T.sol", contractName: "Parent", images: [{ kind: "alkyl", bytes: LOCK }] });
    expect(!p.ok && p.message).toMatch(/^contract Parent: init code carries data after the runtime code/);
  });

  it("a fused runtime over the EIP-170 limit", () => {
    const solidity = readFileSync(join(ROOT, "examples/rental/Rental.sol"), "utf8");
    const copies = Math.ceil(MAX_RUNTIME_SIZE / LOCK.length);
    const r = fuse(solidity, Array.from({ length: copies }, () => ({ kind: "alkyl" as const, bytes: LOCK })));
    expect(!r.ok && r.message).toMatch(/^contract Rental: fused runtime code is \d+ bytes .* over the EIP-170 limit of 24576$/);
  });

  it("no images, two Aryl scripts, or an image that does not verify", () => {
    const solidity = readFileSync(join(ROOT, "examples/rental/Rental.sol"), "utf8");
    expect(fuse(solidity, [])).toEqual({ ok: false, message: "fusion needs at least one image (an Aryl script or a device app)" });
    expect(fuse(solidity, [{ kind: "aryl", bytes: LOCK }, { kind: "aryl", bytes: LOCK }])).toEqual({ ok: false, message: "a contract carries at most one Aryl script" });
    const r = fuse(solidity, [{ kind: "alkyl", bytes: LOCK.subarray(0, 40) }]);
    expect(!r.ok && r.message).toMatch(/^image 0 \(alkyl\): does not verify: offset \d+: /);
  });

  it("Solidity errors are one line with file, line and column", () => {
    const r = compileSolidity({ source: "pragma solidity ^0.8.0;\ncontract A {\n  uint x = ;\n}\n", fileName: "A.sol" });
    expect(r).toEqual({ ok: false, message: "A.sol:3:12: ParserError: Expected primary expression." });
    const missing = compileSolidity({ source: 'import "./Nope.sol";\ncontract A {}\n', fileName: "A.sol", readImport: () => undefined });
    expect(!missing.ok && missing.message).toMatch(/^A\.sol:1:1: ParserError: Source "Nope\.sol" not found/);
  });

  it("the fused code is the runtime code followed by a container that reads back", () => {
    const r = fuse(readFileSync(join(ROOT, "examples/rental/Rental.sol"), "utf8"));
    if (!r.ok) throw new Error(r.message);
    const deployed = Buffer.from(r.contract.deployedBytecode.slice(2), "hex");
    expect(deployed.subarray(0, r.contract.runtimeSize).toString("hex")).toBe(r.contract.unfused.deployedBytecode.slice(2));
    const back = readEmbeddedImages(new Uint8Array(deployed));
    expect(back.ok && back.runtimeSize).toBe(r.contract.runtimeSize);
  });
});

describe("locating the init code's size fields", () => {
  const rental = (): SolidityContract => {
    const r = compileSolidity({ source: readFileSync(join(ROOT, "examples/rental/Rental.sol"), "utf8"), fileName: "Rental.sol" });
    if (!r.ok) throw new Error(r.message);
    return r.contract;
  };
  const c = rental();
  const located = locateSizeFields(c);
  if (!located.ok) throw new Error(located.message);
  const { layout } = located;
  const readField = (code: Uint8Array, f: { offset: number; width: number }): number => code.subarray(f.offset, f.offset + f.width).reduce((v, b) => v * 256 + b, 0);

  it("finds the runtime size (copy and return) and the program size (constructor arguments) of the rental", () => {
    expect(layout.runtimeOffset + layout.runtimeSize).toBe(c.bytecode.length);
    expect(layout.fields.filter((f) => f.role === "runtime-size")).toHaveLength(2);
    expect(layout.fields.filter((f) => f.role === "program-size").length).toBeGreaterThan(0);
    for (const f of layout.fields) expect(readField(c.bytecode, f)).toBe(f.role === "runtime-size" ? layout.runtimeSize : layout.programSize);
  });

  it("grows exactly those fields and no other byte", () => {
    const grown = growSizeFields(c.bytecode, layout, 300);
    if (!grown.ok) throw new Error(grown.message);
    const changed = [...grown.code.keys()].filter((i) => grown.code[i] !== c.bytecode[i]);
    const inFields = (i: number): boolean => layout.fields.some((f) => i >= f.offset && i < f.offset + f.width);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every(inFields)).toBe(true);
    for (const f of layout.fields) expect(readField(grown.code, f)).toBe((f.role === "runtime-size" ? layout.runtimeSize : layout.programSize) + 300);
  });

  it("refuses init code that disagrees with its assembly or with the runtime code", () => {
    const field = layout.fields[0]!;
    const pushChanged = Uint8Array.from(c.bytecode);
    pushChanged[field.offset - 1] = 0x5b; // the PUSH becomes a JUMPDEST
    const a = locateSizeFields({ ...c, bytecode: pushChanged });
    expect(!a.ok && a.message).toMatch(/^contract Rental: init code byte \d+ is 0x5b, which does not match assembly item (PUSHSIZE|PUSH #\[\$\])$/);
    const runtimeChanged = Uint8Array.from(c.bytecode);
    runtimeChanged[layout.runtimeOffset + 5] ^= 0xff;
    const b = locateSizeFields({ ...c, bytecode: runtimeChanged });
    expect(!b.ok && b.message).toBe("contract Rental: the runtime code inside the init code differs from solc's runtime code at byte 5");
    const shorterRuntime = locateSizeFields({ ...c, deployedBytecode: c.deployedBytecode.subarray(1) });
    expect(!shorterRuntime.ok && shorterRuntime.message).toMatch(/copies \d+ bytes of runtime code, solc's runtime code has \d+/);
  });
});

function readParent(): string {
  return `pragma solidity ^0.8.0;
    contract Child { uint public v; constructor(uint x) { v = x; } function w() external view returns (uint) { return v * 2; } }
    contract Parent { Child public c; uint public n;
      constructor() { c = new Child(7); }
      function a(uint x) external returns (uint) { n += x; return x * 3 + 1; }
      function b(string calldata s) external pure returns (bytes32) { return keccak256(bytes(s)); }
      function d(uint[] calldata xs) external pure returns (uint t) { for (uint i = 0; i < xs.length; i++) t += xs[i]; } }`;
}
