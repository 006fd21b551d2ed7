// The host end of the link protocol (docs/link.md): requests out, reports in,
// over any ByteTransport (a pipe to the host VM, a simulated UART, the MSP430
// mailbox, a serial port). Stop-and-wait: one request at a time, and its
// answer is every report with its sequence number up to the terminal one.
// Invocations the device starts by itself (EVENT_RAISED, sequence number 0)
// are served too: their node calls answered, their reports handed over.

import { randomInt } from "node:crypto";
import { BoardEmulationError, type ByteTransport } from "../engines/transport.js";
import { decodeImage, ImportKind, type Image } from "../ir/image.js";
import type { Raw, RawArg } from "../vm/effects.js";
import { decodeArgs, encodeArgs } from "./args.js";
import { encodeFrame, FrameFlag, FrameReader, MAX_PAYLOAD, type Frame } from "./frame.js";
import { Direction, MAX_COUNTER, openFrame, sealFrame } from "./seal.js";
import {
  codeName,
  decodePayload,
  encodePayload,
  ERROR_CODES,
  fixedPayloadBytes,
  LINK_FEATURES,
  messageById,
  messageSpec,
  REFUSALS,
  UNSOLICITED_SEQ,
  VERIFY_RULES,
  type Message,
  type MessageName,
  type PayloadOf,
} from "./messages.js";

/** Why a request failed: the device refused it (ERROR), or the link itself failed. */
export class LinkError extends Error {
  constructor(
    message: string,
    /** ERROR.code name ("verify", "refused", ...), "link" when no valid answer came, "sealed" when the device and the client disagree on sealing. */
    readonly code: string,
  ) {
    super(message);
    this.name = "LinkError";
  }
}

/** A node call the device made (NODE_CALL), with its arguments decoded by the image's import types. */
export interface NodeCall {
  importIndex: number;
  /** The import's name: the Aryl script's public function. */
  name: string;
  args: RawArg[];
}

/** A node call and what the device got: the answer, or undefined when the call failed (no answer, or it came after the device gave up). */
export interface NodeCallRecord extends NodeCall {
  answer: Raw | undefined;
}

export interface LinkClientOptions {
  /** Longest wait for the next report of an answer (default 30 s: an emulated MCU is slow). */
  timeoutMs?: number;
  /**
   * How long the client waits for a report of a request before it sends the
   * request again, with the same sequence number (docs/link.md §4.6): the
   * device answers a repeat with the terminal report it gave and does not run
   * it twice. Default a tenth of timeoutMs, at least 250 ms (at most timeoutMs).
   */
  retryMs?: number;
  /** How many times a request is sent again (default 5); then the client waits out timeoutMs and fails. */
  retries?: number;
  /** Frames that failed COBS/CRC or did not decode, for diagnostics. */
  onDropped?: (reason: string) => void;
  /**
   * Answers the device's node calls (docs/link.md §4.4): the value (any value
   * for a void function), or undefined for "failed", which traps the call on
   * the device; a handler that throws fails the call too. Without a handler
   * every node call fails at once, as on a device without a node.
   */
  onNodeCall?: (call: NodeCall) => Promise<Raw | undefined>;
  /** The app the device runs, if it is installed already (load() learns it otherwise): node calls are decoded by its imports. */
  image?: Image;
  /**
   * Receives every invocation the device raised by itself (docs/link.md §4.5),
   * once it has ended. Given this handler, the client also reads the link
   * while no request is in flight (until stopServing), so that the node calls
   * of such an invocation are answered (onNodeCall) when they come. Without
   * it, raised invocations are served only while a request waits.
   */
  onDeviceEvent?: (event: RaisedInvocation) => void;
  /**
   * The device's 32-byte link key (docs/link.md §2.1): every request after
   * HELLO is sealed, and only sealed reports with a fresh counter are taken.
   * Never logged.
   */
  key?: Uint8Array;
  /**
   * With a key: a device whose firmware has no key (HELLO_REPLY unsealed,
   * without the sealed feature) is still served, over a plain link, instead
   * of refused. For development boards only: anyone on the link can then
   * pose as the device (docs/security.md).
   */
  plainAllowed?: boolean;
}

/**
 * Counters a node skips at the start of a session, past the device's
 * receive floor: frames a previous session sent that never reached the
 * device used counters above the floor, and must not be used again.
 */
