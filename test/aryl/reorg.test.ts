// A reorg (anvil_reorg) removes a handled payment event: the node finds it by
// parent hash, keeps what came before the fork, marks the removed log
// orphaned, cancels the commands it queued that no device has run yet, and
// handles the replacement block's event once.

import { expect, it } from "vitest";
import type { LogHandler } from "../../aryl/handler.js";
import { testChain } from "./chain.js";
import { recorderApp } from "./devices.js";
import { startTestNode } from "./test-node.js";
import { until } from "./wait.js";

const chain = testChain();

/** Sets the paid PIN on every device until the paid minutes are over; counts payments. */
const payments: LogHandler = {
  eventNames: ["PaymentEvent"],
  async handleEvent(_name, [pin, mins], ctx) {
    ctx.state.set("payments", (ctx.state.get("payments") ?? 0n) + 1n);
    for (const d of ctx.devices()) ctx.callDevice(d, "SetPin", [pin as string, ctx.block().timestamp + BigInt(mins as number) * 60n]);
  },
};

it("a reorg that removes a payment: the log before the fork stays, the replacement is handled once", async () => {
  const contract = await chain().deploy();
  // lock-far never answers (nothing listens on port 1): its commands stay queued.
  const { node, lines } = await startTestNode(chain(), contract, [{ name: "lock-1", transport: "emulated:native" }, { name: "lock-far", transport: "tcp:127.0.0.1:1" }], {
    handler: payments,
    apps: [recorderApp()],
  });
  try {
    const delivered = (n: number) => async () => node.commands("lock-1").filter((c) => c.status === "delivered").length === n;

    const kept = await chain().pay(contract, "1111", 1);
    await node.caughtUp();
    await until(delivered(1));
    const removed = await chain().pay(contract, "2222", 2);
    await node.caughtUp();
    await until(delivered(2));
    expect(node.handledLogs().map((l) => [l.txHash, l.orphaned])).toEqual([
      [kept, false],
      [removed, false],
    ]);

    await chain().rpc("anvil_reorg", [1, [[{ from: chain().account.address, to: contract, data: chain().payData("3333", 3) }, 0]]]);
    const replacementBlock = await chain().public.getBlock();
    const replacement = replacementBlock.transactions[0]!;
    await node.caughtUp();
    await until(delivered(3));

    const handled = node.handledLogs();
    expect(handled.map((l) => [l.txHash, l.orphaned])).toEqual([
      [kept, false],
      [removed, true],
      [replacement, false],
    ]);
    expect(handled[2]!.blockHash).toBe(replacementBlock.hash);
    expect(lines.filter((l) => l.startsWith("chain: reorg after block"))).toHaveLength(1);

    // lock-far never got anything: the removed payment's command is cancelled,
    // the kept and the replacement payments' commands still wait for it.
    expect(node.commands("lock-far").map((c) => [c.args[0], c.status])).toEqual([
      ["1111", "queued"],
      ["2222", "cancelled"],
      ["3333", "queued"],
    ]);
    // lock-1 ran the removed payment's command before the reorg (nothing can
    // take that back), and the replacement's once, last.
    expect(node.commands("lock-1").map((c) => [c.args[0], c.status])).toEqual([
      ["1111", "delivered"],
      ["2222", "delivered"],
      ["3333", "delivered"],
    ]);
    expect(await node.device("lock-1").Expires()).toBe(Number(replacementBlock.timestamp) + 3 * 60);
    // Shared state is not rolled back by a reorg (docs/aryl.md §5).
    expect(node.state("payments")).toBe(3n);
  } finally {
    await node.stop();
  }
});
