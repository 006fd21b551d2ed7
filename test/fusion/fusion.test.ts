// Fused contracts on a real chain (Anvil): the fused and the unfused contract,
// deployed side by side with the same constructor arguments, answer the same
// transaction sequence (payable calls, reverts, events, transfers) identically;
// their deployed code differs only by the image container after the runtime
// code; `alkyvm extract` reads the images back from the chain and refuses
// unfused or corrupted code with one line.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeAbiParameters, encodeFunctionData, keccak256, parseEventLogs, type Abi } from "viem";
import { extractImages, fuseCompiled, readEmbeddedImages, type FusedContract, type ImageInput } from "../../compiler/fusion/fuse.js";
import { imageHash } from "../../compiler/fusion/container.js";
import { compileSolidity } from "../../compiler/fusion/solidity.js";
import type { AbiLike } from "../../compiler/compile.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { startAnvil, type Anvil } from "../../scripts/anvil.js";
import { alkyvm, ensureBuilt, ROOT } from "../helpers/cli.js";
import { ArylScript } from "../../aryl/script.js";
import { LOCK, LOCK_IMPROVED, RENTAL_ARYL, RENTAL_LOCK, RENTAL_METER, rentalScript } from "./images.js";
import { deploy, deployAll, hexBytes, receipt, rpc, rpcReply, send, type Hex } from "../evm/chain.js";

const RENTAL = join(ROOT, "examples/rental/Rental.sol");
const VAULT = join(ROOT, "test/fusion/fixtures/Vault.sol");
const PRICE_PER_MINUTE = 1000n;

/** Compiles the contract and fuses the images `imagesFor` gives for its ABI. */
function fuse(file: string, imagesFor: (abi: AbiLike) => ImageInput[]): FusedContract {
  const compiled = compileSolidity({ source: readFileSync(file, "utf8"), fileName: file });
  if (!compiled.ok) throw new Error(compiled.message);
  const r = fuseCompiled(compiled.contract, imagesFor(compiled.contract.abi));
  if (!r.ok) throw new Error(r.message);
  return r.contract;
}

/** The rental example: its Aryl script, its lock and its meter. */
const rentalImages = (abi: AbiLike): ImageInput[] => [
  { kind: "aryl", bytes: rentalScript(abi) },
  { kind: "alkyl", bytes: RENTAL_LOCK.bytes },
  { kind: "alkyl", bytes: RENTAL_METER.bytes },
];
const smartLocks = (): ImageInput[] => [
  { kind: "alkyl", bytes: LOCK },
  { kind: "alkyl", bytes: LOCK_IMPROVED },
];

let anvil: Anvil;
let accounts: Hex[];

beforeAll(async () => {
  const started = await startAnvil({ lifetimeMs: 5 * 60_000, args: ["--no-mining"] });
  if (!started.ok) throw new Error(started.message);
  anvil = started.anvil;
  accounts = await rpc<Hex[]>(anvil, "eth_accounts", []);
});

afterAll(async () => {
  await anvil?.stop();
});

interface Step {
  label: string;
  from: Hex;
  fn?: string;
  args?: readonly unknown[];
  /** Raw calldata instead of fn/args. */
  data?: Hex;
  value?: bigint;
}

interface Pair {
  abi: Abi;
  unfused: Hex;
  fused: Hex;
}

const calldata = (abi: Abi, s: Step): Hex => s.data ?? encodeFunctionData({ abi, functionName: s.fn!, args: s.args ?? [] } as Parameters<typeof encodeFunctionData>[0]);

async function deployPair(fused: FusedContract, ctorTypes: { type: string }[], ctorArgs: unknown[], value = 0n): Promise<Pair> {
  const args = encodeAbiParameters(ctorTypes, ctorArgs).slice(2);
  // One block, so that block-dependent constructor state (Vault.created) is the same.
  const [unfused, withImages] = await deployAll(anvil, accounts[0]!, [`${fused.unfused.bytecode}${args}`, `${fused.bytecode}${args}`], value);
  return { abi: fused.abi as Abi, unfused: unfused!, fused: withImages! };
}

