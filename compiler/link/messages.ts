// The one definition of the link protocol's messages (docs/link.md §3): their
// type bytes, payload layouts and the codes they carry. The TypeScript codec
// below and the C header vm-c/generated/alky_link_ids.h (rendered by
// compiler/link/c-header.ts through `npm run gen`) both come from these
// tables, so no id or offset is written twice.
//
// Payloads are little-endian fixed fields in order, optionally followed by one
// variable-length field ("rest") that runs to the end of the payload.

export type FieldType = "u8" | "u16" | "u32" | "rest";

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly doc: string;
}

export interface MessageSpec {
  readonly name: string;
  readonly id: number;
  /** Who sends it: requests come from the host, reports from the device. */
  readonly from: "host" | "device";
  /** A report that ends the device's answer to a request. */
  readonly terminal: boolean;
  readonly fields: readonly FieldSpec[];
  readonly doc: string;
}

export const MESSAGES = [
  // ---- requests (host -> device)
  { name: "HELLO", id: 0x01, from: "host", terminal: false, fields: [], doc: "who are you; also clears the device's duplicate filter (a session starts with it)" },
  { name: "RESET", id: 0x02, from: "host", terminal: false, fields: [], doc: "device reset: memory re-initialised from the app's data, app and storage kept" },
  { name: "SET_TIME", id: 0x03, from: "host", terminal: false, fields: [{ name: "seconds", type: "u32", doc: "seconds since the Unix epoch" }], doc: "set the clock that clock syscalls return" },
  {
    name: "LOAD_BEGIN",
    id: 0x10,
    from: "host",
    terminal: false,
    fields: [
      { name: "length", type: "u16", doc: "image bytes" },
      { name: "crc", type: "u32", doc: "the image's CRC-32 trailer (with the length: the app hash)" },
    ],
    doc: "start loading an image into the free slot",
  },
  {
    name: "LOAD_CHUNK",
    id: 0x11,
    from: "host",
    terminal: false,
    fields: [
      { name: "offset", type: "u16", doc: "where the bytes go; must be where the previous chunk ended" },
      { name: "data", type: "rest", doc: "image bytes" },
    ],
    doc: "the next bytes of the image",
  },
  { name: "LOAD_COMMIT", id: 0x12, from: "host", terminal: false, fields: [], doc: "check and verify the loaded image; install it if accepted (storage cleared, memory initialised)" },
  {
    name: "CALL",
    id: 0x20,
    from: "host",
    terminal: false,
    fields: [
      { name: "function", type: "u8", doc: "index of a public function" },
      { name: "fuel", type: "u32", doc: "instruction budget of the invocation" },
      { name: "args", type: "rest", doc: "argument stream (docs/link.md §3.3), possibly continued by ARGS" },
    ],
    doc: "call a public function",
  },
  {
    name: "EVENT",
    id: 0x21,
    from: "host",
    terminal: false,
    fields: [
      { name: "event", type: "u8", doc: "profile event id" },
      { name: "fuel", type: "u32", doc: "instruction budget of the invocation" },
      { name: "args", type: "rest", doc: "argument stream, possibly continued by ARGS" },
    ],
    doc: "inject a device event as if a driver had raised it (tests, simulations)",
  },
  { name: "ARGS", id: 0x22, from: "host", terminal: false, fields: [{ name: "args", type: "rest", doc: "the next bytes of the argument stream" }], doc: "continue the argument stream of the CALL or EVENT in progress" },
  {
    name: "NODE_ANSWER",
    id: 0x23,
    from: "host",
    terminal: false,
    fields: [
      { name: "call", type: "u8", doc: "sequence number of the NODE_CALL answered" },
      { name: "ok", type: "u8", doc: "1: answered with value; 0: failed (the call traps at once)" },
      { name: "value", type: "rest", doc: "the result, little-endian, at the import's result width (empty for a void import or a failure)" },
    ],
    doc: "the node's answer to a NODE_CALL; the invocation's reports continue with this request's sequence number",
  },
  // ---- reports (device -> host)
  {
    name: "HELLO_REPLY",
    id: 0x40,
    from: "device",
    terminal: true,
    fields: [
      { name: "linkVersion", type: "u8", doc: "link protocol version (1)" },
      { name: "imageVersion", type: "u8", doc: "image container version the VM runs (1)" },
      { name: "vmVersion", type: "u16", doc: "version of the device's VM firmware" },
      { name: "board", type: "u8", doc: "board id (BOARDS)" },
      { name: "linkFeatures", type: "u8", doc: "link features (LINK_FEATURES)" },
      { name: "vmFeatures", type: "u8", doc: "image feature bits the VM supports (docs/ir.md §6)" },
      { name: "maxPayload", type: "u8", doc: "largest payload the device accepts in one frame" },
      { name: "profile", type: "u16", doc: "device profile id (0: any)" },
      { name: "memorySize", type: "u16", doc: "bytes of app memory" },
      { name: "stackSize", type: "u16", doc: "bytes of VM call stack" },
      { name: "maxImage", type: "u16", doc: "largest image the app store holds" },
      { name: "appLength", type: "u16", doc: "length of the installed image, 0 if none" },
      { name: "appCrc", type: "u32", doc: "CRC-32 trailer of the installed image" },
      { name: "droppedFrames", type: "u16", doc: "frames dropped since power-on (bad COBS or CRC, too long; on a sealed link also unsealed, forged and replayed frames)" },
      { name: "rxFloor", type: "u32", doc: "sealed link: the highest node counter accepted; the node's next sealed frame must carry a greater one (0 without a key)" },
    ],
    doc: "the device announces itself",
  },
  { name: "ACK", id: 0x41, from: "device", terminal: true, fields: [], doc: "the request was carried out (for CALL/EVENT/ARGS: the argument stream needs more bytes)" },
  {
    name: "ERROR",
    id: 0x42,
    from: "device",
    terminal: true,
    fields: [
      { name: "code", type: "u8", doc: "what went wrong (ERROR_CODES)" },
      { name: "detail", type: "u8", doc: "verify: rule code (VERIFY_RULES); refused: reason (REFUSALS); else 0" },
      { name: "offset", type: "u16", doc: "verify: image offset; sequence: the offset expected; argument: parameter index; else 0" },
    ],
    doc: "the request was refused; nothing ran",
  },
  {
    name: "SYSCALL",
    id: 0x48,
    from: "device",
    terminal: false,
    fields: [
      { name: "import", type: "u8", doc: "import index" },
      { name: "args", type: "rest", doc: "argument stream of the import's parameters" },
    ],
    doc: "the running invocation made a syscall (may span frames: MORE flag)",
  },
  {
    name: "NODE_CALL",
    id: 0x4d,
    from: "device",
    terminal: false,
    fields: [
      { name: "import", type: "u8", doc: "import index (an import of kind nodecall)" },
      { name: "args", type: "rest", doc: "argument stream of the import's parameters" },
    ],
    doc: "the running invocation calls the node (NCALL) and waits for NODE_ANSWER (may span frames: MORE flag)",
  },
  {
    name: "RESULT",
    id: 0x49,
    from: "device",
    terminal: true,
    fields: [
      { name: "syscalls", type: "u16", doc: "SYSCALL reports sent by the invocation" },
      { name: "value", type: "rest", doc: "the result, little-endian, at its width" },
    ],
    doc: "the invocation returned a value",
  },
  { name: "DONE", id: 0x4a, from: "device", terminal: true, fields: [{ name: "syscalls", type: "u16", doc: "SYSCALL reports sent by the invocation" }], doc: "the invocation ended without a value (void return or STOP, or no handler for the event)" },
  {
    name: "FAULT",
    id: 0x4b,
    from: "device",
    terminal: true,
    fields: [
      { name: "syscalls", type: "u16", doc: "SYSCALL reports sent by the invocation" },
      { name: "kind", type: "u8", doc: "fault kind (FAULT_KINDS)" },
      { name: "address", type: "u16", doc: "memory and storage faults: first byte address accessed; else 0" },
    ],
    doc: "the invocation faulted",
  },
  {
    name: "EVENT_RAISED",
    id: 0x4c,
    from: "device",
    terminal: false,
    fields: [
      { name: "event", type: "u8", doc: "profile event id" },
      { name: "args", type: "rest", doc: "argument stream of the event" },
    ],
    doc: "a driver raised an event; its handler's reports follow (sequence number 0)",
  },
] as const satisfies readonly MessageSpec[];

