// The Aryl node assembled: the chain watcher feeds the contract's logs to the
// handler (the contract's Aryl script, or a library user's), whose effects are
// committed with the log; the device manager delivers the queued device calls;
// device clocks follow the chain's newest block. Also the library API:
//   const node = await ArylNode.start({...});
//   await node.device("lock-1").SetPin("1234", 1700000000n);
//   await node.stop();

import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  toHex as viemHex,
  type Abi,
  type Address,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { decodeImage } from "../compiler/ir/image.js";
import { abiOf } from "../compiler/lang/aryl-env.js";
import { profileByName } from "../compiler/profiles/profiles.js";
import type { App } from "../compiler/run/backends.js";
import type { Raw } from "../compiler/vm/effects.js";
import { ChainWatcher, type ChainBlock, type ChainLog } from "./chain-watcher.js";
import { DeviceManager, type DeviceStatus } from "./device-manager.js";
import type { DeviceEntry } from "./devices-file.js";
import { eciesDecrypt } from "./ecies.js";
import { ChainUnavailable, type HandlerContext, type LogHandler } from "./handler.js";
import { readCode, rpcProblem } from "./rpc.js";
import { ArylScript } from "./script.js";
import { NodeStore, type CommandRecord, type Effects, type HandledLog } from "./store.js";
import { formatValues, type CallValue } from "./values.js";

/** An image a contract carries (compiler/fusion's EmbeddedImage has this shape). */
export interface ContractImage {
  kind: "aryl" | "alkyl";
  profile: string;
  bytes: Uint8Array;
}

export interface ArylNodeOptions {
  rpcUrl: string;
  contract: Address;
  /** The contract's ABI: decodes its logs and encodes reads and transactions. */
  abi: Abi;
  devices: readonly DeviceEntry[];
  /** Directory of the node's store and of its emulated devices' app stores. */
  dataDir: string;
  confirmations?: number;
  fromBlock?: bigint;
  /** Pause between polls of the chain once caught up (default 1000 ms). */
  pollMs?: number;
  /** The node's secp256k1 secret key: decrypts for scripts and signs their transactions. */
  nodeKey?: Uint8Array;
  /** Reads the images out of the contract's runtime code (fusion); read again when the code changes. */
  contractImages?: (runtimeCode: Uint8Array) => ContractImage[];
  /** Makes the handler of the contract's Aryl script image (default: ArylScript.load, aryl/script.ts). */
  scriptHandler?: (image: Uint8Array, abi: Abi) => LogHandler;
  /** A fixed handler (library use, tests); takes precedence over the contract's script. */
  handler?: LogHandler;
  /** Device apps besides (and before) the contract's, by their image's profile. */
  apps?: readonly App[];
  log?: (line: string) => void;
  /** Device manager timing (tests shorten it). */
  retryMs?: number;
  heartbeatMs?: number;
}

/** Calls a device's public function by name: what typed bindings (`bind<App>`) are built on. */
export type DeviceInvoke = (fn: string, args: CallValue[]) => Promise<CallValue | undefined>;

/** A device as the library API shows it: any property is a call of that public function. */
export type DeviceHandle = { readonly name: string; readonly status: DeviceStatus | undefined } & Record<string, (...args: CallValue[]) => Promise<Raw | undefined>>;

function appOf(image: ContractImage): App | undefined {
  const profile = profileByName(image.profile);
  const decoded = decodeImage(image.bytes);
  return profile && decoded.ok ? { image: decoded.value.image, bytes: image.bytes, profile } : undefined;
}

/** The contract's Aryl script as the node's handler (ArylScript has the LogHandler shape). */
function loadScript(image: Uint8Array, abi: Abi): LogHandler {
  return ArylScript.load(image, abiOf(abi));
}