/** Everything the contract's users can observe, read from both contracts. */
async function observe(pair: Pair, address: Hex, slots: Hex[], views: Step[]): Promise<unknown> {
  const storage = await Promise.all(slots.map((slot) => rpc(anvil, "eth_getStorageAt", [address, slot, "latest"])));
  const balance = await rpc(anvil, "eth_getBalance", [address, "latest"]);
  const reads = await Promise.all(views.map((v) => rpcReply(anvil, "eth_call", [{ from: v.from, to: address, data: calldata(pair.abi, v) }, "latest"])));
  return { storage, balance, reads };
}

/** Runs each step on both contracts in the same block and compares every observable result. */
async function runSide(pair: Pair, steps: Step[], slots: Hex[], views: Step[]): Promise<{ logs: number; reverts: number }> {
  let logs = 0;
  let reverts = 0;
  for (const step of steps) {
    const tx = (to: Hex) => ({ from: step.from, to, data: calldata(pair.abi, step), value: `0x${(step.value ?? 0n).toString(16)}` });
    const calls = await Promise.all([pair.unfused, pair.fused].map((to) => rpcReply(anvil, "eth_call", [tx(to), "latest"])));
    expect(calls[1], `${step.label}: eth_call`).toEqual(calls[0]);
    const hashes = [await send(anvil, { ...step, to: pair.unfused, data: calldata(pair.abi, step) }), await send(anvil, { ...step, to: pair.fused, data: calldata(pair.abi, step) })];
    await rpc(anvil, "evm_mine", []);
    const [a, b] = await Promise.all(hashes.map((h) => receipt(anvil, h)));
    expect(b!.status, `${step.label}: status`).toBe(a!.status);
    expect(b!.gasUsed, `${step.label}: gas used`).toBe(a!.gasUsed);
    expect(a!.logs.every((l) => l.address === pair.unfused) && b!.logs.every((l) => l.address === pair.fused)).toBe(true);
    expect(b!.logs.map((l) => [l.topics, l.data]), `${step.label}: logs`).toEqual(a!.logs.map((l) => [l.topics, l.data]));
    expect(parseEventLogs({ abi: pair.abi, logs: b!.logs as never }).map((l) => [l.eventName, l.args])).toEqual(
      parseEventLogs({ abi: pair.abi, logs: a!.logs as never }).map((l) => [l.eventName, l.args]),
    );
    logs += a!.logs.length;
    if (a!.status !== "0x1") reverts++;
    expect(await observe(pair, pair.fused, slots, views), `${step.label}: state`).toEqual(await observe(pair, pair.unfused, slots, views));
  }
  return { logs, reverts };
}

const slotOf = (n: number): Hex => `0x${n.toString(16)}`;
const mappingSlot = (key: Hex, slot: number): Hex =>
  keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [`0x${key.slice(2).padStart(64, "0")}`, BigInt(slot)]));

