// The devices file (docs/aryl.md §6): which devices a node serves, how to
// reach each one, which profile it offers and where its link key is kept.
// Every mistake is one line naming the file and the entry; a key's value is
// read from where the file points and never appears in a message.

import { dirname } from "node:path";
import { parseTcpSpec } from "../compiler/engines/tcp.js";
import { parseJson, readTextFile } from "../compiler/input-text.js";
import { profileByName, PROFILES, type Profile } from "../compiler/profiles/profiles.js";
import { parseSerialSpec, type SerialSpec } from "../compiler/run/serial-backend.js";
import { resolveKeyRef } from "./key-ref.js";

/** Boards the node can emulate itself (`emulated:<board>`). */
export const EMULATED_BOARDS = [
  { name: "uno", doc: "the Arduino Uno firmware under simavr" },
  { name: "native", doc: "the C VM built for this host, as a child process over pipes" },
] as const;

export type EmulatedBoard = (typeof EMULATED_BOARDS)[number]["name"];

export type DeviceTransport =
  | { kind: "serial"; serial: SerialSpec }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "emulated"; board: EmulatedBoard };

export interface DeviceEntry {
  name: string;
  transport: DeviceTransport;
  /** The transport as written, for messages. */
  transportText: string;
  profile: Profile;
  /** Where the key is kept (`env:NAME` or `file:PATH`), for messages. */
  keyRef: string;
  /** The 32-byte link key. */
  key: Uint8Array;
  /** Names the Aryl script can address the device by, besides its own and its profile's. */
  groups: string[];
  /** `"link": "plain"`: serve the board over an unsealed link if its firmware has no key (a LaunchPad, development). */
  plainAllowed: boolean;
}

export type DevicesParsed = { ok: true; devices: DeviceEntry[] } | { ok: false; message: string };

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;
const KNOWN_FIELDS = ["name", "transport", "profile", "key", "groups", "link"];

class EntryError extends Error {}

export function parseTransport(text: string): DeviceTransport | undefined {
  if (text.startsWith("serial:")) {
    const serial = parseSerialSpec(text.slice("serial:".length));
    return serial && { kind: "serial", serial };
  }
  if (text.startsWith("tcp:")) {
    const tcp = parseTcpSpec(text.slice("tcp:".length));
    return tcp && { kind: "tcp", host: tcp.host, port: tcp.port };
  }
  const board = EMULATED_BOARDS.find((b) => text === `emulated:${b.name}`);
  return board && { kind: "emulated", board: board.name };
}

function parseEntry(raw: unknown, baseDir: string, env: NodeJS.ProcessEnv): DeviceEntry {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new EntryError("must be an object");
  const o = raw as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !KNOWN_FIELDS.includes(k));
  if (unknown !== undefined) throw new EntryError(`unknown field '${unknown}' (fields: ${KNOWN_FIELDS.join(", ")})`);
  for (const field of ["name", "transport", "profile", "key"]) {
    if (o[field] === undefined) throw new EntryError(`missing '${field}'`);
    if (typeof o[field] !== "string") throw new EntryError(`'${field}' must be a string`);
  }
  const name = o["name"] as string;
  if (!NAME.test(name)) throw new EntryError(`name '${name}' must start with a letter and use only letters, digits, '_', '.', '-' (at most 63)`);
  const transportText = o["transport"] as string;
  const transport = parseTransport(transportText);
  if (!transport)
    throw new EntryError(
      `transport '${transportText}' must be serial:<path>[@baud], tcp:<host>:<port> or ${EMULATED_BOARDS.map((b) => `emulated:${b.name}`).join(" or ")}`,
    );
  const profile = profileByName(o["profile"] as string);
  if (!profile) throw new EntryError(`unknown profile '${o["profile"] as string}' (known: ${PROFILES.map((p) => p.name).join(", ")})`);
  const groups = o["groups"] ?? [];
  if (!Array.isArray(groups) || groups.some((g) => typeof g !== "string" || !NAME.test(g))) throw new EntryError("'groups' must be a list of names");
  const link = o["link"] ?? "sealed";
  if (link !== "sealed" && link !== "plain") throw new EntryError(`'link' must be "sealed" (the default) or "plain"`);
  if (link === "plain" && transport.kind === "emulated") throw new EntryError(`'link' "plain" is for real boards; an emulated board is always built with its key`);
  const keyRef = o["key"] as string;
  const key = resolveKeyRef(keyRef, baseDir, env);
  if (!key.ok) throw new EntryError(key.message);
  return { name, transport, transportText, profile, keyRef, key: key.key, groups: groups as string[], plainAllowed: link === "plain" };
}

/** Parses a devices file's text; `path` names it in messages and anchors relative key files. */
export function parseDevicesFile(text: string, path: string, env: NodeJS.ProcessEnv = process.env): DevicesParsed {
  const parsed = parseJson(text, path);
  if (!parsed.ok) return parsed;
  const json = parsed.value;
  const list = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>)["devices"] : undefined;
  if (!Array.isArray(list)) return { ok: false, message: `${path}: must be an object with a "devices" list` };
  if (list.length === 0) return { ok: false, message: `${path}: the "devices" list is empty` };
  const devices: DeviceEntry[] = [];
  for (let i = 0; i < list.length; i++) {
    const raw = list[i] as Record<string, unknown> | undefined;
    const label = typeof raw?.["name"] === "string" ? `device ${i + 1} ('${raw["name"]}')` : `device ${i + 1}`;
    try {
      const entry = parseEntry(raw, dirname(path), env);
      if (devices.some((d) => d.name === entry.name)) throw new EntryError(`name '${entry.name}' is used twice`);
      const clash = devices.find((d) => transportsClash(d, entry));
      if (clash) throw new EntryError(`transport '${entry.transportText}' is also device '${clash.name}''s`);
      devices.push(entry);
    } catch (e) {
      if (e instanceof EntryError) return { ok: false, message: `${path}: ${label}: ${e.message}` };
      throw e;
    }
  }
  return { ok: true, devices };
}

/** Two entries cannot share a port or a serial device (emulated boards are separate processes). */
function transportsClash(a: DeviceEntry, b: DeviceEntry): boolean {
  if (a.transport.kind === "emulated" || b.transport.kind === "emulated") return false;
  if (a.transport.kind === "serial" && b.transport.kind === "serial") return a.transport.serial.path === b.transport.serial.path;
  return a.transportText === b.transportText;
}

export function readDevicesFile(path: string, env: NodeJS.ProcessEnv = process.env): DevicesParsed {
  const text = readTextFile(path);
  return text.ok ? parseDevicesFile(text.value, path, env) : text;
}