function callValueOf(v: unknown): CallValue {
  if (typeof v === "bigint" || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return BigInt(v);
  if (v instanceof Uint8Array) return viemHex(v);
  return String(v);
}

export class ArylNode {
  readonly store: NodeStore;
  readonly devices: DeviceManager;
  private readonly client: PublicClient;
  private readonly watcher: ChainWatcher;
  private readonly log: (line: string) => void;
  private contractApps = new Map<string, App>();
  private scriptHandler: LogHandler | undefined;
  private codeHash: string | undefined;
  private head: ChainBlock | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private caughtUpWaiters: { after: number; resolve: () => void }[] = [];
  private pollsStarted = 0;

  private constructor(private readonly options: ArylNodeOptions) {
    this.log = options.log ?? ((line) => process.stdout.write(line + "\n"));
    this.client = createPublicClient({ transport: http(options.rpcUrl, { batch: true, retryCount: 1 }) }) as PublicClient;
    this.store = NodeStore.open(options.dataDir);
    this.devices = new DeviceManager({
      devices: options.devices,
      store: this.store,
      dataDir: options.dataDir,
      appFor: (profile) => options.apps?.find((a) => a.profile.name === profile) ?? this.contractApps.get(profile),
      log: this.log,
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs, maxRetryMs: Math.max(options.retryMs, 2_000) }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      answerNodeCall: (device, name, args) => this.answerNodeCall(device, name, args),
    });
    this.watcher = new ChainWatcher({
      client: this.client,
      address: options.contract,
      abi: options.abi,
      store: this.store,
      confirmations: options.confirmations ?? 0,
      ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
      log: this.log,
      sink: {
        handleLog: (log) => this.handleLog(log),
        onReorg: () => this.devices.settleCancelled(),
        onHead: (block) => {
          this.head = block;
          this.devices.setClock(block.timestamp);
        },
      },
    });
  }

  /** Opens the store, connects the devices and starts following the chain. */
  static async start(options: ArylNodeOptions): Promise<ArylNode> {
    const node = new ArylNode(options);
    try {
      await node.refreshContract();
    } catch (e) {
      node.store.close();
      throw new Error(`contract ${options.contract} on ${options.rpcUrl}: ${rpcProblem(e)}`);
    }
    node.devices.start();
    node.loop = node.run();
    return node;
  }

  /** Stops polling and the devices, and closes the store. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeLoop?.();
    await this.loop;
    await this.devices.stop();
    this.store.close();
  }

  /** Resolves once the node has handled every confirmed log up to the chain's head as of now. */
  caughtUp(): Promise<void> {
    const after = this.pollsStarted;
    this.wakeLoop?.();
    return new Promise((resolve) => this.caughtUpWaiters.push({ after, resolve }));
  }

  /**
   * The library API: `node.device("lock-1").SetPin("1234", 1700000000n)` queues and resolves with the result once delivered.
   * With the typed bindings of `alkyvm compile --emit ts` (docs/aryl.md §2),
   * `node.device("lock-1", bindLock).SetPin(...)` is checked by the TypeScript compiler.
   */
  device(name: string): DeviceHandle;
  device<T>(name: string, bind: (invoke: DeviceInvoke) => T): T;
  device<T>(name: string, bind?: (invoke: DeviceInvoke) => T): DeviceHandle | T {
    if (!this.devices.entry(name)) throw new Error(`no device '${name}' in the devices file`);
    if (bind) {
      return bind(async (fn, args) => {
        const result = await this.call(name, fn, args);
        return typeof result === "number" ? BigInt(result) : result;
      });
    }
    return new Proxy({} as DeviceHandle, {
      get: (_target, prop) => {
        if (prop === "name") return name;
        if (prop === "status") return this.devices.status(name);
        if (typeof prop !== "string" || prop === "then") return undefined;
        return (...args: CallValue[]) => this.call(name, prop, args);
      },
    });
  }

  /** Queues a call of a device's public function and waits until the device has run it. */
  async call(device: string, fn: string, args: CallValue[]): Promise<Raw | undefined> {
    if (!this.devices.entry(device)) throw new Error(`no device '${device}' in the devices file`);
    const id = this.store.enqueue(device, fn, args);
    const outcome = this.devices.outcome(id);
    this.devices.deliver([device]);
    const done = await outcome;
    if (!done.ok) throw new Error(done.message);
    return done.result;
  }

  state(key: string): bigint | undefined {
    return this.store.stateValue(key);
  }

  handledLogs(): HandledLog[] {
    return this.store.handledLogs();
  }

  commands(device?: string): CommandRecord[] {
    return this.store.commands(device);
  }

  private async run(): Promise<void> {
    let failing = false;
    while (!this.stopped) {
      let caughtUp = false;
      const poll = ++this.pollsStarted;
      try {
        await this.refreshContract();
        caughtUp = await this.watcher.poll();
        if (failing) this.log(`chain: ${this.options.rpcUrl} answers again`);
        failing = false;
      } catch (e) {
        if (!failing) this.log(`chain: ${rpcProblem(e)}; retrying`);
        failing = true;
      }
      if (caughtUp) {
        const ready = this.caughtUpWaiters.filter((w) => w.after < poll);
        this.caughtUpWaiters = this.caughtUpWaiters.filter((w) => w.after >= poll);
        for (const w of ready) w.resolve();
      }
      if (!caughtUp && !failing) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 1000);
        this.wakeLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeLoop = undefined;
    }
  }

  /** Reads the contract's code; when it changed, its apps and script are loaded again. */
  private async refreshContract(): Promise<void> {
    if (!this.options.contractImages) return;
    const code = await readCode(this.client, this.options.contract);
    const hash = code === undefined ? "none" : keccak256(code);
    if (hash === this.codeHash) return;
    if (code === undefined) throw new Error(`no contract at ${this.options.contract}`);
    const images = this.options.contractImages(code);
    const apps = new Map<string, App>();
    for (const image of images.filter((i) => i.kind === "alkyl")) {
      const app = appOf(image);
      if (app) apps.set(app.profile.name, app);
    }
    const script = images.find((i) => i.kind === "aryl");
    this.scriptHandler = script ? (this.options.scriptHandler ?? loadScript)(script.bytes, this.options.abi) : undefined;
    const first = this.codeHash === undefined;
    this.codeHash = hash;
    this.contractApps = apps;
    this.log(`contract ${this.options.contract}${first ? "" : " changed"}: ${apps.size} device app(s) (${[...apps.keys()].join(", ") || "none"}), ${script ? "an Aryl script" : "no Aryl script"}`);
    this.devices.appsChanged();
  }

  private handler(): LogHandler | undefined {
    return this.options.handler ?? this.scriptHandler;
  }

  private async handleLog(log: ChainLog): Promise<void> {
    const effects: Effects = { state: new Map(), commands: [] };
    const handler = this.handler();
    if (handler?.eventNames.includes(log.eventName)) {
      try {
        await handler.handleEvent(log.eventName, log.args, this.context(effects, log.block));
      } catch (e) {
        if (e instanceof ChainUnavailable) throw e;
        this.log(`event ${log.eventName} in block ${log.block.number}: handler failed: ${(e as Error).message.split("\n")[0]}`);
        effects.state.clear();
        effects.commands.length = 0;
      }
    }
    this.store.commitLog(log.key, log.block, log.eventName, effects);
    this.log(`event ${log.eventName} in block ${log.block.number} (tx ${log.key.txHash}, log ${log.key.logIndex}): ${effects.commands.length} device call(s) queued`);
    this.devices.deliver(new Set(effects.commands.map((c) => c.device)));
  }

  /**
   * A device called the node (a `node` function of its app): the handler's
   * public function of that name runs, its effects are committed, and its
   * result goes back to the device; undefined (the device's invocation traps)
   * if no handler answers it or it failed.
   */
  private async answerNodeCall(device: string, name: string, args: CallValue[]): Promise<CallValue | undefined> {
    const handler = this.handler();
    const what = `${device}: node call ${name}(${formatValues(args)})`;
    if (!handler?.callPublic) {
      this.log(`${what}: no handler answers it`);
      return undefined;
    }
    const effects: Effects = { state: new Map(), commands: [] };
    let result: CallValue | undefined;
    try {
      result = await handler.callPublic(name, args, this.context(effects, undefined, device));
    } catch (e) {
      this.log(`${what}: failed: ${(e as Error).message.split("\n")[0]}`);
      return undefined;
    }
    this.store.commitEffects(effects);
    this.devices.deliver(new Set(effects.commands.map((c) => c.device)));
    this.log(`${what} -> ${result === undefined ? "done" : formatValues([result])}`);
    return result ?? 0n;
  }

  /** What a handler may touch while it handles one log (or one device call); writes land in `effects`. */
  private context(effects: Effects, block: ChainBlock | undefined, caller?: string): HandlerContext {
    const { abi, contract } = this.options;
    const entries = this.options.devices;
    return {
      devices: (group) => entries.filter((d) => group === undefined || d.name === group || d.profile.name === group || d.groups.includes(group)).map((d) => d.name),
      callDevice: (device, fn, args) => {
        if (!this.devices.entry(device)) throw new Error(`no device '${device}'`);
        effects.commands.push({ device, fn, args });
      },
      block: () => {
        const b = block ?? this.head;
        return { number: b?.number ?? 0n, timestamp: b?.timestamp ?? 0n };
      },
      decrypt: (ciphertext) => {
        if (!this.options.nodeKey) throw new Error("the node has no key to decrypt with (start it with --key)");
        return eciesDecrypt(this.options.nodeKey, ciphertext);
      },
      readContract: async (fn, args) => {
        try {
          return callValueOf(await this.client.readContract({ address: contract, abi, functionName: fn, args, ...(block ? { blockNumber: block.number } : {}) }));
        } catch (e) {
          throw new ChainUnavailable(`reading ${fn}: ${(e as Error).message.split("\n")[0]}`);
        }
      },
      sendTransaction: async (fn, args) => {
        if (!this.options.nodeKey) throw new Error("the node has no key to send transactions with (start it with --key)");
        const account = privateKeyToAccount(viemHex(this.options.nodeKey));
        const wallet = createWalletClient({ account, transport: http(this.options.rpcUrl) });
        const hash = await wallet.writeContract({ address: contract, abi, functionName: fn, args, chain: null });
        this.log(`transaction ${fn}(${args.join(", ")}) sent: ${hash}`);
      },
      state: {
        get: (key) => (effects.state.has(key) ? effects.state.get(key) : this.store.stateValue(key)),
        set: (key, value) => void effects.state.set(key, value),
      },
      log: (line) => this.log(`script${caller === undefined ? "" : ` (${caller})`}: ${line}`),
    };
  }
}
