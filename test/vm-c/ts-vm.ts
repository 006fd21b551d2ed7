// Runs the host driver's command protocol (see vm-c/host/alky_run.c) on the
// TypeScript reference VM and prints the same lines, so the two can be
// compared line for line.

import { decodeImage, FunctionKind, type Image } from "../../compiler/ir/image.js";
import { ValueKind, widthBytes, type ValueType } from "../../compiler/ir/types.js";
import { verifyImage } from "../../compiler/ir/verify.js";
import type { Raw, RawArg, RawEffect } from "../../compiler/vm/effects.js";
import { ReferenceVm } from "../../compiler/vm/reference.js";
import { profileById, type Profile } from "../../compiler/profiles/profiles.js";
import { hex, type CRunOptions } from "./c-vm.js";

/** Little-endian hex of a raw at a width, as the C driver prints values. */
export function rawHex(v: Raw, t: ValueType): string {
  const n = widthBytes(t.width);
  let x = BigInt.asUintN(8 * n, typeof v === "bigint" ? v : BigInt(v));
  let s = "";
  for (let i = 0; i < n; i++, x >>= 8n) s += Number(x & 0xffn).toString(16).padStart(2, "0");
  return s;
}

/** The raw a little-endian hex argument stands for. */
export function hexRaw(h: string, t: ValueType): Raw {
  const bytes = Buffer.from(h, "hex");
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return t.width <= 2 ? Number(v) : v;
}

function argHex(a: RawArg, t: ValueType): string {
  if (a instanceof Uint8Array) return a.length === 0 ? "-" : hex(a);
  return rawHex(a, t);
}

function resolveProfile(image: Image, option: CRunOptions["profile"]): Profile | undefined {
  if (option === "none") return undefined;
  return profileById(option ?? image.profileId);
}

/** The C driver's output for the same image and commands, computed with verifyImage and ReferenceVm. */
export function runTs(bytes: Uint8Array, commands: readonly string[], options: CRunOptions = {}): string[] {
  const decoded = decodeImage(bytes);
  if (!decoded.ok) return [`verify ${decoded.error.rule} ${decoded.error.offset}`];
  const image = decoded.value.image;
  const profile = resolveProfile(image, options.profile);
  const verified = verifyImage(bytes, profile ? { profile } : {});
  if (!verified.ok) return [`verify ${verified.error.rule} ${verified.error.offset}`];
  let clock = 0;
  const answers: (Raw | undefined)[] = [];
  const clockImports = new Set(
    image.imports.flatMap((imp, i) => (profileById(image.profileId)?.syscalls.find((s) => s.id === imp.id && s.name === imp.name)?.returnsClock ? [i] : [])),
  );
  const vm = new ReferenceVm(image, {
    ...(options.fuel !== undefined ? { fuel: options.fuel } : {}),
    ...(options.stackSize !== undefined ? { stackSize: options.stackSize } : {}),
    syscall: (i) => (clockImports.has(i) ? clock : undefined),
    nodeCall: () => answers.shift(),
  });
  const out: string[] = [];
  const effectLine = (e: RawEffect, fnIndex: number): string => {
    switch (e.kind) {
      case "syscall": {
        const imp = image.imports[e.importIndex]!;
        return ["syscall", String(e.importIndex), ...e.args.map((a, i) => argHex(a, imp.params[i]!))].join(" ");
      }
      case "return":
        return `return ${rawHex(e.value, image.functions[fnIndex]!.result!)}`;
      case "fault":
        return e.address === undefined ? `fault ${e.fault}` : `fault ${e.fault} ${e.address}`;
    }
  };
  for (const line of commands) {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    if (cmd === "call" || cmd === "event") {
      const fnIndex =
        cmd === "call" ? Number(rest[0]) : image.functions.findIndex((f) => f.kind === FunctionKind.Event && f.eventId === Number(rest[0]));
      if (fnIndex < 0) {
        out.push("end"); // an event the app does not handle is dropped
        continue;
      }
      const fn = image.functions[fnIndex]!;
      const args: RawArg[] = rest.slice(1).map((h, i) => {
        const t = fn.locals[i]!;
        if (t.kind === ValueKind.String) return h === "-" ? new Uint8Array(0) : Uint8Array.from(Buffer.from(h, "hex"));
        return hexRaw(h, t);
      });
      for (const e of vm.invoke(fnIndex, args)) out.push(effectLine(e, fnIndex));
      out.push("end");
    } else if (cmd === "reset") {
      vm.reset();
    } else if (cmd === "time") {
      clock = Number(rest[0]);
    } else if (cmd === "answer") {
      answers.push(rest[0] === "none" ? undefined : hexRaw(rest[0]!, { kind: ValueKind.Uint, width: 4 }));
    } else if (cmd === "mem" || cmd === "storage") {
      const space = cmd === "mem" ? vm.memory : vm.storage;
      const [addr, len] = [Number(rest[0]), Number(rest[1])];
      out.push(`${cmd} ${len === 0 ? "-" : hex(space.slice(addr, addr + len))}`);
    } else {
      throw new Error(`ts-vm: unknown command ${line}`);
    }
  }
  return out;
}
