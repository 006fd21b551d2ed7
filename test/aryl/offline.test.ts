// A device that is offline when an event comes gets the command when it
// returns: the call waits in the store, the node reconnects, sets the clock
// and delivers it, without installing the app again. The device is the host
// C VM behind a TCP server on 127.0.0.1 that the test stops and restarts.

import { join } from "node:path";
import { expect, it } from "vitest";
import type { LogHandler } from "../../aryl/handler.js";
import { testChain } from "./chain.js";
import { DeviceServer, recorderApp, tempDir } from "./devices.js";
import { startTestNode } from "./test-node.js";
import { until } from "./wait.js";

const chain = testChain();

const setPin: LogHandler = {
  eventNames: ["PaymentEvent"],
  async handleEvent(_name, [pin, mins], ctx) {
    for (const d of ctx.devices()) ctx.callDevice(d, "SetPin", [pin as string, ctx.block().timestamp + BigInt(mins as number) * 60n]);
  },
};

it("a device offline during an event gets the command when it reconnects", async () => {
  const contract = await chain().deploy();
  const dir = tempDir("offline");
  const server = new DeviceServer(join(dir, "lock-1.store"));
  await server.listen();
  const { node, lines } = await startTestNode(chain(), contract, [{ name: "lock-1", transport: `tcp:127.0.0.1:${server.port}`, link: "plain" }], {
    dir,
    handler: setPin,
    apps: [recorderApp()],
  });
  try {
    await node.devices.online("lock-1");
    expect(lines).toContain(`lock-1: online on tcp:127.0.0.1:${server.port}, installed app (${recorderApp().bytes.length} bytes)`);

    await server.close();
    await until(() => node.device("lock-1").status === "offline", 10_000, "lock-1 to be seen offline");
    await chain().pay(contract, "4321", 5);
    const paid = await chain().public.getBlock();
    await node.caughtUp();
    const count = node.device("lock-1").Count(); // a library call waits in the queue too
    await new Promise((r) => setTimeout(r, 500));
    expect(node.commands("lock-1").map((c) => [c.fn, c.status])).toEqual([
      ["SetPin", "queued"],
      ["Count", "queued"],
    ]);

    await server.listen(); // back, on the same port
    expect(await count).toBe(0);
    expect(node.commands("lock-1").map((c) => [c.fn, c.status])).toEqual([
      ["SetPin", "delivered"],
      ["Count", "delivered"],
    ]);
    expect(await node.device("lock-1").Expires()).toBe(Number(paid.timestamp) + 5 * 60);
    expect(await node.device("lock-1").Clock()).toBe(Number(paid.timestamp)); // clock set from the chain on reconnect
    expect(lines.filter((l) => l.startsWith("lock-1: online"))).toEqual([
      `lock-1: online on tcp:127.0.0.1:${server.port}, installed app (${recorderApp().bytes.length} bytes)`,
      `lock-1: online on tcp:127.0.0.1:${server.port}, app already installed`,
    ]);
  } finally {
    await node.stop();
    await server.close();
  }
});
