// What the node follows besides logs: confirmations hold a log back until
// enough blocks follow it, and a change of the contract's code (new embedded
// images) installs the new app on the devices.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ts } from "ts-morph";
import type { Abi } from "viem";
import { expect, it } from "vitest";
import type { LogHandler } from "../../aryl/handler.js";
import type { DeviceInvoke } from "../../aryl/node.js";
import { emitTsBindings } from "../../compiler/bindings/emit-ts.js";
import { compileAlkyl } from "../../compiler/compile.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { extractImages, fuseContract } from "../../compiler/fusion/fuse.js";
import { compileApp } from "../helpers/backends.js";
import { ROOT } from "../helpers/cli.js";
import { testChain } from "./chain.js";
import { RECORDER_APP_PATH, recorderApp } from "./devices.js";
import { startTestNode } from "./test-node.js";
import { until } from "./wait.js";

const chain = testChain();

/** The typed bindings `alkyvm compile --emit ts` writes for an app, loaded as a module. */
async function importBindings(source: string): Promise<{ bindApp: (invoke: DeviceInvoke) => { Version(): Promise<bigint> } }> {
  const compiled = compileAlkyl(source, "app.alkyl", { profile: profileByName("test")! });
  if (!compiled.ok) throw new Error("the recorder app does not compile");
  const text = emitTsBindings({ source: "app.alkyl", profile: "test", entries: compiled.entries });
  const file = join(mkdtempSync(join(tmpdir(), "alkyvm-bindings-")), "app.mjs");
  writeFileSync(file, ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText);
  return import(pathToFileURL(file).href);
}

const counting: LogHandler = {
  eventNames: ["PaymentEvent"],
  async handleEvent(_name, _args, ctx) {
    ctx.state.set("payments", (ctx.state.get("payments") ?? 0n) + 1n);
  },
};

it("with 2 confirmations a log is handled once two blocks follow its block", async () => {
  const contract = await chain().deploy();
  const { node } = await startTestNode(chain(), contract, [{ name: "rec-1", transport: "emulated:native" }], { handler: counting, apps: [recorderApp()], confirmations: 2 });
  try {
    await chain().pay(contract, "1111", 1);
    await node.caughtUp();
    expect(node.handledLogs()).toEqual([]);
    await chain().rpc("anvil_mine", ["0x1"]);
    await node.caughtUp();
    expect(node.handledLogs()).toEqual([]);
    await chain().rpc("anvil_mine", ["0x1"]);
    await node.caughtUp();
    expect(node.handledLogs()).toHaveLength(1);
    expect(node.state("payments")).toBe(1n);
  } finally {
    await node.stop();
  }
});

const RENTAL = readFileSync(join(ROOT, "examples", "rental", "Rental.sol"), "utf8");

function fusedRental(app: Uint8Array) {
  const r = fuseContract({ solidity: RENTAL, fileName: "Rental.sol", images: [{ kind: "alkyl", bytes: app }] });
  if (!r.ok) throw new Error(r.message);
  return r.contract;
}

it("when the contract's code changes, the devices get its new app", async () => {
  const v1 = recorderApp().bytes;
  const fused = fusedRental(v1);
  const deployed = await chain().wallet.deployContract({ abi: fused.abi as Abi, bytecode: fused.bytecode, args: [chain().account.address, 1n] });
  const contract = (await chain().public.waitForTransactionReceipt({ hash: deployed })).contractAddress!;
  const { node, lines } = await startTestNode(chain(), contract, [{ name: "rec-1", transport: "emulated:native" }], { contractImages: extractImages });
  try {
    await node.devices.online("rec-1");
    expect(lines).toContain(`contract ${contract}: 1 device app(s) (test), no Aryl script`);

    const v2Source = readFileSync(RECORDER_APP_PATH, "utf8") + "\npublic uint8_t Version() { return 2; }\n";
    const v2 = compileApp(v2Source, "test").bytes;
    await chain().rpc("anvil_setCode", [contract, fusedRental(v2).deployedBytecode]);
    await until(() => lines.includes(`contract ${contract} changed: 1 device app(s) (test), no Aryl script`), 10_000, "the node to see the new code");
    expect(await node.device("rec-1").Version()).toBe(2);
    // The same call through the app's typed bindings (alkyvm compile --emit ts).
    const bindings = await importBindings(v2Source);
    expect(await node.device("rec-1", bindings.bindApp).Version()).toBe(2n);
    expect(lines.filter((l) => l.startsWith("rec-1: online"))).toEqual([
      `rec-1: online on emulated:native, installed app (${v1.length} bytes)`,
      `rec-1: online on emulated:native, installed app (${v2.length} bytes)`,
    ]);
  } finally {
    await node.stop();
  }
});