describe("a fused Rental contract behaves exactly as the unfused one", () => {
  const fused = fuse(RENTAL, rentalImages);
  let pair: Pair;

  beforeAll(async () => {
    pair = await deployPair(fused, [{ type: "address" }, { type: "uint256" }], [accounts[1], PRICE_PER_MINUTE]);
  });

  it("deploys the unfused runtime code, immutables filled in, followed by the image container", async () => {
    const [plain, withImages] = await Promise.all([pair.unfused, pair.fused].map((a) => rpc<Hex>(anvil, "eth_getCode", [a, "latest"])));
    const plainBytes = hexBytes(plain!);
    const fusedBytes = hexBytes(withImages!);
    expect(plainBytes.length).toBe(fused.runtimeSize);
    expect(fusedBytes.length).toBe(fused.runtimeSize + fused.containerSize);
    expect(Buffer.from(fusedBytes.subarray(0, fused.runtimeSize)).equals(Buffer.from(plainBytes))).toBe(true);
    // The immutables (landlord, node) really were written: the on-chain code differs from solc's zeroed runtime.
    expect(plain).not.toBe(fused.unfused.deployedBytecode);
    expect(Buffer.from(fusedBytes.subarray(fused.runtimeSize)).equals(Buffer.from(hexBytes(fused.deployedBytecode).subarray(fused.runtimeSize)))).toBe(true);
    const images = extractImages(fusedBytes);
    expect(images.map((i) => [i.kind, i.profile, Buffer.from(i.bytes).toString("hex")])).toEqual([
      ["aryl", "aryl", Buffer.from(rentalScript(fused.abi)).toString("hex")],
      ["alkyl", "smartlock", Buffer.from(RENTAL_LOCK.bytes).toString("hex")],
      ["alkyl", "meter", Buffer.from(RENTAL_METER.bytes).toString("hex")],
    ]);
  });

  it("the same transactions (payable, reverting, node-only) give identical results, events, gas, storage and balances", async () => {
    const [landlord, node, tenant, tenant2, stranger] = [accounts[0]!, accounts[1]!, accounts[2]!, accounts[3]!, accounts[4]!];
    const pin = "04a1b2c3d4e5f60718293a4b5c6d7e8f";
    const steps: Step[] = [
      { label: "pay 30 minutes with 5000 wei extra", from: tenant, fn: "pay", args: [pin, 30], value: 30n * PRICE_PER_MINUTE + 5000n },
      { label: "pay too little", from: tenant, fn: "pay", args: [pin, 10], value: 10n * PRICE_PER_MINUTE - 1n },
      { label: "pay zero minutes", from: tenant, fn: "pay", args: [pin, 0], value: 0n },
      { label: "deductUsage by a stranger", from: stranger, fn: "deductUsage", args: [tenant, 100n] },
      { label: "deductUsage by the node", from: node, fn: "deductUsage", args: [tenant, 1200n] },
      { label: "deductUsage beyond the balance", from: node, fn: "deductUsage", args: [tenant, 10n ** 9n] },
      { label: "another tenant pays", from: tenant2, fn: "pay", args: ["ff00", 5], value: 5n * PRICE_PER_MINUTE },
      { label: "the tenant extends", from: tenant, fn: "pay", args: [pin, 1], value: PRICE_PER_MINUTE },
      { label: "withdraw by a tenant", from: tenant, fn: "withdraw", args: [1n] },
      { label: "withdraw by the landlord", from: landlord, fn: "withdraw", args: [20_000n] },
      { label: "withdraw the tenants' balances too", from: landlord, fn: "withdraw", args: [41_000n - 3_800n - 20_000n + 1n] },
      { label: "plain ether transfer (no receive function)", from: stranger, data: "0x", value: 1n },
      { label: "unknown selector", from: stranger, data: "0xdeadbeef" },
      { label: "view call as a transaction", from: stranger, fn: "isRented" },
    ];
    const views: Step[] = [
      ...["landlord", "node", "pricePerMinute", "credit", "tenant", "paidUntil", "isRented"].map((fn) => ({ label: fn, from: stranger, fn })),
      ...[tenant, tenant2, stranger].map((who) => ({ label: "balanceOf", from: stranger, fn: "balanceOf", args: [who] })),
    ];
    const slots = [slotOf(0), slotOf(1), slotOf(2), slotOf(3), ...[tenant, tenant2].map((t) => mappingSlot(t, 0))];
    const { logs, reverts } = await runSide(pair, steps, slots, views);
    // The sequence exercised what it claims to.
    expect(reverts).toBe(8);
    expect(logs).toBe(5);
    expect(await rpc(anvil, "eth_getStorageAt", [pair.fused, mappingSlot(tenant, 0), "latest"])).toBe(`0x${(5000n - 1200n).toString(16).padStart(64, "0")}`);
  });
});

