// `alkyvm fuse` and `alkyvm extract` (docs/aryl.md §4): a thin layer over
// compiler/fusion/.

import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCode, rpcProblem } from "../aryl/rpc.js";
import type { EmbeddedImage } from "../compiler/fusion/container.js";
import { fuseCompiled, readEmbeddedImages, type FusedContract, type ImageInput } from "../compiler/fusion/fuse.js";
import { compileSolidity, type SolidityContract } from "../compiler/fusion/solidity.js";
import { compileArylFile, isArylFile, loadAppOption, type LoadedApp } from "./app.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { CliError, readInput, readTextInput, writeAtomically } from "./files.js";

/** `image 0: alkyl, profile smartlock, 812 bytes, keccak-256 0x…` */
export function formatImageLine(index: number, im: EmbeddedImage): string {
  return `image ${index}: ${im.kind}, profile ${im.profile}, ${im.bytes.length} bytes, keccak-256 ${im.hash}`;
}

function imageJson(index: number, im: EmbeddedImage, source?: string): Record<string, unknown> {
  return { index, kind: im.kind, profile: im.profile, size: im.bytes.length, hash: im.hash, ...(source === undefined ? {} : { source }) };
}

type DeviceApp = LoadedApp & { path: string };

/** The Aryl script: an .aryl source compiled against the contract's ABI and the device apps, or a compiled .alk image. */
function loadArylScript(path: string, contract: SolidityContract, apps: readonly DeviceApp[]): ImageInput {
  const bytes = isArylFile(path) ? compileArylFile(path, contract.abi, apps).bytes : new Uint8Array(readInput(path));
  return { kind: "aryl", bytes, label: path };
}

/** solc resolves relative imports against the importing file's name, which is its path here. */
function readImport(path: string): string | undefined {
  try {
    return readTextInput(path);
  } catch {
    return undefined;
  }
}

function manifest(fused: FusedContract, sources: string[]): Record<string, unknown> {
  return {
    contract: fused.name,
    solc: fused.solcVersion,
    runtimeSize: fused.runtimeSize,
    containerSize: fused.containerSize,
    deployedSize: fused.runtimeSize + fused.containerSize,
    images: fused.images.map((im, i) => imageJson(i, im, sources[i])),
  };
}

/** Every output file, computed before any is written, so a failure writes nothing. */
function outputFiles(fused: FusedContract, sources: string[]): [string, string][] {
  return [
    [`${fused.name}.abi.json`, JSON.stringify(fused.abi, null, 2) + "\n"],
    [`${fused.name}.bytecode.hex`, fused.bytecode + "\n"],
    [`${fused.name}.deployed.hex`, fused.deployedBytecode + "\n"],
    [`${fused.name}.images.json`, JSON.stringify(manifest(fused, sources), null, 2) + "\n"],
  ];
}

function ensureDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`${dir}: cannot create the output folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!statSync(dir).isDirectory()) throw new CliError(`${dir}: not a folder`);
}

export function cmdFuse(argv: string[], out: (line: string) => void): void {
  const args = parseArgs(argv, { valued: ["--contract", "--name", "--aryl", "--app", "-o"], flags: [] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const contractPath = optionValue(args, "--contract");
  if (contractPath === undefined) throw new UsageError("fuse needs --contract <file.sol>");
  const outDir = optionValue(args, "-o");
  if (outDir === undefined) throw new UsageError("fuse needs -o <output folder>");
  const arylPath = optionValue(args, "--aryl");
  const apps = args.options.filter((o) => o.name === "--app").map((o) => o.value);
  if (arylPath === undefined && apps.length === 0) throw new UsageError("fuse needs --aryl <script> or at least one --app <app>");

  const compiled = compileSolidity({
    source: readTextInput(contractPath),
    fileName: contractPath,
    contractName: optionValue(args, "--name"),
    readImport,
  });
  if (!compiled.ok) throw new CliError(compiled.message);
  const deviceApps = apps.map(loadAppOption);
  const inputs: ImageInput[] = [
    ...(arylPath === undefined ? [] : [loadArylScript(arylPath, compiled.contract, deviceApps)]),
    ...deviceApps.map((a): ImageInput => ({ kind: "alkyl", bytes: a.bytes, label: a.path })),
  ];
  const fused = fuseCompiled(compiled.contract, inputs);
  if (!fused.ok) throw new CliError(`alkyvm fuse: ${fused.message}`);

  const sources = inputs.map((i) => i.label ?? "");
  const files = outputFiles(fused.contract, sources);
  ensureDirectory(outDir);
  for (const [name, text] of files) writeAtomically(join(outDir, name), text);
  fused.contract.images.forEach((im, i) => out(formatImageLine(i, im)));
  out(`${fused.contract.name}: runtime ${fused.contract.runtimeSize} bytes + images ${fused.contract.containerSize} bytes -> ${join(outDir, `${fused.contract.name}.*`)}`);
}

async function fetchCode(rpc: string, address: `0x${string}`): Promise<Uint8Array> {
  // viem is loaded here only: the other commands start faster without it.
  const { createPublicClient, http } = await import("viem");
  const client = createPublicClient({ transport: http(rpc, { retryCount: 0, timeout: 15_000 }) });
  let code: Uint8Array | undefined;
  try {
    code = await readCode(client, address);
  } catch (e) {
    throw new CliError(`alkyvm extract: cannot read the code of ${address} from ${rpc}: ${rpcProblem(e)}`);
  }
  if (code === undefined) throw new CliError(`alkyvm extract: ${address}: no contract code at this address`);
  return code;
}

export async function cmdExtract(argv: string[], out: (line: string) => void): Promise<void> {
  const args = parseArgs(argv, { valued: ["--rpc", "--address", "-o"], flags: ["--json"] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const rpc = optionValue(args, "--rpc");
  const address = optionValue(args, "--address");
  if (rpc === undefined || address === undefined) throw new UsageError("extract needs --rpc <url> and --address <0x…>");
  if (!/^https?:\/\//.test(rpc)) throw new UsageError(`--rpc must be an http(s) URL, got '${rpc}'`);
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new UsageError(`--address must be a 20-byte hex address, got '${address}'`);
  const code = await fetchCode(rpc, address as `0x${string}`);
  const r = readEmbeddedImages(code);
  if (!r.ok) throw new CliError(`alkyvm extract: ${address}: ${r.message}`);
  const outDir = optionValue(args, "-o");
  if (outDir !== undefined) {
    ensureDirectory(outDir);
    r.images.forEach((im, i) => writeAtomically(join(outDir, `image${i}-${im.kind}.alk`), im.bytes));
  }
  r.images.forEach((im, i) => out(args.flags.has("--json") ? JSON.stringify(imageJson(i, im)) : formatImageLine(i, im)));
}
