// Events a device raises by itself, served by the node: the rental's lock
// app on the emulated Uno with the smart lock's drivers (a serial device on
// the harness's pseudo-terminal), keys typed on its emulated keypad. A wrong
// PIN's node call (ReportInvalidAttempts) reaches the contract's Aryl script,
// whose state counts it; the node logs the event and what the device did.

import type { Abi } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect, it } from "vitest";
import { eciesEncrypt, publicKeyOf, toHex } from "../../aryl/ecies.js";
import { extractImages } from "../../compiler/fusion/fuse.js";
import { pinName, smartlockPins, smartlockUnoForTests } from "../link/smartlock-uno.js";
import { testChain } from "./chain.js";
import { fusedRental, NODE_KEY } from "./rental.js";
import { startTestNode } from "./test-node.js";
import { until } from "./wait.js";

const chain = testChain();
const uno = smartlockUnoForTests();

it("a wrong PIN typed on the emulated Uno's keypad reaches the rental script; the right one opens the lock", async () => {
  const fused = fusedRental();
  const abi = fused.abi as Abi;
  const nodeKey = Uint8Array.from(Buffer.from(NODE_KEY, "hex"));
  const deployed = await chain().wallet.deployContract({ abi, bytecode: fused.bytecode, args: [privateKeyToAccount(`0x${NODE_KEY}`).address, 1n] });
  const contract = (await chain().public.waitForTransactionReceipt({ hash: deployed })).contractAddress!;
  const locks = [{ name: "lock-1", transport: `serial:${uno().ptyPath}`, profile: "smartlock", groups: ["locks"], link: "plain" as const }];
  const { node, lines } = await startTestNode(chain(), contract, locks, { abi, nodeKey, contractImages: extractImages });
  const type = async (keys: string): Promise<void> => {
    for (const key of keys) await uno().press(key);
  };
  try {
    const pin = toHex(eciesEncrypt(publicKeyOf(nodeKey), new TextEncoder().encode("2468")));
    await chain().public.waitForTransactionReceipt({ hash: await chain().wallet.writeContract({ address: contract, abi, functionName: "pay", args: [pin, 60], value: 60n }) });
    await node.caughtUp();
    await until(() => node.commands("lock-1").some((c) => c.fn === "SetPin" && c.status === "delivered"), 60_000, "the PIN on the lock");

    await type("1111");
    await until(() => lines.includes("[lock-1] nodecall ReportInvalidAttempts(1) -> 0"), 30_000, "the wrong PIN's node call in the log");
    expect(lines).toContain("lock-1: node call ReportInvalidAttempts(1) -> 0");
    expect(node.state("invalid")).toBe(1n); // the script counted it
    const fourth = lines.lastIndexOf("[lock-1] KeyPressed('1') raised on the device");
    expect(lines.slice(fourth, fourth + 4)).toEqual([
      "[lock-1] KeyPressed('1') raised on the device",
      "[lock-1] syscall Now()",
      "[lock-1] syscall IncorrectBeep()",
      "[lock-1] nodecall ReportInvalidAttempts(1) -> 0",
    ]);
    expect(lines.filter((l) => l === "[lock-1] KeyPressed('1') raised on the device")).toHaveLength(4);

    await type("2468");
    await until(() => lines.includes("[lock-1] syscall Unlock()"), 30_000, "the right PIN's Unlock in the log");
    await until(() => uno().level(pinName(smartlockPins.lock)) === 1, 5_000, "the lock pin");
    expect(node.state("invalid")).toBe(1n); // a right PIN makes no node call
  } finally {
    await node.stop();
  }
}, 300_000);
