// `alkyvm aryl` end to end: the rental example fused with `alkyvm fuse`,
// deployed on Anvil, served by the node as a command; a tenant's payment with
// a PIN encrypted to the node's key sets the PIN on every lock; SIGTERM stops
// the node cleanly. And the command's one-line errors.

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { eciesEncrypt, publicKeyOf, toHex } from "../../aryl/ecies.js";
import { alkyvm, ROOT } from "../helpers/cli.js";
import { testChain } from "./chain.js";
import { tempDir, writeDevicesFile } from "./devices.js";
import { until } from "./wait.js";

const NODE_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";

const chain = testChain({ built: true });

describe("alkyvm aryl", () => {
  it("serves the fused rental contract: a payment sets the decrypted PIN on every lock; SIGTERM stops it", async () => {
    const dir = tempDir("aryl-cli");
    const fused = alkyvm([
      "fuse", "--contract", "examples/rental/Rental.sol", "--aryl", "examples/rental/rental.aryl",
      "--app", "examples/rental/lock.alkyl@smartlock", "--app", "examples/rental/meter.alkyl@meter", "-o", join(dir, "fused"),
    ]);
    expect(fused.stderr).toBe("");
    const abiPath = join(dir, "fused", "Rental.abi.json");
    const abi = JSON.parse(readFileSync(abiPath, "utf8"));
    const bytecode = readFileSync(join(dir, "fused", "Rental.bytecode.hex"), "utf8").trim() as `0x${string}`;
    const nodeAddress = privateKeyToAccount(`0x${NODE_KEY}`).address;
    const deployed = await chain().wallet.deployContract({ abi, bytecode, args: [nodeAddress, 1n] });
    const contract = (await chain().public.waitForTransactionReceipt({ hash: deployed })).contractAddress!;

    writeFileSync(join(dir, "node.key"), NODE_KEY + "\n");
    const devicesPath = writeDevicesFile(dir, [
      { name: "lock-1", transport: "emulated:native", profile: "smartlock", groups: ["locks"] },
      { name: "lock-2", transport: "emulated:native", profile: "smartlock", groups: ["locks"] },
    ]);
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin", "alkyvm.js"), "aryl", "--rpc", chain().url, "--contract", contract, "--abi", abiPath, "--devices", devicesPath,
        "--data", join(dir, "data"), "--key", `file:${join(dir, "node.key")}`, "--poll-ms", "100"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const printed = (what: RegExp) => until(() => what.test(stdout) || child.exitCode !== null, 60_000, `${what}; printed:\n${stdout}${stderr}`);
    try {
      await printed(/lock-2: online on emulated:native, installed app \(\d+ bytes\)/);
      expect(stdout).toMatch(/lock-1: online on emulated:native, installed app \(\d+ bytes\)/);
      expect(stdout).toContain(`contract ${contract}: 2 device app(s) (smartlock, meter), an Aryl script`);

      const encrypted = toHex(eciesEncrypt(publicKeyOf(Uint8Array.from(Buffer.from(NODE_KEY, "hex"))), new TextEncoder().encode("2468")));
      const paid = await chain().wallet.writeContract({ address: contract, abi, functionName: "pay", args: [encrypted, 30], value: 30n });
      const block = await chain().public.getBlock({ blockNumber: (await chain().public.waitForTransactionReceipt({ hash: paid })).blockNumber });
      const expires = Number(block.timestamp) + 30 * 60;
      await printed(new RegExp(`lock-1: SetPin\\("2468", ${expires}\\)[\\s\\S]*lock-2: SetPin\\("2468", ${expires}\\)|lock-2: SetPin\\("2468", ${expires}\\)[\\s\\S]*lock-1: SetPin\\("2468", ${expires}\\)`));
      expect(stdout).toMatch(/event PaymentEvent in block \d+ \(tx 0x[0-9a-f]{64}, log 0\): 2 device call\(s\) queued/);
      expect(stdout).not.toContain(NODE_KEY);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stdout).toContain("aryl: SIGTERM, stopping");
    expect(stderr).toBe("");
  }, 180_000);

  it("a bad devices file: one line naming the file and the entry, exit 1", () => {
    const dir = tempDir("aryl-cli-bad");
    const devices = join(dir, "devices.json");
    writeFileSync(devices, JSON.stringify({ devices: [{ name: "lock-1", transport: "usb:1", profile: "smartlock", key: "env:LOCK_KEY" }] }));
    writeFileSync(join(dir, "abi.json"), JSON.stringify(chain().compiled.abi));
    const r = alkyvm(["aryl", "--rpc", chain().url, "--contract", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--abi", join(dir, "abi.json"), "--devices", devices]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${devices}: device 1 ('lock-1'): transport 'usb:1' must be serial:<path>[@baud], tcp:<host>:<port> or emulated:uno or emulated:native\n`);
  });

  it("a bad address is a usage error; an unreachable chain is one line", () => {
    const dir = tempDir("aryl-cli-usage");
    writeFileSync(join(dir, "abi.json"), JSON.stringify(chain().compiled.abi));
    const devices = writeDevicesFile(dir, [{ name: "lock-1", transport: "emulated:native" }]);
    const base = ["aryl", "--abi", join(dir, "abi.json"), "--devices", devices, "--data", join(dir, "data")];
    const usage = alkyvm([...base, "--rpc", chain().url, "--contract", "0x1234"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe("alkyvm: --contract needs a 0x-prefixed 20-byte address, got '0x1234' (see alkyvm --help)\n");
    const down = alkyvm([...base, "--rpc", "http://127.0.0.1:1", "--contract", "0x5FbDB2315678afecb367f032d93F642f64180aa3"]);
    expect(down.status).toBe(1);
    expect(down.stderr.split("\n")).toHaveLength(2);
    expect(down.stderr).toMatch(/^alkyvm aryl: contract 0x5FbDB2315678afecb367f032d93F642f64180aa3 on http:\/\/127\.0\.0\.1:1: /);
  });
});
