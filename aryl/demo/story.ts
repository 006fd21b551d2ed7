// The demo's story (docs/aryl.md §7): a tenant rents the property for a while
// with an encrypted PIN, the node sets it on every lock, the keypads are used
// (right PIN, wrong PINs, a lockout of the whole property), time passes on
// the chain, and the meter's usage is paid from the tenant's balance on chain.
// Every device effect is printed as `[device] syscall Unlock()`; every
// expectation is checked and counted, and the story goes on after a failed one
// where it can, so one run shows everything that broke.

import { parseEther, type Address } from "viem";
import { formatTraceLine } from "../../compiler/run/trace.js";
import type { ArylNode } from "../node.js";
import { eciesEncrypt, publicKeyOf, toHex } from "../ecies.js";
import type { DeviceEntry } from "../devices-file.js";
import type { CommandRecord } from "../store.js";
import { buildRentalContract } from "./rental-contract.js";
import { demoDevices, DemoWorld, PRICE_PER_MINUTE } from "./world.js";

export const PIN = "1234";
export const WRONG_PIN = "9999";
/** The rental period the tenant pays for. */
export const RENT_MINUTES = 30;
/** rental.aryl's LOCKOUT_SECONDS and WEI_PER_UNIT. */
const LOCKOUT_SECONDS = 600;
const WEI_PER_UNIT = 1_000_000_000_000n;
const METER_UNITS = 5;
/** Longest wait for the devices to come online (the emulated Unos boot and install the app). */
const ONLINE_TIMEOUT_MS = 120_000;
/** Longest wait for the node to deliver the calls a log or a device call queued. */
const DELIVERY_TIMEOUT_MS = 60_000;

/** The lock reads its clock (the chain's time, set by the node) when a PIN is complete. */
const CLOCK = "syscall Now()";


export interface StoryOutput {
  /** A line of the narrative. */
  line(text: string): void;
}

export interface StoryResult {
  held: number;
  failed: string[];
}

