// JSON-RPC helpers over Anvil for tests that deploy and call contracts (the node comes
// from scripts/anvil.ts). Raw requests, so that errors (reverts) can be compared
// exactly as the node reports them.

import type { Anvil } from "../../scripts/anvil.js";

export type Hex = `0x${string}`;

export type RpcReply = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

export async function rpcReply(anvil: Anvil, method: string, params: unknown[]): Promise<RpcReply> {
  const response = await fetch(anvil.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  return body.error ? { error: body.error } : { result: body.result };
}

export async function rpc<T = unknown>(anvil: Anvil, method: string, params: unknown[]): Promise<T> {
  const reply = await rpcReply(anvil, method, params);
  if ("error" in reply) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

export interface Receipt {
  status: Hex;
  gasUsed: Hex;
  contractAddress: Hex | null;
  logs: { address: Hex; topics: Hex[]; data: Hex }[];
}

/** Sends a transaction from an unlocked Anvil account with a fixed gas limit (no estimation, so reverts are mined too). */
export async function send(anvil: Anvil, tx: { from: Hex; to?: Hex; data?: Hex; value?: bigint }): Promise<Hex> {
  return rpc<Hex>(anvil, "eth_sendTransaction", [
    { from: tx.from, ...(tx.to ? { to: tx.to } : {}), data: tx.data ?? "0x", value: `0x${(tx.value ?? 0n).toString(16)}`, gas: "0x2dc6c0" },
  ]);
}

export async function receipt(anvil: Anvil, hash: Hex): Promise<Receipt> {
  const r = await rpc<Receipt | null>(anvil, "eth_getTransactionReceipt", [hash]);
  if (!r) throw new Error(`no receipt for ${hash}`);
  return r;
}

/** Deploys each init code (constructor arguments appended) in one block, in order, and returns the addresses. */
export async function deployAll(anvil: Anvil, from: Hex, initCodes: Hex[], value = 0n): Promise<Hex[]> {
  const hashes: Hex[] = [];
  for (const data of initCodes) hashes.push(await send(anvil, { from, data, value }));
  await rpc(anvil, "evm_mine", []);
  const addresses: Hex[] = [];
  for (const hash of hashes) {
    const r = await receipt(anvil, hash);
    if (r.status !== "0x1" || !r.contractAddress) throw new Error(`deployment failed (status ${r.status})`);
    addresses.push(r.contractAddress);
  }
  return addresses;
}

export async function deploy(anvil: Anvil, from: Hex, initCode: Hex, value = 0n): Promise<Hex> {
  return (await deployAll(anvil, from, [initCode], value))[0]!;
}

export const hexBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/^0x/, ""), "hex"));
