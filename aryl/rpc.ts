// What a JSON-RPC node answered, in one line: viem's errors carry the HTTP
// status, the server's JSON-RPC error or the socket's complaint several
// causes deep, under a generic "HTTP request failed."; and an answer viem
// passes on unchecked (eth_getCode's) is checked here.

import type { Address, PublicClient } from "viem";

interface ViemLikeError {
  name?: string;
  message?: string;
  shortMessage?: string;
  details?: string;
  status?: number;
  code?: number | string;
  cause?: unknown;
}

function clip(text: string, max = 60): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

/** The innermost cause: where the socket or the JSON parser said what went wrong. */
function rootCause(e: ViemLikeError): ViemLikeError {
  let at = e;
  while (typeof at.cause === "object" && at.cause !== null) at = at.cause as ViemLikeError;
  return at;
}

/** One line saying what the RPC server did wrong (or why it could not be reached). */
export function rpcProblem(e: unknown): string {
  const err = (typeof e === "object" && e !== null ? e : { message: String(e) }) as ViemLikeError;
  if (err.name === "HttpRequestError") {
    if (err.status !== undefined) return `the RPC server answered HTTP ${err.status}${err.details ? ` (${clip(err.details)})` : ""}`;
    const root = rootCause(err);
    if (root.name === "SyntaxError") return `the RPC server's answer is not JSON (${clip(root.message ?? "")})`;
    const why = root.message || (typeof root.code === "string" ? root.code : "") || err.details || "";
    return `no answer from the RPC server (${clip(why)})`;
  }
  if (err.name === "TimeoutError") return "the RPC server did not answer in time";
  if (typeof err.code === "number" && err.details !== undefined) return `the RPC server answered JSON-RPC error ${err.code}: ${clip(err.details, 120)}`;
  return (err.shortMessage ?? err.message ?? String(e)).split("\n")[0]!;
}

/** The contract's runtime code (undefined: no code there); an answer that is not hex bytes is an error. */
export async function readCode(client: PublicClient, address: Address): Promise<Uint8Array | undefined> {
  const hex: unknown = await client.getCode({ address });
  if (hex === undefined || hex === "0x") return undefined;
  if (typeof hex !== "string" || !/^0x(?:[0-9a-fA-F]{2})+$/.test(hex)) throw new Error(`eth_getCode answered ${clip(JSON.stringify(hex) ?? String(hex), 40)}, not hex bytes`);
  return Uint8Array.from(Buffer.from(hex.slice(2), "hex"));
}
