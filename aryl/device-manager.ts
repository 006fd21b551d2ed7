// Keeps every device of the devices file connected and served: one worker per
// device connects (HELLO), installs the contract's app for its profile when
// the device runs another, sets its clock to the chain's, delivers its queued
// commands in order, and reconnects after the link fails. Commands wait in
// the store while a device is offline and go out when it returns; a command
// is marked delivered only after the device answered it (at least once).
// Events a device raises by itself (its keypad) are logged, one line per
// effect, and their node calls answered as those of the node's own calls.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FunctionKind } from "../compiler/ir/image.js";
import { LinkError } from "../compiler/link/client.js";
import { BoardEmulationError } from "../compiler/engines/transport.js";
import type { App } from "../compiler/run/backends.js";
import type { NodeCallRequest } from "../compiler/run/engine.js";
import { effectToTrace } from "../compiler/run/session.js";
import { formatTraceLine, type TraceLine } from "../compiler/run/trace.js";
import { installedAppIs, LinkEngine, type RaisedEvent } from "../compiler/run/link-engine.js";
import { formatValue } from "../compiler/run/values.js";
import type { Raw } from "../compiler/vm/effects.js";
import type { DeviceEntry } from "./devices-file.js";
import { buildEmulatedFirmware, openDeviceTransport, reportTimeoutMs } from "./device-transport.js";
import type { NodeStore, QueuedCommand } from "./store.js";
import { callValueOfRaw, formatValues, rawArgs, type CallValue } from "./values.js";

export type DeviceStatus = "waiting-for-app" | "connecting" | "online" | "offline" | "stopped";

export interface DeviceManagerOptions {
  devices: readonly DeviceEntry[];
  store: NodeStore;
  /** Where emulated devices keep their app store. */
  dataDir: string;
  /** The app the contract carries for a profile (undefined: none). */
  appFor: (profileName: string) => App | undefined;
  log: (line: string) => void;
  /** First wait before reconnecting; doubles up to maxRetryMs (defaults 500 ms, 10 s). */
  retryMs?: number;
  maxRetryMs?: number;
  /** An idle online device gets SET_TIME this often, which also notices a dead link (default 5 s). */
  heartbeatMs?: number;
  /** Fuel per device call (default: the link engine's). */
  fuel?: number;
  /** Answers a device's call to the node (NODE_CALL): the result (any value for a void function), or undefined = failed (the device's invocation traps). */
  answerNodeCall?: (device: string, name: string, args: CallValue[]) => Promise<CallValue | undefined>;
  /** An event the device raised by itself ran (after its node calls were answered): the event and what the device did, as trace lines. */
  onDeviceEvent?: (device: string, event: string, lines: TraceLine[]) => void;
}

/** A finished command: the function's result when it has one. */
export type CommandOutcome = { ok: true; result: Raw | undefined } | { ok: false; message: string };

/** A device event the node injects (a sensor or keypad emulated, e.g. by `alkyvm demo`), waiting for its turn on the link. */
interface InjectedEvent {
  name: string;
  args: CallValue[];
  resolve: (lines: TraceLine[]) => void;
  reject: (e: Error) => void;
}

