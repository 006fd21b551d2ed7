// One line of text for a link frame, as `alkyvm monitor` prints it:
//   seq 0 EVENT_RAISED event=0 args=31
// fixed fields in decimal (board and fault codes by name), a variable field in
// hex, flags after the name; a frame that does not decode says why.

import type { Frame } from "../link/frame.js";
import { FrameFlag } from "../link/frame.js";
import { BOARDS, codeName, decodePayload, ERROR_CODES, FAULT_KINDS, type CodeSpec } from "../link/messages.js";

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** Fields whose numbers are codes of a table. */
const CODE_FIELDS: Record<string, readonly CodeSpec[]> = { "HELLO_REPLY.board": BOARDS, "ERROR.code": ERROR_CODES, "FAULT.kind": FAULT_KINDS };

export function frameText(frame: Frame): string {
  const flags = [frame.flags & FrameFlag.More ? "more" : "", frame.flags & FrameFlag.Sealed ? "sealed" : ""].filter(Boolean);
  const head = `seq ${frame.seq}`;
  const d = decodePayload(frame.type, frame.payload);
  if (!d.ok) return `${head} type 0x${frame.type.toString(16).padStart(2, "0")} ${hex(frame.payload)} (${d.reason})`;
  const fields = Object.entries(d.message.fields as Record<string, number | Uint8Array>).map(([k, v]) => {
    const table = CODE_FIELDS[`${d.message.name}.${k}`];
    if (v instanceof Uint8Array) return `${k}=${hex(v)}`;
    return `${k}=${table ? codeName(table, v) : v}`;
  });
  return [head, d.message.name, ...flags.map((f) => `[${f}]`), ...fields].join(" ");
}

/** The same frame as a JSON object (numbers as numbers, byte fields as hex). */
export function frameJson(frame: Frame): Record<string, unknown> {
  const d = decodePayload(frame.type, frame.payload);
  if (!d.ok) return { seq: frame.seq, type: frame.type, payload: hex(frame.payload), error: d.reason };
  const fields = Object.fromEntries(Object.entries(d.message.fields as Record<string, number | Uint8Array>).map(([k, v]) => [k, v instanceof Uint8Array ? hex(v) : v]));
  return { seq: frame.seq, message: d.message.name, flags: frame.flags, fields };
}