export const SESSION_COUNTER_GAP = 0x1_0000;

export type HelloReply = PayloadOf<"HELLO_REPLY">;

/** The device's answer to one request: its reports in order, the terminal one last. */
export interface Answer {
  /** Every non-terminal report (SYSCALL, NODE_CALL) in order. */
  reports: Message[];
  terminal: Message;
  /** One record per NODE_CALL in reports, in order. */
  nodeCalls: NodeCallRecord[];
  /**
   * Set when the SYSCALL reports that arrived do not add up to the terminal
   * report's syscall count (lost on the link, or duplicated by it): how many
   * are missing (negative: how many too many). The invocation ran once;
   * its reports are not to be trusted.
   */
  syscallsMissing?: number;
}

/** An invocation the device raised by itself: EVENT_RAISED's fields, then its reports as an Answer's (terminal RESULT, DONE or FAULT). */
export interface RaisedInvocation extends Answer {
  /** The profile's event id. */
  event: number;
  /** The event's argument stream (decode with the handler's parameter types). */
  args: Uint8Array;
}

const LINK_FEATURE_SEALED = LINK_FEATURES.find((f) => f.name === "sealed")!.code;

/** How long one read waits while the client is idle (serving raised invocations). */
const IDLE_READ_MS = 250;
/** ERROR sequence's detail when the request's number is behind the last one the device took (docs/link.md §4.6). */
export const STALE_NUMBER = 1;

/** The device's last request number, if `message` refuses a request as behind it (ERROR sequence, STALE_NUMBER). */
export function staleNumber(message: Message): number | undefined {
  return message.name === "ERROR" && codeName(ERROR_CODES, message.fields.code) === "sequence" && message.fields.detail === STALE_NUMBER ? message.fields.offset : undefined;
}
const DEFAULT_RETRIES = 5;

/** A request on the wire, to be sent again while no report of it comes. */
interface Pending {
  seq: number;
  /** The request's frame as it goes out now (sealed, each time with a new counter). */
  wire: () => Uint8Array;
  /** Times sent again so far. */
  tries: number;
}

/** One line of text for an ERROR report. */
export function describeError(fields: PayloadOf<"ERROR">): string {
  const code = codeName(ERROR_CODES, fields.code);
  const doc = ERROR_CODES.find((c) => c.code === fields.code)?.doc ?? "";
  if (code === "verify") return `verify: rule ${VERIFY_RULES[fields.detail] ?? fields.detail} at image offset ${fields.offset}`;
  if (code === "refused") {
    const reason = REFUSALS.find((r) => r.code === fields.detail);
    return `refused: ${reason ? `${reason.name} (${reason.doc})` : `reason ${fields.detail}`}`;
  }
  if (code === "sequence" && fields.detail === STALE_NUMBER) return `sequence: the request's number is behind the last one the device took (${fields.offset}); start with HELLO`;
  if (code === "sequence") return `sequence: ${doc} (expected offset ${fields.offset})`;
  if (code === "argument") return `argument: parameter ${fields.offset + 1}: ${doc}`;
  return `${code}: ${doc}`;
}

