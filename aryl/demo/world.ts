// The demo's world, all on this machine: Anvil on 127.0.0.1, the fused rental
// contract deployed by a landlord account, a tenant account, and an Aryl node
// with its own key serving the devices of examples/rental/devices.json: three
// smart locks and a meter, each the real Uno firmware under simavr. `stop()` takes it all down and
// may be called at any point, also halfway through `start()`.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createPublicClient, createTestClient, createWalletClient, encodeDeployData, http, parseEther, type Abi, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { extractImages, type FusedContract } from "../../compiler/fusion/fuse.js";
import { startAnvil, type Anvil } from "../../scripts/anvil.js";
import { readDevicesFile, type DeviceEntry } from "../devices-file.js";
import { generateKeyPair, toHex } from "../ecies.js";
import { ArylNode } from "../node.js";
import { rentalExampleDir } from "./rental-contract.js";

/** Rent per minute, in wei, given to the contract's constructor. */
export const PRICE_PER_MINUTE = parseEther("0.001");

/** The property's devices: examples/rental/devices.json (emulated boards, demo link keys). */
export function demoDevices(): DeviceEntry[] {
  const parsed = readDevicesFile(join(rentalExampleDir(), "devices.json"));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.devices;
}

export interface WorldOptions {
  /** Every line of the node's log. */
  log: (line: string) => void;
  /** Story lines: what the world is doing while it starts. */
  say: (line: string) => void;
}

export class DemoWorld {
  anvil: Anvil | undefined;
  node: ArylNode | undefined;
  contract: Address = "0x0000000000000000000000000000000000000000";
  abi: Abi = [];
  landlord: Address = "0x0000000000000000000000000000000000000000";
  tenant: Address = "0x0000000000000000000000000000000000000000";
  readonly nodeKey = generateKeyPair();
  readonly nodeAddress = privateKeyToAccount(toHex(this.nodeKey.secretKey) as `0x${string}`).address;
  readonly dataDir = mkdtempSync(join(tmpdir(), "alkyvm-demo-"));
  private stopping: Promise<void> | undefined;

  constructor(
    readonly devices: readonly DeviceEntry[],
    private readonly options: WorldOptions,
  ) {}

  private get url(): string {
    if (!this.anvil) throw new Error("the chain is not running");
    return this.anvil.url;
  }

  get publicClient() {
    return createPublicClient({ chain: foundry, transport: http(this.url) });
  }

  get testClient() {
    return createTestClient({ chain: foundry, mode: "anvil", transport: http(this.url) });
  }

  /** A wallet of one of Anvil's unlocked accounts (Anvil signs). */
  wallet(account: Address) {
    return createWalletClient({ chain: foundry, account, transport: http(this.url) });
  }

  /** Starts the chain, deploys the fused contract and starts the node; the node's devices come online in the background. */
  async start(fused: FusedContract): Promise<void> {
    const { say } = this.options;
    const started = await startAnvil({ lifetimeMs: 10 * 60_000 });
    if (!started.ok) throw new Error(started.message);
    this.anvil = started.anvil;
    say(`chain: Anvil on ${this.anvil.url}`);
    const accounts = await this.wallet(this.landlord).getAddresses();
    if (accounts.length < 2) throw new Error("Anvil has fewer than two unlocked accounts");
    [this.landlord, this.tenant] = [accounts[0]!, accounts[1]!];
    await this.testClient.setBalance({ address: this.nodeAddress, value: parseEther("10") });
    this.abi = fused.abi as Abi;
    const hash = await this.wallet(this.landlord).sendTransaction({
      data: encodeDeployData({ abi: this.abi, bytecode: fused.bytecode, args: [this.nodeAddress, PRICE_PER_MINUTE] }),
    });
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash });
    if (!receipt.contractAddress || receipt.status !== "success") throw new Error("deploying the fused Rental contract failed");
    this.contract = receipt.contractAddress;
    say(`chain: the landlord ${this.landlord} deployed the fused Rental contract at ${this.contract} (node ${this.nodeAddress}, rent ${PRICE_PER_MINUTE} wei a minute)`);
    if (this.stopping) return;
    const node = await ArylNode.start({
      rpcUrl: this.url,
      contract: this.contract,
      abi: this.abi,
      devices: this.devices,
      dataDir: this.dataDir,
      nodeKey: this.nodeKey.secretKey,
      contractImages: extractImages,
      pollMs: 100,
      log: this.options.log,
    });
    this.node = node;
    say(`node: serving ${this.devices.map((d) => `${d.name} (${d.transportText}, ${d.profile.name})`).join(", ")}; data in ${this.dataDir}`);
    // Stopped while the node was starting: stop() did not see it.
    if (this.stopping) await node.stop();
  }

  /** Stops the node (and with it every device process), the chain, and removes the node's data. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.node?.stop().catch(() => {});
      await this.anvil?.stop();
      rmSync(this.dataDir, { recursive: true, force: true });
    })();
    return this.stopping;
  }
}
