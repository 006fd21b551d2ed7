// Starts an Aryl node in this process for a test: the devices file written to
// a temporary directory, short poll and retry times, log lines collected.

import { join } from "node:path";
import type { Address } from "viem";
import { readDevicesFile } from "../../aryl/devices-file.js";
import { ArylNode, type ArylNodeOptions } from "../../aryl/node.js";
import type { TestChain } from "./chain.js";
import { tempDir, writeDevicesFile, type DeviceSpec } from "./devices.js";

export interface TestNode {
  node: ArylNode;
  lines: string[];
  dir: string;
}

export async function startTestNode(
  chain: TestChain,
  contract: Address,
  devices: DeviceSpec[],
  options: Partial<ArylNodeOptions> & { dir?: string } = {},
): Promise<TestNode> {
  const dir = options.dir ?? tempDir("node");
  const parsed = readDevicesFile(writeDevicesFile(dir, devices));
  if (!parsed.ok) throw new Error(parsed.message);
  const lines: string[] = [];
  const node = await ArylNode.start({
    rpcUrl: chain.url,
    contract,
    abi: chain.compiled.abi,
    devices: parsed.devices,
    dataDir: join(dir, "data"),
    pollMs: 100,
    retryMs: 100,
    heartbeatMs: 200,
    log: (l) => lines.push(l),
    ...options,
  });
  return { node, lines, dir };
}