export type MessageName = (typeof MESSAGES)[number]["name"];
type SpecOf<N extends MessageName> = Extract<(typeof MESSAGES)[number], { name: N }>;
type FieldValue<T extends FieldType> = T extends "rest" ? Uint8Array : number;
/** The payload fields of message N: numbers for fixed fields, bytes for the rest field. */
export type PayloadOf<N extends MessageName> = { [F in SpecOf<N>["fields"][number] as F["name"]]: FieldValue<F["type"]> };
/** Any decoded message, narrowed by its name. */
export type Message = { [N in MessageName]: { name: N; fields: PayloadOf<N> } }[MessageName];

const BY_NAME = new Map<string, MessageSpec>(MESSAGES.map((m) => [m.name, m]));
const BY_ID = new Map<number, MessageSpec>(MESSAGES.map((m) => [m.id, m]));

export function messageSpec(name: MessageName): MessageSpec {
  return BY_NAME.get(name)!;
}

export function messageById(id: number): MessageSpec | undefined {
  return BY_ID.get(id);
}

const FIXED_BYTES: Record<Exclude<FieldType, "rest">, number> = { u8: 1, u16: 2, u32: 4 };

/** Bytes of the fixed fields (everything but "rest"). */
export function fixedPayloadBytes(spec: MessageSpec): number {
  return spec.fields.reduce((n, f) => n + (f.type === "rest" ? 0 : FIXED_BYTES[f.type]), 0);
}

