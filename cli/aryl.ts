// `alkyvm aryl`: runs the Aryl node (aryl/node.ts) until SIGINT or SIGTERM.

import { resolve } from "node:path";
import type { Abi, Address } from "viem";
import { readDevicesFile } from "../aryl/devices-file.js";
import { resolveKeyRef } from "../aryl/key-ref.js";
import { ArylNode, type ArylNodeOptions } from "../aryl/node.js";
import { rpcProblem } from "../aryl/rpc.js";
import { extractImages } from "../compiler/fusion/fuse.js";
import { optionValue, parseArgs, UsageError } from "./args.js";
import { readAbiFile } from "./abi-file.js";
import { CliError } from "./files.js";

export const ARYL_USAGE = `alkyvm aryl --rpc <url> --contract <address> --abi <abi.json> --devices <devices.json>
        [--confirmations N] [--data <dir>] [--key env:<VAR>|file:<path>] [--from-block N] [--poll-ms N] [--chain-id N]
        runs the Aryl node for a fused contract until SIGINT/SIGTERM (docs/aryl.md)`;

const DEFAULT_DATA_DIR = "aryl-data";

function required(args: ReturnType<typeof parseArgs>, name: string): string {
  const v = optionValue(args, name);
  if (v === undefined) throw new UsageError(`alkyvm aryl needs ${name}`);
  return v;
}

function nonNegative(args: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const v = optionValue(args, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new UsageError(`${name} needs a non-negative integer, got '${v}'`);
  return Number(v);
}

/** The node's options from the command line; every mistake is a one-line error. */
export function arylOptions(argv: string[]): ArylNodeOptions & { chainId?: number } {
  const args = parseArgs(argv, {
    valued: ["--rpc", "--contract", "--abi", "--devices", "--confirmations", "--data", "--key", "--from-block", "--poll-ms", "--chain-id"],
    flags: [],
  });
  if (args.positionals.length > 0) throw new UsageError(`alkyvm aryl takes no positional arguments, got '${args.positionals[0]}'`);
  const rpcUrl = required(args, "--rpc");
  if (!/^https?:\/\/[^\s/]+/.test(rpcUrl)) throw new UsageError(`--rpc needs an http(s) JSON-RPC URL, got '${rpcUrl}'`);
  const contract = required(args, "--contract");
  if (!/^0x[0-9a-fA-F]{40}$/.test(contract)) throw new UsageError(`--contract needs a 0x-prefixed 20-byte address, got '${contract}'`);
  const abi = readAbiFile(required(args, "--abi")) as Abi;
  const devicesPath = required(args, "--devices");
  const devices = readDevicesFile(devicesPath);
  if (!devices.ok) throw new CliError(devices.message);
  const keyRef = optionValue(args, "--key");
  let nodeKey: Uint8Array | undefined;
  if (keyRef !== undefined) {
    const key = resolveKeyRef(keyRef, process.cwd());
    if (!key.ok) throw new CliError(`--key: ${key.message}`);
    nodeKey = key.key;
  }
  const confirmations = nonNegative(args, "--confirmations");
  const fromBlock = nonNegative(args, "--from-block");
  const pollMs = nonNegative(args, "--poll-ms");
  const chainId = nonNegative(args, "--chain-id");
  return {
    rpcUrl,
    contract: contract as Address,
    abi,
    devices: devices.devices,
    dataDir: resolve(optionValue(args, "--data") ?? DEFAULT_DATA_DIR),
    contractImages: extractImages,
    ...(nodeKey === undefined ? {} : { nodeKey }),
    ...(confirmations === undefined ? {} : { confirmations }),
    ...(fromBlock === undefined ? {} : { fromBlock: BigInt(fromBlock) }),
    ...(pollMs === undefined ? {} : { pollMs: Math.max(10, pollMs) }),
    ...(chainId === undefined ? {} : { chainId }),
  };
}

/** `--chain-id`: the RPC server must serve that chain, or the node does not start. */
async function checkChainId(rpcUrl: string, expected: number): Promise<void> {
  const { createPublicClient, http } = await import("viem");
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 15_000 }) });
  let actual: number;
  try {
    actual = await client.getChainId();
  } catch (e) {
    throw new CliError(`alkyvm aryl: chain id from ${rpcUrl}: ${rpcProblem(e)}`);
  }
  if (actual !== expected) throw new CliError(`alkyvm aryl: ${rpcUrl} serves chain id ${actual}, not ${expected} (--chain-id)`);
}

/** Runs the node until SIGINT or SIGTERM, then stops it cleanly (devices closed, store closed). */
export async function cmdAryl(argv: string[]): Promise<void> {
  const options = arylOptions(argv);
  if (options.chainId !== undefined) await checkChainId(options.rpcUrl, options.chainId);
  let node: ArylNode;
  try {
    node = await ArylNode.start(options);
  } catch (e) {
    throw new CliError(`alkyvm aryl: ${(e as Error).message.split("\n")[0]}`);
  }
  await new Promise<void>((done) => {
    const stop = (signal: string): void => {
      process.removeListener("SIGINT", onInt);
      process.removeListener("SIGTERM", onTerm);
      process.stdout.write(`aryl: ${signal}, stopping\n`);
      void node.stop().then(done);
    };
    const onInt = (): void => stop("SIGINT");
    const onTerm = (): void => stop("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
  });
}