/** A failure of the link (the device went away), as opposed to a refusal by the device. */
function isLinkFailure(e: unknown): boolean {
  return e instanceof BoardEmulationError || (e instanceof LinkError && e.code === "link");
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

class DeviceWorker {
  status: DeviceStatus = "connecting";
  private engine: LinkEngine | undefined;
  private app: App | undefined;
  private clock: number | undefined;
  private clockSent = true;
  private wake: (() => void) | undefined;
  private stopped = false;
  private failures = 0;
  private readonly events: InjectedEvent[] = [];
  readonly done: Promise<void>;

  constructor(
    readonly entry: DeviceEntry,
    private readonly manager: DeviceManager,
    private readonly options: DeviceManagerOptions,
  ) {
    this.done = this.run();
  }

  poke(): void {
    this.wake?.();
  }

  setClock(seconds: number): void {
    if (seconds === this.clock) return;
    this.clock = seconds;
    this.clockSent = false;
    this.poke();
  }

  /** Runs a device event of the app on the device, after what is already queued for it; resolves with its trace lines. */
  injectEvent(name: string, args: CallValue[]): Promise<TraceLine[]> {
    if (this.stopped) return Promise.reject(new Error(`${this.entry.name}: the device manager is stopped`));
    return new Promise((resolve, reject) => {
      this.events.push({ name, args, resolve, reject });
      this.poke();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.done;
    for (const e of this.events.splice(0)) e.reject(new Error(`${this.entry.name}: stopped before the event ${e.name} ran`));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.engine || this.app !== this.options.appFor(this.entry.profile.name)) {
          if (!(await this.connect())) continue;
        }
        if (!this.clockSent && this.clock !== undefined) {
          this.clockSent = true;
          await this.engine!.setTime(this.clock);
          continue;
        }
        const command = this.options.store.nextCommand(this.entry.name);
        if (command) {
          await this.deliver(command);
          continue;
        }
        const event = this.events[0];
        if (event) {
          await this.runEvent(event);
          continue;
        }
        if (!(await this.sleep(this.options.heartbeatMs ?? 5_000)) && this.clock !== undefined) await this.engine!.setTime(this.clock);
      } catch (e) {
        // A link failure is the device going away; anything else (a refused
        // SET_TIME, a store error) is reported, and the worker starts over
        // after a pause rather than dying.
        await this.disconnect(isLinkFailure(e) ? `link failed: ${firstLine(e)}` : firstLine(e));
        if (!isLinkFailure(e)) await this.sleep(this.options.maxRetryMs ?? 10_000);
      }
    }
    await this.disconnect(undefined);
    this.status = "stopped";
  }

  /** Connects with the current app; false after a failed attempt (it waited before returning). */
  private async connect(): Promise<boolean> {
    await this.disconnect(undefined);
    const app = this.options.appFor(this.entry.profile.name);
    if (!app) {
      if (this.status !== "waiting-for-app") this.options.log(`${this.entry.name}: the contract has no app for profile ${this.entry.profile.name}; waiting`);
      this.status = "waiting-for-app";
      await this.sleep(this.options.maxRetryMs ?? 10_000);
      return false;
    }
    this.status = "connecting";
    try {
      const transport = await openDeviceTransport(this.entry, join(this.options.dataDir, "devices"));
      const answer = this.options.answerNodeCall;
      const engine = await LinkEngine.open(transport, app.image, app.bytes, {
        install: "if-changed",
        ...(answer ? { answerNodeCall: (call: NodeCallRequest) => this.answerNodeCall(app, call, answer) } : {}),
        onDeviceEvent: (event: RaisedEvent) => this.raised(app, event),
        timeoutMs: reportTimeoutMs(this.entry),
        // The link is sealed with the entry's key; a board flashed without one is served plain only if its entry says "link": "plain" (and said so).
        key: this.entry.key,
        plainAllowed: this.entry.plainAllowed,
        ...(this.options.fuel === undefined ? {} : { fuel: this.options.fuel }),
      });
      this.engine = engine;
      this.app = app;
      this.failures = 0;
      this.status = "online";
      this.clockSent = false;
      const installed = installedAppIs(engine.device, app.bytes) ? "app already installed" : `installed app (${app.bytes.length} bytes)`;
      this.options.log(`${this.entry.name}: online on ${this.entry.transportText}, ${installed}`);
      if (!engine.sealed) this.options.log(`${this.entry.name}: the link is not sealed: its firmware was built without a link key (alkyvm firmware --key)`);
      this.manager.onOnline(this.entry.name);
      return true;
    } catch (e) {
      this.status = "offline";
      this.failures++;
      if (this.failures === 1) this.options.log(`${this.entry.name}: offline (${firstLine(e)}); retrying`);
      const base = this.options.retryMs ?? 500;
      await this.sleep(Math.min(this.options.maxRetryMs ?? 10_000, base * 2 ** Math.min(this.failures - 1, 10)));
      return false;
    }
  }

  /** A node call in the app's types: arguments to script values, the answer back to the import's result type. */
  private async answerNodeCall(app: App, call: NodeCallRequest, answer: NonNullable<DeviceManagerOptions["answerNodeCall"]>): Promise<Raw | undefined> {
    const imp = app.image.imports[call.importIndex];
    if (!imp) return undefined;
    const value = await answer(this.entry.name, call.name, call.args.map((a, i) => callValueOfRaw(a, imp.params[i]!)));
    if (value === undefined) return undefined;
    if (!imp.result) return 0;
    const raw = rawArgs([imp.result], [value]);
    if (!raw.ok) {
      this.options.log(`${this.entry.name}: node call ${call.name}: the answer ${formatValues([value])} does not fit: ${raw.message}`);
      return undefined;
    }
    return raw.args[0] as Raw;
  }

  /** Logs an event the device raised by itself: the event, then one line per effect. */
  private raised(app: App, event: RaisedEvent): void {
    const fn = event.handler;
    const name = fn ? `${fn.name}(${event.args.map((a, i) => formatValue(a, fn.locals[i]!)).join(", ")})` : `event ${event.eventId}`;
    const lines = fn ? event.effects.map((e) => effectToTrace(e, app.image, fn)) : [];
    this.options.log(`[${this.entry.name}] ${name} raised on the device${fn ? "" : " (the app has no handler)"}`);
    for (const line of lines) this.options.log(`[${this.entry.name}] ${formatTraceLine(line)}`);
    this.options.onDeviceEvent?.(this.entry.name, fn?.name ?? `event ${event.eventId}`, lines);
  }

  private async disconnect(reason: string | undefined): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    if (!engine) return;
    if (reason !== undefined) {
      this.status = "offline";
      this.options.log(`${this.entry.name}: offline (${reason}); retrying`);
    }
    await engine.close().catch(() => {});
  }

  private async deliver(command: QueuedCommand): Promise<void> {
    const image = this.app!.image;
    const index = image.functions.findIndex((f) => f.kind === FunctionKind.Public && f.name === command.fn);
    const what = `${command.fn}(${formatValues(command.args)})`;
    const fn = image.functions[index];
    if (!fn) return this.finish(command, { ok: false, message: `${this.entry.name}: the app has no public function ${command.fn}` });
    const args = rawArgs(fn.locals.slice(0, fn.paramCount), command.args);
    if (!args.ok) return this.finish(command, { ok: false, message: `${this.entry.name}: ${what}: ${args.message}` });
    let effects;
    try {
      effects = await this.engine!.invoke(index, args.args);
    } catch (e) {
      if (isLinkFailure(e)) throw e;
      return this.finish(command, { ok: false, message: `${this.entry.name}: ${what}: ${firstLine(e)}` });
    }
    const end = effects[effects.length - 1];
    if (end?.kind === "fault") return this.finish(command, { ok: false, message: `${this.entry.name}: ${what}: fault ${end.fault}` });
    const result = end?.kind === "return" ? end.value : undefined;
    this.options.log(`${this.entry.name}: ${what}${result === undefined || !fn.result ? "" : ` -> ${formatValue(result, fn.result)}`}`);
    this.finish(command, { ok: true, result });
  }

  /** Runs an injected event; it stays first in line if the link fails, and runs again once the device is back. */
  private async runEvent(event: InjectedEvent): Promise<void> {
    const image = this.app!.image;
    const fn = image.functions.find((f) => f.kind === FunctionKind.Event && f.name === event.name);
    const settle = (outcome: TraceLine[] | Error): void => {
      this.events.shift();
      if (outcome instanceof Error) event.reject(outcome);
      else event.resolve(outcome);
    };
    if (!fn) return settle(new Error(`${this.entry.name}: the app has no device event ${event.name}`));
    const args = rawArgs(fn.locals.slice(0, fn.paramCount), event.args);
    if (!args.ok) return settle(new Error(`${this.entry.name}: event ${event.name}: ${args.message}`));
    try {
      const effects = await this.engine!.invoke(image.functions.indexOf(fn), args.args);
      settle(effects.map((e) => effectToTrace(e, image, fn)));
    } catch (e) {
      if (isLinkFailure(e)) throw e;
      settle(new Error(`${this.entry.name}: event ${event.name}: ${firstLine(e)}`));
    }
  }

  private finish(command: QueuedCommand, outcome: CommandOutcome): void {
    if (outcome.ok) this.options.store.finishCommand(command.id, "delivered", outcome.result === undefined ? undefined : String(outcome.result));
    else {
      this.options.log(outcome.message);
      this.options.store.finishCommand(command.id, "failed", outcome.message);
    }
    this.manager.onFinished(command.id, outcome);
  }

  /** Waits for work or the timeout; true when woken. */
  private sleep(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve(true);
      };
    });
  }
}

