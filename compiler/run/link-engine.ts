// A device on the other end of the link protocol behind the Engine interface:
// the host C VM, an emulated Uno or MSP430, a board on a serial port. The app
// is loaded over the link exactly as on hardware; every invocation's reports
// become the same raw effects the reference VM produces.

import { FEATURE_NAMES, FunctionKind, type Image, type IrFunction } from "../ir/image.js";
import { decodeArgs, encodeArgs, rawFromLittleEndian } from "../link/args.js";
import { describeError, LinkClient, LinkError, type Answer, type HelloReply, type RaisedInvocation } from "../link/client.js";
import { codeName, ERROR_CODES, FAULT_KINDS, type Message } from "../link/messages.js";
import type { ByteTransport } from "../engines/transport.js";
import { FaultProxy, type FaultProxyOptions, type LinkFaultCounts } from "../link/fault-proxy.js";
import { DEFAULT_FUEL } from "../vm/reference.js";
import type { FaultKind, Raw, RawArg } from "../vm/effects.js";
import type { Engine, EngineEffect, NodeCallAnswerer, NodeCallRequest } from "./engine.js";

export interface LinkEngineOptions {
  fuel?: number;
  /** Longest wait for a report (default: LinkClient's). */
  timeoutMs?: number;
  /** When a request without a report is sent again, and how often (default: LinkClient's; docs/link.md §4.6). */
  retryMs?: number;
  retries?: number;
  /** Runs the link through a fault-injection proxy (docs/link.md §4.6); requests are then sent again after 250 ms unless retryMs says otherwise. */
  faults?: FaultProxyOptions;
  /** Answers the device's node calls; without it every node call fails (traps). */
  answerNodeCall?: NodeCallAnswerer | ((call: NodeCallRequest) => Promise<Raw | undefined>);
  /** "if-changed": keep the installed app (and its storage) when it is this image already. Default "always". */
  install?: "always" | "if-changed";
  /** Receives each event the device raised by itself (a driver: the keypad), after it ran; its node calls are answered by answerNodeCall. */
  onDeviceEvent?: (event: RaisedEvent) => void;
  /** The device's link key: the link is sealed (docs/link.md §2.1). */
  key?: Uint8Array;
  /** With a key: serve a device whose firmware has no key over a plain link (LinkClientOptions.plainAllowed). */
  plainAllowed?: boolean;
}

/** A link engine's options from a backend's (compiler/run/backends.ts): its linkKey becomes the client's key. */
export function linkOptions<T extends Omit<LinkEngineOptions, "key"> & { linkKey?: Uint8Array }>(options: T): LinkEngineOptions {
  const { linkKey, ...rest } = options;
  return { ...rest, ...(linkKey ? { key: linkKey } : {}) };
}

/** An event the device raised and ran by itself, in the app's terms. */
export interface RaisedEvent {
  /** The app's handler of the event (undefined: the app has none, nothing ran). */
  handler: IrFunction | undefined;
  eventId: number;
  args: RawArg[];
  /** What the handler did, as an invocation's effects (syscalls, node calls, return, fault). */
  effects: EngineEffect[];
}

/** Whether the device announced exactly this image as its installed app (length and CRC-32 trailer). */
export function installedAppIs(device: HelloReply, imageBytes: Uint8Array): boolean {
  if (imageBytes.length < 4 || device.appLength !== imageBytes.length) return false;
  return new DataView(imageBytes.buffer, imageBytes.byteOffset, imageBytes.byteLength).getUint32(imageBytes.length - 4, true) === device.appCrc;
}

/** A features refusal names what the app needs that the device lacks. */
function explainRefusal(e: unknown, image: Image, device: HelloReply): unknown {
  const missing = FEATURE_NAMES.filter(([bit]) => image.features & bit & ~device.vmFeatures).map(([, name]) => name);
  if (!(e instanceof LinkError) || e.code !== "refused" || missing.length === 0) return e;
  return new LinkError(`${e.message}: the app needs ${missing.join(", ")}`, e.code);
}

export class LinkEngine implements Engine {
  private constructor(
    private readonly client: LinkClient,
    private readonly transport: ByteTransport,
    private readonly proxy: FaultProxy | undefined,
    private readonly image: Image,
    private readonly fuel: number,
    /** What the device announced. */
    readonly device: HelloReply,
  ) {}

  /** Whether the link is sealed (docs/link.md §2.1). */
  get sealed(): boolean {
    return this.client.sealed;
  }