/** Offset of each field in the payload (the rest field starts after all fixed ones). */
export function fieldOffsets(spec: MessageSpec): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const f of spec.fields) {
    offsets.push(at);
    if (f.type !== "rest") at += FIXED_BYTES[f.type];
  }
  return offsets;
}

/** The payload bytes of message `name`. */
export function encodePayload<N extends MessageName>(name: N, fields: PayloadOf<N>): Uint8Array {
  const spec = messageSpec(name);
  const values = fields as Record<string, number | Uint8Array>;
  const rest = spec.fields.find((f) => f.type === "rest");
  const restBytes = rest ? (values[rest.name] as Uint8Array) : new Uint8Array(0);
  const out = new Uint8Array(fixedPayloadBytes(spec) + restBytes.length);
  let at = 0;
  for (const f of spec.fields) {
    if (f.type === "rest") continue;
    const v = values[f.name] as number;
    for (let k = 0; k < FIXED_BYTES[f.type]; k++) out[at + k] = Math.floor(v / 2 ** (8 * k)) & 0xff;
    at += FIXED_BYTES[f.type];
  }
  out.set(restBytes, at);
  return out;
}

export type MessageDecoded = { ok: true; message: Message } | { ok: false; reason: string };

/** Decodes a payload by its type byte; refuses unknown types and payloads of the wrong size. */
export function decodePayload(type: number, payload: Uint8Array): MessageDecoded {
  const spec = messageById(type);
  if (!spec) return { ok: false, reason: `unknown message type 0x${type.toString(16).padStart(2, "0")}` };
  const fixed = fixedPayloadBytes(spec);
  const hasRest = spec.fields.some((f) => f.type === "rest");
  if (payload.length < fixed || (!hasRest && payload.length !== fixed))
    return { ok: false, reason: `${spec.name} payload of ${payload.length} bytes, expected ${hasRest ? "at least " : ""}${fixed}` };
  const fields: Record<string, number | Uint8Array> = {};
  let at = 0;
  for (const f of spec.fields) {
    if (f.type === "rest") {
      fields[f.name] = payload.slice(at);
      continue;
    }
    let v = 0;
    for (let k = FIXED_BYTES[f.type] - 1; k >= 0; k--) v = v * 256 + payload[at + k]!;
    fields[f.name] = v;
    at += FIXED_BYTES[f.type];
  }
  return { ok: true, message: { name: spec.name, fields } as Message };
}

// ---------------------------------------------------------------- codes carried by messages

export interface CodeSpec {
  readonly name: string;
  readonly code: number;
  readonly doc: string;
}

