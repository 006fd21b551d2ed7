// A real chain for the node's tests: Anvil on 127.0.0.1, a small contract
// compiled with solc-js that emits a payment event, deployed and called with
// viem from Anvil's first funded account.

import { createRequire } from "node:module";
import { afterAll, beforeAll } from "vitest";
import { createPublicClient, createTestClient, createWalletClient, encodeFunctionData, http, type Abi, type Address, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { buildHostDevice } from "../../compiler/engines/firmware-build.js";
import { startAnvil, type Anvil } from "../../scripts/anvil.js";
import { ensureBuilt } from "../helpers/cli.js";
import { rpc } from "../evm/chain.js";

const solc = createRequire(import.meta.url)("solc") as { compile(input: string): string };

/** Anvil's first default account (a well-known test key). */
export const ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" as const;

export const PAYMENTS_SOURCE = `
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
contract Payments {
    event PaymentEvent(string encryptPin, uint32 mins);
    event Noise(uint256 n);
    function pay(string calldata encryptPin, uint32 mins) external { emit PaymentEvent(encryptPin, mins); }
    function noise(uint256 n) external { emit Noise(n); }
}`;

export interface Compiled {
  abi: Abi;
  bytecode: `0x${string}`;
}

export function compilePayments(): Compiled {
  const input = {
    language: "Solidity",
    sources: { "Payments.sol": { content: PAYMENTS_SOURCE } },
    settings: { outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts["Payments.sol"]!["Payments"]!;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}

export class TestChain {
  readonly account = privateKeyToAccount(ANVIL_KEY);
  readonly public;
  readonly wallet;
  readonly test;

  private constructor(
    readonly anvil: Anvil,
    readonly compiled: Compiled,
  ) {
    const transport = http(anvil.url);
    this.public = createPublicClient({ chain: foundry, transport });
    this.wallet = createWalletClient({ chain: foundry, transport, account: this.account });
    this.test = createTestClient({ chain: foundry, mode: "anvil", transport });
  }

  static async start(): Promise<TestChain> {
    const started = await startAnvil({ lifetimeMs: 5 * 60_000 });
    if (!started.ok) throw new Error(started.message);
    return new TestChain(started.anvil, compilePayments());
  }

  get url(): string {
    return this.anvil.url;
  }

  async deploy(): Promise<Address> {
    const hash = await this.wallet.deployContract({ abi: this.compiled.abi, bytecode: this.compiled.bytecode });
    const receipt = await this.public.waitForTransactionReceipt({ hash });
    return receipt.contractAddress!;
  }

  payData(pin: string, mins: number): `0x${string}` {
    return encodeFunctionData({ abi: this.compiled.abi, functionName: "pay", args: [pin, mins] });
  }

  /** Sends pay(pin, mins) and waits for its block. */
  async pay(contract: Address, pin: string, mins: number): Promise<Hash> {
    const hash = await this.wallet.sendTransaction({ to: contract, data: this.payData(pin, mins) });
    await this.public.waitForTransactionReceipt({ hash });
    return hash;
  }

  rpc(method: string, params: unknown[]): Promise<unknown> {
    return rpc(this.anvil, method, params);
  }

  async stop(): Promise<void> {
    await this.anvil.stop();
  }
}

/**
 * The chain of one test file's tests: builds what they need first (the host
 * device, and dist/ for tests that run the command; a first build blocks this
 * process, so it comes before Anvil), starts Anvil before them, stops it after.
 */
export function testChain(options: { built?: boolean } = {}): () => TestChain {
  let chain: TestChain | undefined;
  beforeAll(async () => {
    if (options.built) ensureBuilt();
    buildHostDevice();
    chain = await TestChain.start();
  }, 300_000);
  afterAll(async () => {
    await chain?.stop();
  });
  return () => {
    if (!chain) throw new Error("the test chain did not start");
    return chain;
  };
}