describe("a fused contract with a payable constructor, a dynamic constructor argument and immutables", () => {
  const fused = fuse(VAULT, smartLocks);
  let pair: Pair;

  beforeAll(async () => {
    pair = await deployPair(fused, [{ type: "string" }, { type: "uint64" }], ["a title longer than thirty-two bytes, stored in two slots", 10_000n], 777n);
  });

  it("reads its constructor arguments after the container and keeps its immutables", async () => {
    const [landlord, other] = [accounts[0]!, accounts[5]!];
    const steps: Step[] = [
      { label: "deposit", from: other, fn: "deposit", value: 500n },
      { label: "deposit over the limit", from: other, fn: "deposit", value: 10_001n },
      { label: "close by a stranger", from: other, fn: "close", args: [1n] },
      { label: "close", from: landlord, fn: "close", args: [1n] },
      { label: "close again", from: landlord, fn: "close", args: [1n] },
    ];
    const views: Step[] = ["summary", "title", "created", "label", "owner", "limit", "count"].map((fn) => ({ label: fn, from: other, fn }));
    const slots = [slotOf(0), slotOf(1), slotOf(2), mappingSlot(slotOf(1), 0), keccak256(encodeAbiParameters([{ type: "uint256" }], [2n]))];
    const { logs, reverts } = await runSide(pair, steps, slots, views);
    expect([logs, reverts]).toEqual([2, 3]);
    const title = await rpc<Hex>(anvil, "eth_call", [{ to: pair.fused, data: encodeFunctionData({ abi: pair.abi, functionName: "title" }) }, "latest"]);
    expect(Buffer.from(hexBytes(title).subarray(64)).toString("utf8")).toContain("a title longer than thirty-two bytes");
  });

  it("differs in what the code says of itself: its own code size", async () => {
    const sizes = await Promise.all(
      [pair.unfused, pair.fused].map((to) => rpc<Hex>(anvil, "eth_call", [{ to, data: encodeFunctionData({ abi: pair.abi, functionName: "ownCodeSize" }) }, "latest"])),
    );
    expect(sizes.map((s) => Number(BigInt(s)))).toEqual([fused.runtimeSize, fused.runtimeSize + fused.containerSize]);
  });
});

