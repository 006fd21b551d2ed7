// The host end of the link protocol (docs/link.md): requests out, reports in,
// over any ByteTransport (a pipe to the host VM, a simulated UART, the MSP430
// mailbox, a serial port). Stop-and-wait: one request at a time, and its
// answer is every report with its sequence number up to the terminal one.

import type { ByteTransport } from "../engines/transport.js";
import { decodeImage, ImportKind, type Image } from "../ir/image.js";
import type { Raw, RawArg } from "../vm/effects.js";
import { decodeArgs, encodeArgs } from "./args.js";
import { encodeFrame, FrameFlag, FrameReader, MAX_PAYLOAD, type Frame } from "./frame.js";
import {
  codeName,
  decodePayload,
  encodePayload,
  ERROR_CODES,
  fixedPayloadBytes,
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
    /** ERROR.code name ("verify", "refused", ...), or "link" when no valid answer came. */
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
}

export type HelloReply = PayloadOf<"HELLO_REPLY">;

/** The device's answer to one request: its reports in order, the terminal one last. */
export interface Answer {
  /** Every non-terminal report (SYSCALL, NODE_CALL) in order. */
  reports: Message[];
  terminal: Message;
  /** One record per NODE_CALL in reports, in order. */
  nodeCalls: NodeCallRecord[];
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
  if (code === "sequence") return `sequence: ${doc} (expected offset ${fields.offset})`;
  if (code === "argument") return `argument: parameter ${fields.offset + 1}: ${doc}`;
  return `${code}: ${doc}`;
}