  /**
   * Greets the device and installs the app (by default always: a load also clears
   * the app's storage and memory, so every run starts as the reference VM does).
   * Closes the transport if the device refuses.
   */
  static async open(wire: ByteTransport, image: Image, imageBytes: Uint8Array, options: LinkEngineOptions = {}): Promise<LinkEngine> {
    const proxy = options.faults ? new FaultProxy(wire, options.faults) : undefined;
    const transport = proxy?.node ?? wire;
    const retryMs = options.retryMs ?? (proxy ? 250 : undefined);
    const answer = options.answerNodeCall;
    const onEvent = options.onDeviceEvent;
    const client = new LinkClient(transport, {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(retryMs === undefined ? {} : { retryMs }),
      ...(options.retries === undefined ? {} : { retries: options.retries }),
      image,
      ...(options.key ? { key: options.key, plainAllowed: options.plainAllowed === true } : {}),
      ...(answer ? { onNodeCall: async (call) => answer(call) } : {}),
      ...(onEvent ? { onDeviceEvent: (raised) => onEvent(raisedEvent(image, raised)) } : {}),
    });
    try {
      const device = await client.hello();
      try {
        if (options.install !== "if-changed" || !installedAppIs(device, imageBytes)) await client.load(imageBytes);
      } catch (e) {
        throw explainRefusal(e, image, device);
      }
      return new LinkEngine(client, transport, proxy, image, options.fuel ?? DEFAULT_FUEL, device);
    } catch (e) {
      const idle = client.stopServing();
      await transport.close();
      await idle;
      throw e;
    }
  }

  async invoke(functionIndex: number, args: RawArg[]): Promise<EngineEffect[]> {
    const fn = this.image.functions[functionIndex];
    if (!fn) throw new LinkError(`no function ${functionIndex} in the image`, "function");
    const stream = encodeArgs(fn.locals.slice(0, fn.paramCount), args);
    const answer =
      fn.kind === FunctionKind.Event
        ? await this.client.invoke("EVENT", fn.eventId ?? 0, this.fuel, stream)
        : await this.client.invoke("CALL", functionIndex, this.fuel, stream);
    const end = answer.terminal;
    if (end.name === "ERROR") throw new LinkError(`device refused the invocation of ${fn.name}: ${describeError(end.fields)}`, codeName(ERROR_CODES, end.fields.code));
    if (answer.syscallsMissing) {
      const counted = "syscalls" in end.fields ? end.fields.syscalls : 0;
      throw new LinkError(
        `${fn.name} ran once on the device, but the link ${answer.syscallsMissing > 0 ? "lost" : "repeated"} some of its ${counted} SYSCALL reports: its effects are not known`,
        "link",
      );
    }
    return answerEffects(this.image, fn, answer);
  }

  /** With a fault proxy: frames seen and faults applied per direction, and requests sent again. */
  faultCounts(): { toDevice: LinkFaultCounts; toNode: LinkFaultCounts; resent: number } | undefined {
    return this.proxy ? { ...this.proxy.counts(), resent: this.client.resent } : undefined;
  }

  async setTime(seconds: number): Promise<void> {
    await this.client.setTime(seconds);
  }

  async close(): Promise<void> {
    const idle = this.client.stopServing();
    await this.transport.close();
    await idle;
  }
}

/** An invocation's reports as the reference VM's effects: syscalls and node calls in order, then the return value or fault. */
function answerEffects(image: Image, fn: IrFunction | undefined, answer: Answer): EngineEffect[] {
  const effects: EngineEffect[] = [];
  let nodeCalls = 0;
  for (const report of answer.reports) {
    if (report.name !== "NODE_CALL") {
      effects.push(syscallEffect(image, report));
      continue;
    }
    const call = answer.nodeCalls[nodeCalls++]!;
    effects.push({ kind: "nodecall", importIndex: call.importIndex, args: call.args, answer: call.answer });
  }
  const end = answer.terminal;
  switch (end.name) {
    case "RESULT":
      if (fn?.result) effects.push({ kind: "return", value: rawFromLittleEndian(end.fields.value, end.fields.value.length) });
      break;
    case "DONE":
      break;
    case "FAULT": {
      const fault = codeName(FAULT_KINDS, end.fields.kind) as FaultKind;
      effects.push(fault === "memory" || fault === "storage" ? { kind: "fault", fault, address: end.fields.address } : { kind: "fault", fault });
      break;
    }
    default:
      throw new LinkError(`device answered an invocation with ${end.name}`, "link");
  }
  return effects;
}

function syscallEffect(image: Image, report: Message): EngineEffect {
  if (report.name !== "SYSCALL") throw new LinkError(`device sent ${report.name} during an invocation`, "link");
  const imp = image.imports[report.fields.import];
  if (!imp) throw new LinkError(`device reported a syscall of unknown import ${report.fields.import}`, "link");
  const decoded = decodeArgs(imp.params, report.fields.args);
  if (!decoded.ok) throw new LinkError(`device sent malformed arguments for ${imp.name}: ${decoded.reason}`, "link");
  return { kind: "syscall", importIndex: report.fields.import, args: decoded.args };
}

/** A raised invocation in the app's terms: its handler, the event's arguments decoded by the handler's parameters, the effects. */
function raisedEvent(image: Image, raised: RaisedInvocation): RaisedEvent {
  const handler = image.functions.find((f) => f.kind === FunctionKind.Event && (f.eventId ?? 0) === raised.event);
  const decoded = handler ? decodeArgs(handler.locals.slice(0, handler.paramCount), raised.args) : undefined;
  return { handler, eventId: raised.event, args: decoded?.ok ? decoded.args : [], effects: answerEffects(image, handler, raised) };
}