class ExpectationFailed extends Error {}

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ExpectationFailed(`${what}: nothing after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How the node's own log lines read in the narrative: a device's under its name, the rest under [node]. */
export function narrateNodeLine(line: string, devices: readonly DeviceEntry[]): string {
  const device = devices.find((d) => line.startsWith(`${d.name}: `));
  if (device && !line.startsWith(`${device.name}: node call`)) return `[${device.name}] ${line.slice(device.name.length + 2)}`;
  return `[node] ${line}`;
}

export class RentalStory {
  private held = 0;
  private readonly failed: string[] = [];
  private readonly world: DemoWorld;
  private readonly devices: DeviceEntry[];
  private readonly locks: string[];
  private readonly meterName: string;

  /** Throws a one-line error if the example's devices file does not read. */
  constructor(private readonly out: StoryOutput) {
    this.devices = demoDevices();
    this.locks = this.devices.filter((d) => d.profile.name === "smartlock").map((d) => d.name);
    const meter = this.devices.find((d) => d.profile.name === "meter");
    if (this.locks.length === 0 || !meter) throw new Error("examples/rental/devices.json needs smart locks and a meter");
    this.meterName = meter.name;
    this.world = new DemoWorld(this.devices, { log: (line) => out.line(narrateNodeLine(line, this.devices)), say: (line) => this.say(line) });
  }

  private say(text: string): void {
    this.out.line(text);
  }

  private scene(title: string): void {
    this.out.line("");
    this.out.line(`== ${title}`);
  }

  private expect(what: string, held: boolean, detail?: string): boolean {
    if (held) {
      this.held++;
      this.out.line(`   ok: ${what}`);
    } else {
      this.failed.push(what);
      this.out.line(`   FAILED: ${what}${detail === undefined ? "" : ` (${detail})`}`);
    }
    return held;
  }

  private get node(): ArylNode {
    if (!this.world.node) throw new ExpectationFailed("the node is not running");
    return this.world.node;
  }

  /** Plays the whole story; never throws: a failure that stops the story is one failed expectation. */
  async play(): Promise<StoryResult> {
    try {
      await this.setUp();
      await this.rentWithPin();
      await this.keypad();
      await this.meter();
      await this.lockoutEnds();
      await this.rentalExpires();
    } catch (e) {
      const message = e instanceof Error ? e.message.split("\n")[0]! : String(e);
      this.expect("the story runs to its end", false, message);
    }
    return { held: this.held, failed: [...this.failed] };
  }

  /** Stops the node, its devices and the chain; safe to call at any time, more than once. */
  stop(): Promise<void> {
    return this.world.stop();
  }

  private async setUp(): Promise<void> {
    this.scene("The property: a fused contract, an Aryl node, three smart locks and a meter");
    const fused = buildRentalContract();
    this.say(`fused Rental.sol with rental.aryl, lock.alkyl and meter.alkyl: ${fused.runtimeSize} bytes of contract code + ${fused.containerSize} bytes of images`);
    await this.world.start(fused);
    const online = await timeout(
      Promise.all(this.devices.map((d) => this.node.devices.online(d.name))).then(() => true),
      ONLINE_TIMEOUT_MS,
      "waiting for the devices",
    ).catch(() => false);
    this.expect("every device is online and runs the app the contract carries", online, this.devices.map((d) => `${d.name} ${this.node.devices.status(d.name)}`).join(", "));
    if (!online) throw new ExpectationFailed("the devices did not come online");
  }

  private async chainTime(): Promise<bigint> {
    return (await this.world.publicClient.getBlock()).timestamp;
  }

  private expiresAt = 0n;

  private async rentWithPin(): Promise<void> {
    this.scene(`A tenant pays the rent for ${RENT_MINUTES} minutes with an encrypted PIN`);
    const ciphertext = toHex(eciesEncrypt(publicKeyOf(this.world.nodeKey.secretKey), new TextEncoder().encode(PIN)));
    const rent = PRICE_PER_MINUTE * BigInt(RENT_MINUTES);
    const deposit = parseEther("0.01");
    this.say(`tenant ${this.world.tenant}: pay("${ciphertext.slice(0, 18)}…", ${RENT_MINUTES}) with ${rent + deposit} wei (rent + a deposit for metered usage); the PIN ${PIN} encrypted to the node's key`);
    const wallet = this.world.wallet(this.world.tenant);
    const hash = await wallet.writeContract({ address: this.world.contract, abi: this.world.abi, functionName: "pay", args: [ciphertext, RENT_MINUTES], value: rent + deposit, chain: wallet.chain });
    const receipt = await this.world.publicClient.waitForTransactionReceipt({ hash });
    const block = await this.world.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    this.expiresAt = block.timestamp + BigInt(RENT_MINUTES * 60);
    this.expect("the payment is on chain", receipt.status === "success");
    await this.node.caughtUp();
    const setPins = await this.delivered(this.locks, "SetPin");
    this.expect(
      `the node decrypted the PIN and set it on ${this.locks.join(", ")} until ${this.expiresAt}`,
      setPins.every((c) => c?.status === "delivered" && c.args[0] === PIN && c.args[1] === this.expiresAt),
      setPins.map((c, i) => `${this.locks[i]}: ${c ? `${c.status} ${c.fn}(${c.args.join(", ")})` : "none"}`).join("; "),
    );
  }

  /** Waits until each device's newest call of `fn` has been delivered (or failed); the records, in device order. */
  private async delivered(devices: readonly string[], fn: string, after = 0): Promise<(CommandRecord | undefined)[]> {
    const newest = (): (CommandRecord | undefined)[] => devices.map((d) => this.node.commands(d).filter((c) => c.fn === fn && c.id > after).at(-1));
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const records = newest();
      if (records.every((r) => r !== undefined && r.status !== "queued")) return records;
      await sleep(50);
    }
    return newest();
  }

  /** Types a PIN on a lock's keypad (one KeyPressed event per key); the lock's effects, as trace lines. */
  private async typePin(lock: string, pin: string): Promise<string[]> {
    this.say(`someone types ${pin} on ${lock}'s keypad`);
    const lines: string[] = [];
    for (const key of pin) {
      for (const trace of await this.node.devices.injectEvent(lock, "KeyPressed", [BigInt(key.charCodeAt(0))])) {
        const text = formatTraceLine(trace);
        this.out.line(`[${lock}] ${text}`);
        lines.push(text);
      }
    }
    return lines;
  }

  private expectEffects(what: string, actual: string[], expected: string[]): boolean {
    return this.expect(what, actual.join("\n") === expected.join("\n"), `expected ${expected.join(", ")}; got ${actual.join(", ") || "nothing"}`);
  }

  private lastCommandId(): number {
    return Math.max(0, ...this.devices.flatMap((d) => this.node.commands(d.name).map((c) => c.id)));
  }

  private async keypad(): Promise<void> {
    this.scene("The keypads: the right PIN opens, wrong ones beep, three wrong ones lock the property out");
    this.expectEffects(`the right PIN opens ${this.locks[0]}`, await this.typePin(this.locks[0]!, PIN), [CLOCK, "syscall Unlock()"]);
    this.expectEffects(`a wrong PIN on ${this.locks[1]} beeps and is reported to the node`, await this.typePin(this.locks[1]!, WRONG_PIN), [
      CLOCK,
      "syscall IncorrectBeep()",
      "nodecall ReportInvalidAttempts(1) -> 0",
    ]);
    this.expectEffects(`a wrong PIN on ${this.locks[2]} beeps and is reported`, await this.typePin(this.locks[2]!, WRONG_PIN), [
      CLOCK,
      "syscall IncorrectBeep()",
      "nodecall ReportInvalidAttempts(1) -> 0",
    ]);
    const before = this.lastCommandId();
    const now = await this.chainTime();
    const third = await this.typePin(this.locks[0]!, WRONG_PIN);
    const until = /^nodecall ReportInvalidAttempts\(1\) -> (\d+)$/.exec(third[2] ?? "");
    this.expect(
      `the third wrong PIN on the property (${this.locks[0]}) beeps and the node answers with the lockout's end, ${LOCKOUT_SECONDS} s ahead`,
      third.length === 3 && third[0] === CLOCK && third[1] === "syscall IncorrectBeep()" && until !== null && BigInt(until[1]!) >= now + BigInt(LOCKOUT_SECONDS),
      `got: ${third.join(", ")}`,
    );
    const lockouts = await this.delivered(this.locks, "Lockout", before);
    this.expect(
      `the node locked out every lock: Lockout(${until?.[1] ?? "?"}) on ${this.locks.join(", ")}`,
      lockouts.every((c) => c?.status === "delivered" && until !== null && c.args[0] === BigInt(until[1]!)),
      lockouts.map((c, i) => `${this.locks[i]}: ${c ? `${c.status} ${c.fn}(${c.args.join(", ")})` : "none"}`).join("; "),
    );
    this.expectEffects(`during the lockout the right PIN does not open ${this.locks[1]}`, await this.typePin(this.locks[1]!, PIN), [CLOCK, "syscall IncorrectBeep()"]);
  }

  private async balance(): Promise<bigint> {
    return (await this.world.publicClient.readContract({ address: this.world.contract, abi: this.world.abi, functionName: "balanceOf", args: [this.world.tenant] })) as bigint;
  }

  private async meter(): Promise<void> {
    this.scene("The meter: usage is paid from the tenant's balance on chain, through the node");
    const before = await this.balance();
    this.say(`the tenant's balance in the contract: ${before} wei`);
    this.say(`${this.meterName}: ${METER_UNITS} pulses (units used), then its reporting tick`);
    for (let i = 0; i < METER_UNITS; i++) {
      for (const trace of await this.node.devices.injectEvent(this.meterName, "Pulse")) this.out.line(`[${this.meterName}] ${formatTraceLine(trace)}`);
    }
    const lines: string[] = [];
    for (const trace of await this.node.devices.injectEvent(this.meterName, "Tick")) {
      const text = formatTraceLine(trace);
      this.out.line(`[${this.meterName}] ${text}`);
      lines.push(text);
    }
    this.expectEffects(`${this.meterName} reports ${METER_UNITS} units, the node answers that the balance covers them, the supply stays on`, lines, [
      `nodecall ReportUsage(${METER_UNITS}) -> true`,
      "syscall Supply(true)",
    ]);
    const expected = before - BigInt(METER_UNITS) * WEI_PER_UNIT;
    let after = await this.balance();
    for (let i = 0; i < 40 && after !== expected; i++) {
      await sleep(50);
      after = await this.balance();
    }
    this.say(`the tenant's balance in the contract: ${after} wei`);
    this.expect(`the node's transaction deducted ${METER_UNITS} units (${BigInt(METER_UNITS) * WEI_PER_UNIT} wei) from the tenant's balance`, after === expected, `expected ${expected}`);
  }

  /** Moves the chain's clock forward by mining a block that much later; the node sets the devices' clocks from it. */
  private async advanceChain(seconds: number): Promise<void> {
    await this.world.testClient.increaseTime({ seconds });
    await this.world.testClient.mine({ blocks: 1 });
    await this.node.caughtUp();
    this.say(`chain: ${seconds} s later, block time ${await this.chainTime()}; the node sets the devices' clocks to it`);
  }

  private async lockoutEnds(): Promise<void> {
    this.scene(`${LOCKOUT_SECONDS / 60} minutes later the lockout is over`);
    await this.advanceChain(LOCKOUT_SECONDS + 1);
    this.expectEffects(`the right PIN opens ${this.locks[2]} again`, await this.typePin(this.locks[2]!, PIN), [CLOCK, "syscall Unlock()"]);
  }

  private async rentalExpires(): Promise<void> {
    this.scene("The rental period ends");
    const now = await this.chainTime();
    await this.advanceChain(Number(this.expiresAt - now) + 1);
    const lines = await this.typePin(this.locks[0]!, PIN);
    this.expect(`after the rental expired the old PIN no longer opens ${this.locks[0]}: it beeps`, lines[1] === "syscall IncorrectBeep()" && !lines.includes("syscall Unlock()"), `got: ${lines.join(", ")}`);
  }
}
