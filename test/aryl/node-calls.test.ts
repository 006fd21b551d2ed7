// Device-to-node calls served by the node: the rental's locks (host C VM)
// report wrong PINs to the contract's Aryl script, which after three of them
// locks every lock of the property out; the reporting lock learns the time
// from the answer, the others from a queued Lockout call.

import type { Abi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect, it } from "vitest";
import { eciesEncrypt, publicKeyOf, toHex } from "../../aryl/ecies.js";
import { extractImages } from "../../compiler/fusion/fuse.js";
import { formatTraceLine } from "../../compiler/run/trace.js";
import { testChain } from "./chain.js";
import { fusedRental, NODE_KEY } from "./rental.js";
import { startTestNode } from "./test-node.js";
import { until } from "./wait.js";

const chain = testChain();

it("three wrong PINs reported by a lock lock out every lock of the property", async () => {
  const fused = fusedRental();
  const abi = fused.abi as Abi;
  const nodeKey = Uint8Array.from(Buffer.from(NODE_KEY, "hex"));
  const deployed = await chain().wallet.deployContract({ abi, bytecode: fused.bytecode, args: [privateKeyToAccount(`0x${NODE_KEY}`).address, 1n] });
  const contract = (await chain().public.waitForTransactionReceipt({ hash: deployed })).contractAddress!;
  const locks = ["lock-1", "lock-2"].map((name) => ({ name, transport: "emulated:native", profile: "smartlock", groups: ["locks"] }));
  const { node, lines } = await startTestNode(chain(), contract, locks, { abi, nodeKey, contractImages: extractImages });
  const enter = async (lock: string, pin: string): Promise<string[]> => {
    const out: string[] = [];
    for (const key of pin) out.push(...(await node.devices.injectEvent(lock, "KeyPressed", [BigInt(key.charCodeAt(0))])).map(formatTraceLine));
    return out.filter((l) => l !== "syscall Now()"); // the lock reads its clock on every fourth key
  };
  try {
    const pin = toHex(eciesEncrypt(publicKeyOf(nodeKey), new TextEncoder().encode("2468")));
    const paid = await chain().wallet.writeContract({ address: contract, abi, functionName: "pay", args: [pin, 60], value: 60n });
    const block = await chain().public.getBlock({ blockNumber: (await chain().public.waitForTransactionReceipt({ hash: paid })).blockNumber });
    await node.caughtUp();
    await until(() => node.commands().filter((c) => c.fn === "SetPin" && c.status === "delivered").length === 2, 20_000, "the PIN on both locks");

    expect(await enter("lock-2", "2468")).toEqual(["syscall Unlock()"]);
    expect(await enter("lock-1", "1111")).toEqual(["syscall IncorrectBeep()", "nodecall ReportInvalidAttempts(1) -> 0"]);
    expect(await enter("lock-1", "1112")).toEqual(["syscall IncorrectBeep()", "nodecall ReportInvalidAttempts(2) -> 0"]);
    const lockedUntil = Number(block.timestamp) + 600;
    expect(await enter("lock-1", "1113")).toEqual(["syscall IncorrectBeep()", `nodecall ReportInvalidAttempts(3) -> ${lockedUntil}`]);
    await until(() => node.commands("lock-2").some((c) => c.fn === "Lockout" && c.status === "delivered"), 20_000, "the lockout on lock-2");
    expect(await enter("lock-2", "2468")).toEqual(["syscall IncorrectBeep()"]); // locked out: the right PIN does not open
    expect(node.state("invalid")).toBe(0n);
    expect(lines).toContain("lock-1: node call ReportInvalidAttempts(3) -> " + lockedUntil);
  } finally {
    await node.stop();
  }
});