export class DeviceManager {
  private readonly workers = new Map<string, DeviceWorker>();
  private readonly waiting = new Map<number, (outcome: CommandOutcome) => void>();
  private readonly onlineWaiters: { name: string; resolve: () => void }[] = [];

  constructor(private readonly options: DeviceManagerOptions) {
    mkdirSync(join(options.dataDir, "devices"), { recursive: true });
    buildEmulatedFirmware(options.devices);
  }

  start(): void {
    for (const entry of this.options.devices) if (!this.workers.has(entry.name)) this.workers.set(entry.name, new DeviceWorker(entry, this, this.options));
  }

  names(): string[] {
    return this.options.devices.map((d) => d.name);
  }

  entry(name: string): DeviceEntry | undefined {
    return this.options.devices.find((d) => d.name === name);
  }

  status(name: string): DeviceStatus | undefined {
    return this.workers.get(name)?.status;
  }

  /** New commands were queued for these devices (all when omitted). */
  deliver(names?: Iterable<string>): void {
    for (const name of names ?? this.workers.keys()) this.workers.get(name)?.poke();
  }

  /** The contract's apps changed: each worker reinstalls where its device runs another. */
  appsChanged(): void {
    this.deliver();
  }

  /**
   * Runs a device event of the device's app (as if its sensor or keypad fired),
   * after the commands queued for it; resolves with what the device did, as
   * `alkyvm run` trace lines (syscalls, node calls, faults).
   */
  injectEvent(device: string, event: string, args: CallValue[] = []): Promise<TraceLine[]> {
    const worker = this.workers.get(device);
    if (!worker) return Promise.reject(new Error(`no device '${device}' is served`));
    return worker.injectEvent(event, args);
  }

