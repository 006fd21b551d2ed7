// Contract fusion (docs/aryl.md §4): the contract's runtime code with an image
// container appended after it, and init code whose size fields are grown so
// that the constructor deploys the longer code and still finds its arguments.
// The contract's own code, ABI, storage layout and immutables are unchanged.

import type { AbiLike } from "../compile.js";
import { checkImage, encodeContainer, MAX_IMAGES, readContainer, type EmbeddedImage, type ImageKind } from "./container.js";
import { growSizeFields, locateSizeFields } from "./init-code.js";
import { compileSolidity, type SolidityContract, type SolidityInput } from "./solidity.js";

export type { EmbeddedImage, ImageKind } from "./container.js";

/** EIP-170: the largest runtime code a create may deploy. */
export const MAX_RUNTIME_SIZE = 24_576;
/** EIP-3860: the largest init code a create accepts. */
export const MAX_INIT_SIZE = 49_152;

export interface ImageInput {
  kind: ImageKind;
  bytes: Uint8Array;
  /** Where the image came from, for messages (e.g. "lock.alkyl"). */
  label?: string;
}

export interface FusedContract {
  name: string;
  abi: AbiLike;
  /** Init code of the fused contract, 0x-hex (constructor arguments are appended as usual). */
  bytecode: `0x${string}`;
  /** Runtime code of the fused contract as solc would report it (immutables zero), 0x-hex. */
  deployedBytecode: `0x${string}`;
  images: EmbeddedImage[];
  /** Length of the contract's own runtime code; the container starts there. */
  runtimeSize: number;
  containerSize: number;
  solcVersion: string;
  /** The unfused contract, for comparison. */
  unfused: { bytecode: `0x${string}`; deployedBytecode: `0x${string}` };
}

export type FuseResult = { ok: true; contract: FusedContract } | { ok: false; message: string };

const toHex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString("hex")}`;

/** Verifies the images and fuses them into an already compiled contract. */
export function fuseCompiled(contract: SolidityContract, inputs: readonly ImageInput[]): FuseResult {
  const fail = (message: string): FuseResult => ({ ok: false, message });
  if (inputs.length === 0) return fail("fusion needs at least one image (an Aryl script or a device app)");
  if (inputs.length > MAX_IMAGES) return fail(`fusion takes at most ${MAX_IMAGES} images, got ${inputs.length}`);
  if (inputs.filter((i) => i.kind === "aryl").length > 1) return fail("a contract carries at most one Aryl script");
  const images: EmbeddedImage[] = [];
  for (const [n, input] of inputs.entries()) {
    const checked = checkImage(input.kind, input.bytes, input.label ?? `image ${n} (${input.kind})`);
    if (!checked.ok) return checked;
    images.push(checked.image);
  }
  const located = locateSizeFields(contract);
  if (!located.ok) return located;
  const container = encodeContainer(images);
  const grown = growSizeFields(contract.bytecode, located.layout, container.length);
  if (!grown.ok) return fail(`contract ${contract.name}: ${grown.message}`);
  const runtimeSize = contract.deployedBytecode.length + container.length;
  if (runtimeSize > MAX_RUNTIME_SIZE)
    return fail(`contract ${contract.name}: fused runtime code is ${runtimeSize} bytes (${contract.deployedBytecode.length} + ${container.length} of images), over the EIP-170 limit of ${MAX_RUNTIME_SIZE}`);
  const initSize = grown.code.length + container.length;
  if (initSize > MAX_INIT_SIZE) return fail(`contract ${contract.name}: fused init code is ${initSize} bytes, over the EIP-3860 limit of ${MAX_INIT_SIZE}`);
  const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  return {
    ok: true,
    contract: {
      name: contract.name,
      abi: contract.abi,
      bytecode: toHex(concat(grown.code, container)),
      deployedBytecode: toHex(concat(contract.deployedBytecode, container)),
      images,
      runtimeSize: contract.deployedBytecode.length,
      containerSize: container.length,
      solcVersion: contract.solcVersion,
      unfused: { bytecode: toHex(contract.bytecode), deployedBytecode: toHex(contract.deployedBytecode) },
    },
  };
}

export interface FuseOptions extends Omit<SolidityInput, "source" | "fileName"> {
  solidity: string;
  fileName?: string;
  images: readonly ImageInput[];
}

/** Compiles the Solidity source and fuses the images into it. Never throws for bad input. */
export function fuseContract(opts: FuseOptions): FuseResult {
  const compiled = compileSolidity({ ...opts, source: opts.solidity, fileName: opts.fileName ?? "Contract.sol" });
  if (!compiled.ok) return compiled;
  return fuseCompiled(compiled.contract, opts.images);
}

export type ExtractResult = { ok: true; images: EmbeddedImage[]; runtimeSize: number } | { ok: false; message: string };

/** Reads and verifies the images of a fused contract's runtime code (e.g. from eth_getCode). Never throws. */
export function readEmbeddedImages(runtimeCode: Uint8Array): ExtractResult {
  const r = readContainer(runtimeCode);
  return r.ok ? { ok: true, images: r.images, runtimeSize: r.containerOffset } : r;
}

export class FusionError extends Error {}

/** As readEmbeddedImages, throwing a FusionError with a one-line message. */
export function extractImages(runtimeCode: Uint8Array): EmbeddedImage[] {
  const r = readEmbeddedImages(runtimeCode);
  if (!r.ok) throw new FusionError(r.message);
  return r.images;
}