/** ERROR.code */
export const ERROR_CODES = [
  { name: "malformed", code: 1, doc: "the payload does not fit the message's layout, or a flag the device does not accept" },
  { name: "unknown-message", code: 2, doc: "no request has this type byte" },
  { name: "unsupported", code: 3, doc: "a frame version or the SEALED flag the device does not support" },
  { name: "no-app", code: 4, doc: "no app is installed" },
  { name: "function", code: 5, doc: "no public function with this index" },
  { name: "argument", code: 6, doc: "an argument does not fit its parameter (offset: parameter index), or the stream has extra bytes" },
  { name: "sequence", code: 7, doc: "a request out of order: LOAD_CHUNK at the wrong offset (offset: the one expected), LOAD_COMMIT before all bytes, LOAD_CHUNK/LOAD_COMMIT/ARGS with nothing in progress, NODE_ANSWER to no waiting node call (offset: the call awaited, if any); detail 1: a request number older than the last one taken (offset: that number; docs/link.md §4.6)" },
  { name: "too-large", code: 8, doc: "LOAD_BEGIN: the image does not fit the app store, or is shorter than a container" },
  { name: "image-crc", code: 9, doc: "LOAD_COMMIT: the bytes received do not have LOAD_BEGIN's CRC-32" },
  { name: "verify", code: 10, doc: "LOAD_COMMIT: the verifier rejected the image (detail: rule, offset: image offset); the installed app is kept" },
  { name: "refused", code: 11, doc: "LOAD_COMMIT: the image is valid but this device cannot run it (detail: reason); the installed app is kept" },
  { name: "store", code: 12, doc: "the app store's medium failed to read or write" },
  { name: "busy", code: 13, doc: "the device waits for a NODE_ANSWER: it takes only HELLO and NODE_ANSWER meanwhile" },
] as const satisfies readonly CodeSpec[];

/** FAULT.kind: the fault kinds of docs/ir.md §3. */
export const FAULT_KINDS = [
  { name: "fuel", code: 1, doc: "instruction budget exhausted" },
  { name: "memory", code: 2, doc: "memory access out of bounds" },
  { name: "storage", code: 3, doc: "storage access out of bounds" },
  { name: "stack", code: 4, doc: "call stack overflow" },
  { name: "trap", code: 5, doc: "INVALID, or a node call without an answer (failed or timed out)" },
] as const satisfies readonly CodeSpec[];

/** ERROR.detail for code "refused". */
export const REFUSALS = [
  { name: "features", code: 1, doc: "the image needs features this device lacks" },
  { name: "memory-size", code: 2, doc: "the image declares more memory than the device has" },
  { name: "storage-size", code: 3, doc: "the image declares more storage than the app store holds" },
  { name: "profile", code: 4, doc: "the image was built for a profile the device does not carry" },
  { name: "verify-limit", code: 5, doc: "a function's operand stack is deeper than the device's verifier can track" },
  { name: "too-large", code: 6, doc: "the image is longer than the VM can address" },
] as const satisfies readonly CodeSpec[];

/**
 * ERROR.detail for code "verify": the rules of docs/ir.md §5-6 in the order
 * of the C core's ALKY_RULE_LIST (vm-c/alky.h), so the wire code is the core's
 * enum value; the generated header makes the C compiler check that they agree.
 */
export const VERIFY_RULES = [
  "none", "header", "magic", "version", "features", "reserved", "size", "crc", "data", "name", "types", "type",
  "function-kind", "function-event", "function-params", "function-frame", "function-code", "string-buffer", "code",
  "import-kind", "import-id", "opcode", "truncated", "push-width", "underflow", "width", "max-stack", "jump-target",
  "jump-stack", "local", "convert", "call", "import", "return", "fallthrough", "unreachable", "feature", "entry", "profile",
] as const;

/** HELLO_REPLY.board */
export const BOARDS = [
  { name: "native", code: 1, doc: "a host build (Linux, macOS; the c backend)" },
  { name: "uno", code: 2, doc: "Arduino Uno (ATmega328P)" },
  { name: "lpmsp430g2553", code: 3, doc: "TI LaunchPad MSP430G2553" },
  { name: "raspberrypi", code: 4, doc: "Raspberry Pi" },
] as const satisfies readonly CodeSpec[];

/** HELLO_REPLY.linkFeatures bits. */
export const LINK_FEATURES = [{ name: "sealed", code: 0x01, doc: "built with a link key: takes only SEALED frames (and plain HELLO), sends only SEALED frames (docs/link.md §2.1)" }] as const satisfies readonly CodeSpec[];

/** Sequence number of reports the device sends on its own (events raised by its drivers). */
export const UNSOLICITED_SEQ = 0;

export function codeName(table: readonly CodeSpec[], code: number): string {
  return table.find((c) => c.code === code)?.name ?? `code ${code}`;
}