// Each CLI run starts Node and, for fuse, solc-js: seconds each on a loaded machine.
describe("alkyvm fuse and alkyvm extract", { timeout: 300_000 }, () => {
  let work = "";
  beforeAll(() => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), "alkyvm-fuse-"));
  }, 300_000);
  afterAll(() => {
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  const fuseCli = (out: string) =>
    alkyvm([
      "fuse", "--contract", "examples/rental/Rental.sol", "--aryl", RENTAL_ARYL,
      "--app", "examples/rental/lock.alkyl@smartlock", "--app", "examples/rental/meter.alkyl@meter", "-o", out,
    ]);

  it("fuse writes the ABI, both bytecodes and the image manifest; extract prints each image from the chain", async () => {
    const out = join(work, "build");
    const r = fuseCli(out);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["Rental.abi.json", "Rental.bytecode.hex", "Rental.deployed.hex", "Rental.images.json"]);
    const abi = JSON.parse(readFileSync(join(out, "Rental.abi.json"), "utf8")) as Abi;
    expect(abi).toEqual(fuse(RENTAL, rentalImages).abi);
    const manifest = JSON.parse(readFileSync(join(out, "Rental.images.json"), "utf8")) as {
      containerSize: number;
      images: { kind: string; profile: string; size: number; hash: string }[];
    };
    expect(manifest.images.map((i) => [i.kind, i.profile, i.size])).toEqual([
      ["aryl", "aryl", rentalScript(abi).length],
      ["alkyl", "smartlock", RENTAL_LOCK.bytes.length],
      ["alkyl", "meter", RENTAL_METER.bytes.length],
    ]);
    const init = readFileSync(join(out, "Rental.bytecode.hex"), "utf8").trim() as Hex;
    const address = await deploy(anvil, accounts[0]!, `${init}${encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [accounts[1]!, 5n]).slice(2)}`);
    const onChain = hexBytes(await rpc<Hex>(anvil, "eth_getCode", [address, "latest"]));
    const deployed = hexBytes(readFileSync(join(out, "Rental.deployed.hex"), "utf8").trim());
    const runtimeSize = deployed.length - manifest.containerSize;
    expect(onChain.length).toBe(deployed.length);
    expect(Buffer.from(onChain.subarray(runtimeSize)).equals(Buffer.from(deployed.subarray(runtimeSize)))).toBe(true);

    const saved = join(work, "images");
    const x = alkyvm(["extract", "--rpc", anvil.url, "--address", address, "-o", saved]);
    expect(x.stderr).toBe("");
    expect(x.status).toBe(0);
    expect(x.stdout.trim().split("\n")).toEqual(r.stdout.trim().split("\n").slice(0, 3));
    expect(x.stdout).toContain(`image 1: alkyl, profile smartlock, ${RENTAL_LOCK.bytes.length} bytes, keccak-256 ${manifest.images[1]!.hash}`);
    expect(readdirSync(saved).sort()).toEqual(["image0-aryl.alk", "image1-alkyl.alk", "image2-alkyl.alk"]);
    expect(verifyImage(new Uint8Array(readFileSync(join(saved, "image1-alkyl.alk"))), { profile: profileByName("smartlock")! }).ok).toBe(true);
    // The node loads the script it extracts: its handler is keyed to the contract's event.
    expect(ArylScript.load(new Uint8Array(readFileSync(join(saved, "image0-aryl.alk"))), abi).eventNames).toContain("PaymentEvent");
    const json = alkyvm(["extract", "--rpc", anvil.url, "--address", address, "--json"]);
    expect(JSON.parse(json.stdout.split("\n")[2]!)).toEqual({ index: 2, kind: "alkyl", profile: "meter", size: RENTAL_METER.bytes.length, hash: manifest.images[2]!.hash });
  });

  it("extract of an unfused contract, an empty address or a corrupted image is one line and exit code 1", async () => {
    const fused = fuse(RENTAL, rentalImages);
    const plain = await deploy(anvil, accounts[0]!, `${fused.unfused.bytecode}${encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [accounts[1]!, 5n]).slice(2)}`);
    const oneLine = (r: { status: number; stdout: string; stderr: string }, pattern: RegExp): void => {
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
    };
    oneLine(alkyvm(["extract", "--rpc", anvil.url, "--address", plain]), /not a fused contract/);
    oneLine(alkyvm(["extract", "--rpc", anvil.url, "--address", "0x000000000000000000000000000000000000dEaD"]), /no contract code at this address/);

    const code = hexBytes(fused.deployedBytecode);
    code[fused.runtimeSize + 40] ^= 0x01; // a byte inside the first image, the Aryl script
    const corrupted: Hex = "0x00000000000000000000000000000000000c0ffe";
    await rpc(anvil, "anvil_setCode", [corrupted, `0x${Buffer.from(code).toString("hex")}`]);
    oneLine(alkyvm(["extract", "--rpc", anvil.url, "--address", corrupted]), /embedded image 0 \(aryl\) is corrupted: keccak-256/);
    const direct = readEmbeddedImages(code);
    expect(direct.ok).toBe(false);

    oneLine(alkyvm(["extract", "--rpc", "http://127.0.0.1:1", "--address", plain]), /cannot read the code of/);
  });

  it("fuse takes compiled images too, and refuses a device app given as the Aryl script, or a missing -o", () => {
    const lock = join(work, "lock.alk");
    writeFileSync(lock, LOCK);
    const ok = alkyvm(["fuse", "--contract", "examples/rental/Rental.sol", "--app", lock, "-o", join(work, "from-images")]);
    expect(ok.stderr).toBe("");
    expect(ok.stdout.split("\n")[0]).toBe(`image 0: alkyl, profile smartlock, ${LOCK.length} bytes, keccak-256 ${imageHash(LOCK)}`);
    const out = join(work, "not-written");
    const wrongKind = alkyvm(["fuse", "--contract", "examples/rental/Rental.sol", "--aryl", lock, "-o", out]);
    expect([wrongKind.status, wrongKind.stderr]).toEqual([1, `alkyvm fuse: ${lock}: an Aryl script must be built for profile aryl, this one is for smartlock\n`]);
    expect(() => readdirSync(out)).toThrow();
    const usage = alkyvm(["fuse", "--contract", "examples/rental/Rental.sol", "--app", lock]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("fuse needs -o <output folder>");
  });

  it("fuse of a bad Solidity file is one line naming the file, line and column, and writes nothing", () => {
    const bad = join(work, "Bad.sol");
    const out = join(work, "bad-out");
    rmSync(out, { recursive: true, force: true });
    writeFileSync(bad, "pragma solidity ^0.8.0;\ncontract Bad {\n  function f() external { x = 1; }\n}\n");
    const r = alkyvm(["fuse", "--contract", bad, "--app", "examples/smartlock/lock.alkyl@smartlock", "-o", out]);
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}:3:27: DeclarationError: Undeclared identifier.`);
    expect(() => readdirSync(out)).toThrow();
  });
});
