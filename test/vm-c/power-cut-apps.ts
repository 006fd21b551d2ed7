// What the power-cut tests (power-cut.test.ts on the host device,
// power-cut-uno.test.ts on the emulated Uno) install and how they tell, after
// a cut, which app a device runs: apps of an exact length whose Id() answers
// their own number, with a uint32 in storage.

import { expect } from "vitest";
import { assemble } from "../../compiler/ir/asm.js";
import { ERROR_CODES, type Message } from "../../compiler/link/messages.js";
import { type LinkTester, trailerOf } from "./link-wire.js";

export const FN = { Id: 0, Put: 1, Get: 2 } as const;
const FUEL = 10_000;
const NO_APP = ERROR_CODES.find((c) => c.name === "no-app")!.code;

export interface App {
  name: string;
  id: number;
  image: Uint8Array;
}

/** `bytes` of code that does nothing, different for each id (so an update rewrites most of it): PUSH1 x, POP; then JUMPDESTs. */
function padding(id: number, bytes: number): string {
  const lines: string[] = [];
  for (let i = 0; i + 3 <= bytes; i += 3) lines.push(`    PUSH1 ${(id * 37 + i) & 0xff}`, "    POP");
  for (let i = 0; i < bytes % 3; i++) lines.push("    JUMPDEST");
  return lines.map((l) => `${l}\n`).join("");
}

/** An app whose Id() returns `id`, padded to exactly `length` bytes (a helper function that does nothing, different for each id; the Uno has too little memory to pad with data), with a uint32 in storage (Put/Get). */
export function app(name: string, id: number, length: number): App {
  const build = (pad: number): Uint8Array => {
    const r = assemble(`
.profile test
.memory 4
.storage 4
.func public Id() -> uint32
    MODE32
    PUSH4 ${id}
    RETF
.func public Put(uint32)
    MODE32
    LGET 0
    MODE16
    PUSH2 0
    MODE32
    SSTORE
    RETF
.func public Get() -> uint32
    MODE16
    PUSH2 0
    MODE32
    SLOAD
    RETF
.func helper Pad()
${padding(id, pad)}    RETF
`);
    if (!r.ok) throw new Error(`assembly failed: ${JSON.stringify(r.errors)}`);
    return r.bytes;
  };
  const image = build(length - build(0).length);
  if (image.length !== length) throw new Error(`${name} is ${image.length} bytes, not ${length}`);
  return { name, id, image };
}

export async function call(t: LinkTester, payload: number, fn: number, args = new Uint8Array(0)): Promise<Message> {
  return (await t.invoke("CALL", fn, FUEL, args, payload)).end;
}

export function resultU32(m: Message): number {
  if (m.name !== "RESULT") throw new Error(`expected RESULT, got ${JSON.stringify(m)}`);
  return new DataView(m.fields.value.buffer, m.fields.value.byteOffset).getUint32(0, true);
}

/** What a device runs: "0" (no app), or the name of the app in `apps`, told by HELLO and checked by Id(). */
export async function installed(t: LinkTester, payload: number, apps: readonly App[]): Promise<string> {
  const hello = (await t.request("HELLO", {})).end;
  if (hello.name !== "HELLO_REPLY") throw new Error(`HELLO answered ${hello.name}`);
  const { appLength, appCrc } = hello.fields;
  const id = await call(t, payload, FN.Id);
  if (appLength === 0) {
    expect(appCrc).toBe(0);
    expect(id).toMatchObject({ name: "ERROR", fields: { code: NO_APP } });
    return "0";
  }
  const a = apps.find((x) => x.image.length === appLength && trailerOf(x.image) === appCrc);
  if (!a) throw new Error(`the device reports an app of ${appLength} bytes, CRC ${appCrc.toString(16)}: none of ${apps.map((x) => x.name)}`);
  expect(resultU32(id), `HELLO reports ${a.name}, Id() answers`).toBe(a.id);
  return a.name;
}

/** Outcomes as runs: "A×213 B×65". */
export function runs(outcomes: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < outcomes.length; ) {
    let j = i;
    while (j < outcomes.length && outcomes[j] === outcomes[i]) j++;
    out.push(`${outcomes[i]}×${j - i}`);
    i = j;
  }
  return out.join(" ");
}