export class LinkClient {
  private readonly reader = new FrameReader();
  private readonly frames: Frame[] = [];
  private seq = 0;
  private readonly timeoutMs: number;
  /** Largest request payload the device takes; the protocol minimum until HELLO says more. */
  private maxPayload = MAX_PAYLOAD;
  private image: Image | undefined;

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: LinkClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.image = options.image;
  }

  /** Tells the client which app the device runs (node calls are decoded by its imports); load() does this itself. */
  setImage(image: Image): void {
    this.image = image;
  }

  /** HELLO: who the device is and what it runs; also learns its largest payload. */
  async hello(): Promise<HelloReply> {
    const reply = await this.expect("HELLO", {}, "HELLO_REPLY");
    this.maxPayload = reply.maxPayload;
    return reply;
  }

  /** Loads and commits an image in chunks; throws LinkError if the device refuses it. */
  async load(image: Uint8Array): Promise<void> {
    const trailer = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const crc = image.length >= 4 ? trailer.getUint32(image.length - 4, true) : 0;
    await this.expect("LOAD_BEGIN", { length: image.length, crc }, "ACK");
    const chunk = this.maxPayload - fixedPayloadBytes(messageSpec("LOAD_CHUNK"));
    for (let offset = 0; offset < image.length; offset += chunk) {
      await this.expect("LOAD_CHUNK", { offset, data: image.subarray(offset, offset + chunk) }, "ACK");
    }
    await this.expect("LOAD_COMMIT", {}, "ACK");
    const decoded = decodeImage(image);
    if (decoded.ok) this.image = decoded.value.image;
  }

  async setTime(seconds: number): Promise<void> {
    await this.expect("SET_TIME", { seconds: seconds >>> 0 }, "ACK");
  }

  async reset(): Promise<void> {
    await this.expect("RESET", {}, "ACK");
  }

  /**
   * CALL or EVENT with an argument stream of any length: what does not fit the
   * first frame follows in ARGS frames, each acknowledged. Returns the answer
   * to the frame that completed the stream (SYSCALLs, then RESULT/DONE/FAULT).
   */
  async invoke(kind: "CALL" | "EVENT", target: number, fuel: number, args: Uint8Array): Promise<Answer> {
    const first = this.maxPayload - fixedPayloadBytes(messageSpec(kind));
    let answer =
      kind === "CALL"
        ? await this.request("CALL", { function: target, fuel, args: args.subarray(0, first) })
        : await this.request("EVENT", { event: target, fuel, args: args.subarray(0, first) });
    const more = this.maxPayload - fixedPayloadBytes(messageSpec("ARGS"));
    for (let at = first; at < args.length; at += more) {
      this.refuseUnless(answer, "ACK");
      answer = await this.request("ARGS", { args: args.subarray(at, at + more) });
    }
    return answer;
  }

  /**
   * Sends one request and collects its answer. An ERROR answer is returned, not
   * thrown. A NODE_CALL report is answered (onNodeCall) with NODE_ANSWER, a
   * request of its own whose sequence number the rest of the answer carries.
   */
  async request<N extends MessageName>(name: N, fields: PayloadOf<N>): Promise<Answer> {
    let seq = await this.send(name, fields);
    const reports: Message[] = [];
    const nodeCalls: NodeCallRecord[] = [];
    /** The NODE_CALL last answered, and the device's end of the invocation if it gave up waiting for that answer. */
    let callSeq: number | undefined;
    let gaveUp: Message | undefined;
    for (;;) {
      const report = await this.nextReport(seq, callSeq, name);
      const message = report.message;
      const terminal = messageSpec(message.name).terminal;
      if (report.seq !== seq) {
        // The device timed out before our answer arrived; it refuses the late answer next.
        if (terminal) gaveUp = message;
        continue;
      }
      if (terminal) {
        if (gaveUp && message.name === "ERROR") {
          nodeCalls[nodeCalls.length - 1]!.answer = undefined;
          return { reports, terminal: gaveUp, nodeCalls };
        }
        return { reports, terminal: message, nodeCalls };
      }
      reports.push(message);
      if (message.name !== "NODE_CALL") continue;
      const { record, value } = await this.answerNodeCall(message.fields);
      nodeCalls.push(record);
      callSeq = seq;
      seq = await this.send("NODE_ANSWER", { call: callSeq, ok: value ? 1 : 0, value: value ?? new Uint8Array(0) });
    }
  }

  /** Writes one request frame with the next sequence number; returns the number. */
  private async send<N extends MessageName>(name: N, fields: PayloadOf<N>): Promise<number> {
    this.seq = this.seq === 0xff ? 1 : this.seq + 1; // 0 is the device's own (unsolicited) reports
    const seq = this.seq;
    await this.transport.write(encodeFrame({ flags: 0, seq, type: messageSpec(name).id, payload: encodePayload(name, fields) }));
    return seq;
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
    const answer = await this.request(name, fields);
    return this.refuseUnless(answer, want);
  }

  private refuseUnless<R extends MessageName>(answer: Answer, want: R): PayloadOf<R> {
    const t = answer.terminal;
    if (t.name === want) return t.fields as PayloadOf<R>;
    if (t.name === "ERROR") throw new LinkError(`device refused the request: ${describeError(t.fields)}`, codeName(ERROR_CODES, t.fields.code));
    throw new LinkError(`device answered ${t.name} where ${want} was expected`, "link");
  }

  /** The next whole report (MORE frames joined) with sequence number `seq` (or `also`, the node call last answered). */
  private async nextReport(seq: number, also: number | undefined, request: string): Promise<{ message: Message; seq: number }> {
    let type: number | undefined;
    let got: number | undefined;
    const parts: Uint8Array[] = [];
    for (;;) {
      const frame = await this.nextFrame(request);
      const wanted = got === undefined ? frame.seq === seq || (also !== undefined && frame.seq === also) : frame.seq === got;
      if (!wanted) {
        // Reports the device raised by itself (seq 0) are not part of this answer;
        // anything else is a stale answer to an earlier request.
        if (frame.seq !== UNSOLICITED_SEQ) this.options.onDropped?.(`report with sequence ${frame.seq} while waiting for ${seq}`);
        continue;
      }
      if (type !== undefined && frame.type !== type) throw new LinkError(`device interleaved report types in a multi-frame report`, "link");
      type = frame.type;
      got = frame.seq;
      parts.push(frame.payload);
      if (!(frame.flags & FrameFlag.More)) break;
    }
    const payload = Buffer.concat(parts);
    const decoded = decodePayload(type, payload);
    if (!decoded.ok) throw new LinkError(`device sent a malformed report: ${decoded.reason}`, "link");
    if (messageSpec(decoded.message.name).from !== "device") throw new LinkError(`device sent a request type ${messageById(type)?.name}`, "link");
    return { message: decoded.message, seq: got! };
  }

  private async nextFrame(request: string): Promise<Frame> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const queued = this.frames.shift();
      if (queued) return queued;
      const left = deadline - Date.now();
      if (left <= 0) throw new LinkError(`no answer to ${request} within ${this.timeoutMs} ms`, "link");
      const bytes = await this.transport.read(left);
      for (const event of this.reader.push(bytes)) {
        if (event.kind === "frame") {
          if (event.frame.flags & FrameFlag.FromDevice) this.frames.push(event.frame);
        } else this.options.onDropped?.(event.reason);
      }
    }
  }
}
