// Renders vm-c/generated/alky_link_ids.h from the message tables
// (compiler/link/messages.ts) through templates/alky_link_ids.h.hbs; a target
// of `npm run gen` (scripts/gen.ts). Every decision is computed here; the
// template only lays the text out.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { FRAME_FLAG_MASK, FRAME_OVERHEAD, FrameFlag, LINK_VERSION, MAX_FRAME_BYTES, MIN_PAYLOAD, SEAL_COUNTER_BYTES, SEAL_TAG_BYTES } from "./frame.js";
import {
  BOARDS,
  ERROR_CODES,
  FAULT_KINDS,
  fieldOffsets,
  fixedPayloadBytes,
  LINK_FEATURES,
  MESSAGES,
  REFUSALS,
  UNSOLICITED_SEQ,
  VERIFY_RULES,
  type CodeSpec,
  type MessageSpec,
} from "./messages.js";

export const LINK_HEADER_FILE = "vm-c/generated/alky_link_ids.h";
const TEMPLATE = "templates/alky_link_ids.h.hbs";

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above compiler/link");
    dir = up;
  }
  return dir;
}

/** `maxPayload` → `MAX_PAYLOAD`, `no-app` → `NO_APP`. */
export function cConstantName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();
}

function hex(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(2, "0")}`;
}

function commentText(s: string): string {
  if (s.includes("*/")) throw new Error(`comment text contains */: ${s}`);
  return s;
}

function codes(table: readonly CodeSpec[]): { upper: string; code: number; hex: string; doc: string }[] {
  return table.map((c) => ({ upper: cConstantName(c.name), code: c.code, hex: hex(c.code), doc: commentText(c.doc) }));
}

function message(m: MessageSpec): object {
  const offsets = fieldOffsets(m);
  return {
    name: m.name,
    from: m.from,
    terminal: m.terminal,
    doc: commentText(m.doc),
    hex: hex(m.id),
    size: fixedPayloadBytes(m),
    fields: m.fields.map((f, i) => ({ upper: cConstantName(f.name), offset: offsets[i], type: f.type, doc: commentText(f.doc) })),
  };
}

/** The text of vm-c/generated/alky_link_ids.h. */
export function renderLinkHeader(): string {
  const template = Handlebars.compile(readFileSync(join(repositoryRoot(), TEMPLATE), "utf8"), { noEscape: true, strict: true });
  const flagDocs: Record<keyof typeof FrameFlag, string> = {
    More: "the message continues in the next frame (device reports)",
    FromDevice: "sent by the device",
    Sealed: "authenticated and encrypted: counter after the header, tag after the payload",
  };
  return template({
    version: LINK_VERSION,
    flags: (Object.keys(FrameFlag) as (keyof typeof FrameFlag)[]).map((k) => ({ upper: cConstantName(k), hex: hex(FrameFlag[k]), doc: flagDocs[k] })),
    flagMask: hex(FRAME_FLAG_MASK),
    frameOverhead: FRAME_OVERHEAD,
    maxFrameBytes: MAX_FRAME_BYTES,
    minPayload: MIN_PAYLOAD,
    sealCounterBytes: SEAL_COUNTER_BYTES,
    sealTagBytes: SEAL_TAG_BYTES,
    unsolicitedSeq: UNSOLICITED_SEQ,
    messages: MESSAGES.map(message),
    errors: codes(ERROR_CODES),
    faults: codes(FAULT_KINDS),
    refusals: codes(REFUSALS),
    boards: codes(BOARDS),
    linkFeatures: codes(LINK_FEATURES),
    rules: VERIFY_RULES.map((r, code) => ({ upper: cConstantName(r), code })),
  });
}