export class LinkClient {
  private readonly reader = new FrameReader();
  /** Whole frames from the device not yet taken, in arrival order. */
  private readonly frames: Frame[] = [];
  /** The last request number sent: a random start, so that a new client's numbers are not an earlier one's (docs/link.md §4.6). */
  private seq = randomInt(0, 255);
  private readonly timeoutMs: number;
  private readonly retryMs: number;
  private readonly retries: number;
  /** Requests sent again because no report came in time (for diagnostics and the fault-injection figures). */
  resent = 0;
  /** Largest request payload the device takes; the protocol minimum until HELLO says more. */
  private maxPayload = MAX_PAYLOAD;
  private image: Image | undefined;
  /** The transport read in progress, shared by everyone waiting for bytes (a request, the idle loop). */
  private reading: Promise<void> | undefined;
  /** Settles when the request or raised invocation that has the link now is over. */
  private owner: Promise<void> | undefined;
  private serving = true;
  private readonly idle: Promise<void> | undefined;
  /** A raised invocation's last NODE_ANSWER that no report confirmed before the invocation ended (the device may have given up on it). */
  private unconfirmed: { seq: number; name: string } | undefined;
  /** Sealed link: the counter of the next request (undefined until HELLO_REPLY gave the device's floor), the last device counter taken. */
  private txCounter: number | undefined;
  private rxCounter: number | undefined;
  /** Sealed link: whether the device's last HELLO_REPLY came unsealed (its firmware has no key). */
  private plainHello = false;
  /** No key, and the device sent a sealed frame. */
  private sealedWithoutKey = false;
  /** The key in use: options.key, unless the device turned out plain and plainAllowed let it be. */
  private key: Uint8Array | undefined;

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: LinkClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retryMs = Math.min(this.timeoutMs, options.retryMs ?? Math.max(250, this.timeoutMs / 10));
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.image = options.image;
    this.key = options.key;
    if (options.onDeviceEvent) this.idle = this.serveIdle();
  }

  /** Tells the client which app the device runs (node calls are decoded by its imports); load() does this itself. */
  setImage(image: Image): void {
    this.image = image;
  }

  /** Stops reading the link while idle (call before closing the transport); resolves once the idle loop has ended. */
  async stopServing(): Promise<void> {
    this.serving = false;
    await this.idle;
  }

  /** Whether requests go out sealed (a key, and a device that seals; known after hello()). */
  get sealed(): boolean {
    return this.key !== undefined;
  }

  /**
   * HELLO: who the device is and what it runs; also learns its largest
   * payload. Starts a session: if the device took a request with a number
   * at or ahead of ours (an earlier session), it refuses the HELLO with that
   * number, and the client goes on from there.
   */
  async hello(): Promise<HelloReply> {
    const reply = await this.exclusive(async () => {
      for (let again = 0; ; again++) {
        const answer = await this.exchange("HELLO", {});
        const t = answer.terminal;
        const last = staleNumber(t);
        if (again < 2 && last !== undefined) {
          this.seq = last;
          continue;
        }
        return this.refuseUnless(answer, "HELLO_REPLY");
      }
    });
    this.maxPayload = reply.maxPayload;
    if (this.key) {
      if (this.plainHello || !(reply.linkFeatures & LINK_FEATURE_SEALED)) {
        if (!this.options.plainAllowed) throw new LinkError("the device does not seal its link: its firmware was built without a link key (--key)", "sealed");
        this.key = undefined;
        return reply;
      }
      const floor = reply.rxFloor + 1 + (this.txCounter === undefined ? SESSION_COUNTER_GAP : 0);
      this.txCounter = Math.max(this.txCounter ?? 0, Math.min(floor, MAX_COUNTER));
    }
    return reply;
  }

  /** Loads and commits an image in chunks; throws LinkError if the device refuses it. */
  async load(image: Uint8Array): Promise<void> {
    const trailer = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const crc = image.length >= 4 ? trailer.getUint32(image.length - 4, true) : 0;
    await this.exclusive(async () => {
      await this.expect("LOAD_BEGIN", { length: image.length, crc }, "ACK");
      const chunk = this.maxPayload - fixedPayloadBytes(messageSpec("LOAD_CHUNK"));
      for (let offset = 0; offset < image.length; offset += chunk) {
        await this.expect("LOAD_CHUNK", { offset, data: image.subarray(offset, offset + chunk) }, "ACK");
      }
      await this.expect("LOAD_COMMIT", {}, "ACK");
    });
    const decoded = decodeImage(image);
    if (decoded.ok) this.image = decoded.value.image;
  }

  async setTime(seconds: number): Promise<void> {
    await this.exclusive(() => this.expect("SET_TIME", { seconds: seconds >>> 0 }, "ACK"));
  }

  async reset(): Promise<void> {
    await this.exclusive(() => this.expect("RESET", {}, "ACK"));
  }

  /**
   * CALL or EVENT with an argument stream of any length: what does not fit the
   * first frame follows in ARGS frames, each acknowledged. Returns the answer
   * to the frame that completed the stream (SYSCALLs, then RESULT/DONE/FAULT).
   */
  async invoke(kind: "CALL" | "EVENT", target: number, fuel: number, args: Uint8Array): Promise<Answer> {
    return this.exclusive(async () => {
      const first = this.maxPayload - fixedPayloadBytes(messageSpec(kind));
      let answer =
        kind === "CALL"
          ? await this.exchange("CALL", { function: target, fuel, args: args.subarray(0, first) })
          : await this.exchange("EVENT", { event: target, fuel, args: args.subarray(0, first) });
      const more = this.maxPayload - fixedPayloadBytes(messageSpec("ARGS"));
      for (let at = first; at < args.length; at += more) {
        this.refuseUnless(answer, "ACK");
        answer = await this.exchange("ARGS", { args: args.subarray(at, at + more) });
      }
      return answer;
    });
  }

  /**
   * Sends one request and collects its answer. An ERROR answer is returned, not
   * thrown. A NODE_CALL report is answered (onNodeCall) with NODE_ANSWER, a
   * request of its own whose sequence number the rest of the answer carries.
   * Waits while a raised invocation is being served.
   */
  async request<N extends MessageName>(name: N, fields: PayloadOf<N>): Promise<Answer> {
    return this.exclusive(() => this.exchange(name, fields));
  }

  /** Runs one exchange with the link to itself: requests and raised invocations take turns, never interleave. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.owner) await this.owner;
    let release!: () => void;
    this.owner = new Promise((resolve) => (release = resolve));
    try {
      return await work();
    } finally {
      this.owner = undefined;
      release();
    }
  }

  private async exchange<N extends MessageName>(name: N, fields: PayloadOf<N>): Promise<Answer> {
    let pending = await this.send(name, fields);
    let seq = pending.seq;
    const reports: Message[] = [];
    const nodeCalls: NodeCallRecord[] = [];
    /** The NODE_CALL last answered, and the device's end of the invocation if it gave up waiting for that answer. */
    let callSeq: number | undefined;
    let gaveUp: Message | undefined;
    /** Whether the device raised an invocation since the request went out (it refuses requests while that waits for a node call). */
    let raised = false;
    /** When the device first refused the request as busy. */
    let busySince: number | undefined;
    for (;;) {
      const report = await this.nextReport((s) => s === seq || s === callSeq || s === UNSOLICITED_SEQ, false, name, pending);
      const message = report.message;
      if (report.seq === UNSOLICITED_SEQ) {
        // The device raised an event before it read this request: serve it first.
        await this.serveRaised(message);
        raised = true;
        continue;
      }
      const terminal = messageSpec(message.name).terminal;
      if (report.seq !== seq) {
        // The device timed out before our answer arrived; it refuses the late answer next.
        if (terminal) gaveUp = message;
        continue;
      }
      if (terminal) {
        if (gaveUp && message.name === "ERROR") {
          nodeCalls[nodeCalls.length - 1]!.answer = undefined;
          return this.complete({ reports, terminal: gaveUp, nodeCalls }, [seq, callSeq]);
        }
        if (reports.length === 0 && message.name === "ERROR" && codeName(ERROR_CODES, message.fields.code) === "busy") {
          // Refused, not run, while an invocation waited for its node call: a raised one (served above), or one
          // whose request this client gave up on, which ends by the device's timeout. Send it again, as a new request.
          busySince ??= Date.now();
          if (raised || Date.now() - busySince < this.timeoutMs) {
            if (!raised) await new Promise((resolve) => setTimeout(resolve, this.retryMs));
            raised = false;
            pending = await this.send(name, fields);
            seq = pending.seq;
            continue;
          }
        }
        return this.complete({ reports, terminal: message, nodeCalls }, [seq, callSeq]);
      }
      reports.push(message);
      if (message.name !== "NODE_CALL") continue;
      const { record, value } = await this.answerNodeCall(message.fields);
      nodeCalls.push(record);
      callSeq = seq;
      pending = await this.send("NODE_ANSWER", { call: callSeq, ok: value ? 1 : 0, value: value ?? new Uint8Array(0) });
      seq = pending.seq;
    }
  }

  /**
   * Checks an invocation's SYSCALL reports against its terminal report's
   * count. A link that reorders frames may deliver a report after the
   * terminal one: those are waited for (up to retryMs) and appended. A
   * count that still differs is recorded in syscallsMissing.
   */
  private async complete(answer: Answer, numbers: (number | undefined)[]): Promise<Answer> {
    const t = answer.terminal;
    if (t.name !== "RESULT" && t.name !== "DONE" && t.name !== "FAULT") return answer;
    const count = (): number => answer.reports.filter((r) => r.name === "SYSCALL").length;
    const deadline = Date.now() + this.retryMs;
    while (count() < t.fields.syscalls && Date.now() < deadline) {
      const late = await this.nextReport((s) => numbers.includes(s), true, "late reports", undefined, deadline).catch(() => undefined);
      if (!late) break;
      if (late.message.name === "SYSCALL") answer.reports.push(late.message);
    }
    if (count() !== t.fields.syscalls) {
      answer.syscallsMissing = t.fields.syscalls - count();
      this.options.onDropped?.(`${t.name} counts ${t.fields.syscalls} SYSCALL reports, ${count()} arrived`);
    }
    return answer;
  }

  /**
   * Serves an invocation the device raised, from its first report on: its
   * reports carry sequence number 0, or after a node call the number of our
   * NODE_ANSWER (the device answers it as any request). Node calls are answered
   * as in a request's invocation; the whole goes to onDeviceEvent at the end.
   * Frames of other numbers stay queued for the request that waits.
   */
  private async serveRaised(start: Message): Promise<void> {
    const numbers = new Set([UNSOLICITED_SEQ]);
    const reports: Message[] = [];
    const nodeCalls: NodeCallRecord[] = [];
    /** The last NODE_ANSWER sent and whether a report with its number came since. */
    let answered: { seq: number; name: string; confirmed: boolean } | undefined;
    let next: { message: Message; seq: number } | undefined = { message: start, seq: UNSOLICITED_SEQ };
    if (start.name !== "EVENT_RAISED") this.options.onDropped?.(`${start.name} report of a raised event whose EVENT_RAISED was not seen`);
    else next = undefined;
    for (;;) {
      const report = next ?? (await this.nextReport((s) => numbers.has(s), true, "the device's raised event"));
      next = undefined;
      const message = report.message;
      if (answered && report.seq === answered.seq) answered.confirmed = true;
      if (message.name === "ERROR") {
        // The device refused our answer (and waits on, or has given up): the call failed.
        this.options.onDropped?.(`device refused the answer to node call ${answered?.name ?? "?"}: ${describeError(message.fields)}`);
        if (nodeCalls.length > 0) nodeCalls[nodeCalls.length - 1]!.answer = undefined;
        continue;
      }
      if (messageSpec(message.name).terminal) {
        if (answered && !answered.confirmed) this.unconfirmed = { seq: answered.seq, name: answered.name };
        if (start.name === "EVENT_RAISED") {
          try {
            this.options.onDeviceEvent?.({ event: start.fields.event, args: start.fields.args, reports, terminal: message, nodeCalls });
          } catch (e) {
            this.options.onDropped?.(`onDeviceEvent failed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        return;
      }
      reports.push(message);
      if (message.name !== "NODE_CALL") continue;
      const { record, value } = await this.answerNodeCall(message.fields);
      nodeCalls.push(record);
      const { seq } = await this.send("NODE_ANSWER", { call: report.seq, ok: value ? 1 : 0, value: value ?? new Uint8Array(0) });
      numbers.add(seq);
      answered = { seq, name: record.name, confirmed: false };
    }
  }

  /** While no request is in flight: reads the link and serves the invocations the device raises. */
  private async serveIdle(): Promise<void> {
    while (this.serving) {
      if (this.owner) {
        await this.owner;
        continue;
      }
      const at = this.frames.findIndex((f) => f.seq === UNSOLICITED_SEQ);
      for (const frame of this.frames.splice(0, at < 0 ? this.frames.length : at)) this.stale(frame, "no request");
      try {
        if (at < 0) await this.readMore(IDLE_READ_MS);
        else await this.exclusive(async () => this.serveRaised((await this.nextReport((s) => s === UNSOLICITED_SEQ, true, "the device's raised event")).message));
      } catch (e) {
        // A failed link fails the next request too; a garbled or unfinished raised invocation is only reported.
        if (e instanceof BoardEmulationError) return;
        this.options.onDropped?.(e instanceof Error ? e.message : String(e));
      }
    }
  }

  /** A frame nobody waits for: an answer to an earlier request, or the device's refusal of an answer it no longer waited for. */
  private stale(frame: Frame, waiting: string): void {
    const late = this.unconfirmed;
    if (late && frame.seq === late.seq && frame.type === messageSpec("ERROR").id) {
      this.unconfirmed = undefined;
      this.options.onDropped?.(`the device gave up on node call ${late.name} of a raised event before the answer came`);
      return;
    }
    this.options.onDropped?.(`report with sequence ${frame.seq} while waiting for ${waiting}`);
  }

  /** Writes one request frame with the next sequence number; returns it, to be sent again if need be. */
  private async send<N extends MessageName>(name: N, fields: PayloadOf<N>): Promise<Pending> {
    this.seq = this.seq >= 0xff ? 1 : this.seq + 1; // 0 is the device's own (unsolicited) reports
    const seq = this.seq;
    if (this.unconfirmed?.seq === seq) this.unconfirmed = undefined; // the number is reused: a refusal with it is no longer about that answer
    const frame = { flags: 0, seq, type: messageSpec(name).id, payload: encodePayload(name, fields) };
    const wire = (): Uint8Array => encodeFrame(this.seal(name, frame));
    await this.transport.write(wire());
    return { seq, wire, tries: 0 };
  }

  /** Sealed link: every request but HELLO goes out sealed with the next counter (a retry too: a new frame, a new counter). */
  private seal(name: MessageName, frame: Omit<Frame, "version">): Omit<Frame, "version"> {
    const key = this.key;
    if (!key || name === "HELLO") return frame;
    if (this.txCounter === undefined) throw new LinkError(`${name} on a sealed link before HELLO (the device's counter floor is not known)`, "link");
    if (this.txCounter >= MAX_COUNTER) throw new LinkError("the link key's counters are used up: provision a new key (alkyvm keys new)", "link");
    return sealFrame(frame, key, Direction.NodeToDevice, this.txCounter++);
  }

  /** A frame from the device, opened if the link is sealed; undefined (and reported) for one to refuse. */
  private unseal(frame: Frame): Frame | undefined {
    const key = this.key;
    if (!key) {
      if (!(frame.flags & FrameFlag.Sealed)) return frame;
      this.sealedWithoutKey = true; // the request waiting fails at once (nextFrame), naming the cause
      return undefined;
    }
    if (!(frame.flags & FrameFlag.Sealed)) {
      if (frame.type === messageSpec("HELLO_REPLY").id) {
        this.plainHello = true;
        return frame;
      }
      this.options.onDropped?.(`unsealed ${messageById(frame.type)?.name ?? `type 0x${frame.type.toString(16)}`} report refused (the link is sealed)`);
      return undefined;
    }
    const opened = openFrame(frame, key, Direction.DeviceToNode);
    if (!opened.ok) {
      this.options.onDropped?.(opened.reason);
      return undefined;
    }
    if (this.rxCounter !== undefined && opened.counter <= this.rxCounter) {
      this.options.onDropped?.(`replayed report refused (counter ${opened.counter}, last taken ${this.rxCounter})`);
      return undefined;
    }
    this.rxCounter = opened.counter;
    if (opened.frame.type === messageSpec("HELLO_REPLY").id) this.plainHello = false;
    return opened.frame;
  }

  /** Asks onNodeCall; the value bytes to send (undefined: failed). */
  private async answerNodeCall(fields: PayloadOf<"NODE_CALL">): Promise<{ record: NodeCallRecord; value: Uint8Array | undefined }> {
    const imp = this.image?.imports[fields.import];
    if (!imp || imp.kind !== ImportKind.NodeCall) {
      this.options.onDropped?.(`node call of import ${fields.import}, which the app ${this.image ? "does not declare as a node call" : "is not known"}: answered failed`);
      return { record: { importIndex: fields.import, name: imp?.name ?? `import ${fields.import}`, args: [], answer: undefined }, value: undefined };
    }
    const decoded = decodeArgs(imp.params, fields.args);
    if (!decoded.ok) throw new LinkError(`device sent malformed arguments for node call ${imp.name}: ${decoded.reason}`, "link");
    const call: NodeCall = { importIndex: fields.import, name: imp.name, args: decoded.args };
    let answer: Raw | undefined;
    try {
      answer = this.options.onNodeCall ? await this.options.onNodeCall(call) : undefined;
    } catch {
      answer = undefined;
    }
    if (answer === undefined) return { record: { ...call, answer }, value: undefined };
    return { record: { ...call, answer }, value: imp.result ? encodeArgs([imp.result], [answer]) : new Uint8Array(0) };
  }

  private async expect<N extends MessageName, R extends MessageName>(name: N, fields: PayloadOf<N>, want: R): Promise<PayloadOf<R>> {
    const answer = await this.exchange(name, fields);
    return this.refuseUnless(answer, want);
  }

  private refuseUnless<R extends MessageName>(answer: Answer, want: R): PayloadOf<R> {
    const t = answer.terminal;
    if (t.name === want) return t.fields as PayloadOf<R>;
    if (t.name === "ERROR") throw new LinkError(`device refused the request: ${describeError(t.fields)}`, codeName(ERROR_CODES, t.fields.code));
    throw new LinkError(`device answered ${t.name} where ${want} was expected`, "link");
  }

  /**
   * The next whole report (MORE frames joined) whose sequence number is
   * `wanted`. Frames of other numbers are dropped as stale, or with
   * `keepOthers` left queued for the request that waits for them.
   */
  private async nextReport(
    wanted: (seq: number) => boolean,
    keepOthers: boolean,
    request: string,
    pending?: Pending,
    until?: number,
  ): Promise<{ message: Message; seq: number }> {
    for (;;) {
      let type: number | undefined;
      let got: number | undefined;
      const parts: Uint8Array[] = [];
      for (;;) {
        const frame = await this.nextFrame(got === undefined ? wanted : (s) => s === got, keepOthers, request, pending, until);
        if (type !== undefined && frame.type !== type) {
          // The rest of a multi-frame report was lost: start over with this frame.
          this.options.onDropped?.(`multi-frame report of type ${type} cut short by type ${frame.type}`);
          parts.length = 0;
        }
        type = frame.type;
        got = frame.seq;
        parts.push(frame.payload);
        if (!(frame.flags & FrameFlag.More)) break;
      }
      const payload = Buffer.concat(parts);
      const decoded = decodePayload(type, payload);
      if (!decoded.ok) {
        // Parts lost or repeated on the way: the report is dropped (an invocation's count of SYSCALL reports shows it).
        this.options.onDropped?.(`device sent a malformed report: ${decoded.reason}`);
        continue;
      }
      if (messageSpec(decoded.message.name).from !== "device") throw new LinkError(`device sent a request type ${messageById(type)?.name}`, "link");
      return { message: decoded.message, seq: got };
    }
  }

  /**
   * The next frame `wanted`. While none comes, the pending request is sent
   * again every retryMs (its number unchanged), up to `retries` times; then
   * the wait is timeoutMs. `until` ends the wait at a fixed time instead.
   */
  private async nextFrame(wanted: (seq: number) => boolean, keepOthers: boolean, request: string, pending?: Pending, until?: number): Promise<Frame> {
    const patience = (): number => (pending && pending.tries < this.retries ? this.retryMs : this.timeoutMs);
    let deadline = until ?? Date.now() + patience();
    for (;;) {
      const at = this.frames.findIndex((f) => wanted(f.seq));
      if (!keepOthers) for (const frame of this.frames.splice(0, at < 0 ? this.frames.length : at)) this.stale(frame, request);
      if (at >= 0) return this.frames.splice(keepOthers ? at : 0, 1)[0]!;
      if (this.sealedWithoutKey) throw new LinkError("the device seals its link: give its link key (--key, or the devices file's key)", "sealed");
      const left = deadline - Date.now();
      if (left <= 0) {
        if (until !== undefined) throw new LinkError(`no ${request} in time`, "link");
        if (!pending || pending.tries >= this.retries) {
          const tries = pending ? ` after ${pending.tries + 1} tries (it may or may not have run on the device)` : "";
          throw new LinkError(`no answer to ${request}${tries} within ${this.timeoutMs} ms`, "link");
        }
        pending.tries++;
        this.resent++;
        await this.transport.write(pending.wire());
        deadline = Date.now() + patience();
        continue;
      }
      await this.readMore(left);
    }
  }

  /** Waits up to maxWaitMs for the next bytes (joining the read in progress, if any) and queues the frames they complete. */
  private async readMore(maxWaitMs: number): Promise<void> {
    if (!this.reading) {
      const read = this.transport
        .read(maxWaitMs)
        .then((bytes) => {
          for (const event of this.reader.push(bytes)) {
            if (event.kind === "frame") {
              if (!(event.frame.flags & FrameFlag.FromDevice)) continue;
              const frame = this.unseal(event.frame);
              if (frame) this.frames.push(frame);
            } else this.options.onDropped?.(event.reason);
          }
        })
        .finally(() => {
          this.reading = undefined;
        });
      read.catch(() => {}); // whoever waits on it sees the failure; nobody may be waiting any more
      this.reading = read;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.reading, new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
    } finally {
      clearTimeout(timer);
    }
  }
}
