// What a handler reaches through the node: contract reads at the log's block,
// transactions signed with the node's key (the rental's deductUsage, which only
// the node may call), ECIES decryption with the same key, shared state.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi, Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect, it } from "vitest";
import { eciesEncrypt, fromHex, publicKeyOf, toHex } from "../../aryl/ecies.js";
import type { LogHandler } from "../../aryl/handler.js";
import { fuseContract } from "../../compiler/fusion/fuse.js";
import { ROOT } from "../helpers/cli.js";
import { testChain } from "./chain.js";
import { recorderApp } from "./devices.js";
import { startTestNode } from "./test-node.js";
import { until } from "./wait.js";

/** Anvil's second default account: funded, so the node can pay for gas. */
const NODE_KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

const chain = testChain();

it("a handler reads the contract, decrypts with the node's key and sends a transaction the contract accepts only from the node", async () => {
  const fused = fuseContract({
    solidity: readFileSync(join(ROOT, "examples", "rental", "Rental.sol"), "utf8"),
    fileName: "Rental.sol",
    images: [{ kind: "alkyl", bytes: recorderApp().bytes }],
  });
  if (!fused.ok) throw new Error(fused.message);
  const abi = fused.contract.abi as Abi;
  const nodeKey = Uint8Array.from(Buffer.from(NODE_KEY, "hex"));
  const deployed = await chain().wallet.deployContract({ abi, bytecode: fused.contract.bytecode, args: [privateKeyToAccount(`0x${NODE_KEY}`).address, 1n] });
  const contract = (await chain().public.waitForTransactionReceipt({ hash: deployed })).contractAddress!;

  const seen: string[] = [];
  const handler: LogHandler = {
    eventNames: ["PaymentEvent"],
    async handleEvent(_name, [encryptPin], ctx) {
      seen.push(new TextDecoder().decode(ctx.decrypt(fromHex(encryptPin as string))));
      const tenant = await ctx.readContract("tenant", []);
      seen.push(String(await ctx.readContract("balanceOf", [tenant])));
      await ctx.sendTransaction("deductUsage", [tenant, 7n]);
      ctx.state.set("deducted", 7n);
    },
  };
  const { node, lines } = await startTestNode(chain(), contract, [{ name: "rec-1", transport: "emulated:native" }], { abi, handler, nodeKey, apps: [recorderApp()] });
  try {
    const pin = toHex(eciesEncrypt(publicKeyOf(nodeKey), new TextEncoder().encode("9753")));
    const paid = await chain().wallet.writeContract({ address: contract, abi, functionName: "pay", args: [pin, 10], value: 110n });
    await chain().public.waitForTransactionReceipt({ hash: paid });
    await node.caughtUp();
    await until(() => node.state("deducted") === 7n, 10_000, "the handler to finish");
    expect(seen).toEqual(["9753", "100"]); // 110 paid, 10 minutes at 1 wei: 100 on the balance
    const balance = await chain().public.readContract({ address: contract, abi, functionName: "balanceOf", args: [chain().account.address as Address] });
    expect(balance).toBe(93n);
    expect(lines.some((l) => l.startsWith(`transaction deductUsage(${chain().account.address}, 7) sent: 0x`))).toBe(true);
    expect(lines.join("\n")).not.toContain(NODE_KEY);
  } finally {
    await node.stop();
  }
});