  /** Sets every device's clock to the chain's time (Unix seconds). */
  setClock(seconds: bigint): void {
    const s = Number(seconds > 0xffffffffn ? 0xffffffffn : seconds);
    for (const w of this.workers.values()) w.setClock(s);
  }

  /** Resolves when the command with this id is delivered or has failed. */
  outcome(id: number): Promise<CommandOutcome> {
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  /** Resolves when the device is (next) online. */
  online(name: string): Promise<void> {
    if (this.status(name) === "online") return Promise.resolve();
    return new Promise((resolve) => this.onlineWaiters.push({ name, resolve }));
  }

  onOnline(name: string): void {
    for (let i = this.onlineWaiters.length - 1; i >= 0; i--) {
      if (this.onlineWaiters[i]!.name === name) this.onlineWaiters.splice(i, 1)[0]!.resolve();
    }
  }

  onFinished(id: number, outcome: CommandOutcome): void {
    this.waiting.get(id)?.(outcome);
    this.waiting.delete(id);
  }

  /** Settles the waits for commands a reorg cancelled. */
  settleCancelled(): void {
    for (const id of [...this.waiting.keys()]) {
      const record = this.options.store.command(id);
      if (record?.status === "cancelled") this.onFinished(id, { ok: false, message: `cancelled: ${record.detail ?? ""}` });
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
  }
}
