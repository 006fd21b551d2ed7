// The ahead-of-time back end: a verified image as one C file (docs/aot.md).
// The per-function translation is function.ts; this module lays the file out
// with templates/aot_app.c.hbs. The generated file is compiled with the VM
// core and vm-c/aot/aot_runtime.c into a firmware whose device runs the app's
// invocations as native code when the loaded image is this one.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { IrFunction } from "../ir/image.js";
import { widthBytes } from "../ir/types.js";
import { verifyImage } from "../ir/verify.js";
import { C_TYPE, cFunctionNames, translateFunction } from "./function.js";

const TEMPLATE = join("templates", "aot_app.c.hbs");

/** Symbols of vm-c/aot/aot.h a translated function must not take. */
const RESERVED = ["alky_aot_app_crc", "alky_aot_app_length", "alky_aot_app_invoke", "alky_aot_call_run", "alky_aot_import"];

export interface EmitCOptions {
  /** Where the image came from, for the file's header comment (e.g. the source file name). */
  source?: string;
}

export type EmitCResult = { ok: true; text: string } | { ok: false; message: string };

function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, TEMPLATE))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find ${TEMPLATE} above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let compiled: HandlebarsTemplateDelegate | undefined;

function template(): HandlebarsTemplateDelegate {
  compiled ??= Handlebars.compile(readFileSync(join(repositoryRoot(), TEMPLATE), "utf8"), { noEscape: true, strict: true });
  return compiled;
}

/**
 * The C translation of an encoded image. The image must pass the verifier
 * (the translation relies on every guarantee it gives); a rejected image is
 * reported, not translated.
 */
export function emitC(bytes: Uint8Array, options: EmitCOptions = {}): EmitCResult {
  const verified = verifyImage(bytes);
  if (!verified.ok) return { ok: false, message: `the image does not verify: offset ${verified.error.offset}: ${verified.error.rule}: ${verified.error.message}` };
  const { image, layout } = verified.value;
  const names = cFunctionNames(image, RESERVED);
  const functions = image.functions.map((_, index) => translateFunction({ image, index, names, codeOffset: layout.functionCode[index]! }));
  const crc = bytes[bytes.length - 4]! | (bytes[bytes.length - 3]! << 8) | (bytes[bytes.length - 2]! << 16) | (bytes[bytes.length - 1]! * 0x1000000);
  const text = template()({
    origin: options.source ? `From ${options.source} (profile ${image.profileId}).` : `Profile ${image.profileId}.`,
    length: bytes.length,
    crc: `0x${(crc >>> 0).toString(16).padStart(8, "0")}`,
    memorySize: image.memorySize,
    storageSize: image.storageSize,
    prototypes: functions.map((f) => f.prototype),
    functions: functions.map((f) => f.text),
    dispatchPreamble: image.functions.length === 0 ? ["(void)vm;"] : [],
    cases: image.functions.map((fn, i) => dispatchCase(i, fn, names[i]!)),
  });
  return { ok: true, text };
}

/** One case of alky_aot_app_invoke: arguments from the entry frame, the result to the arena's start. */
function dispatchCase(index: number, f: IrFunction, name: string): string {
  const args = ["vm"];
  let off = 0;
  for (const t of f.locals.slice(0, f.paramCount)) {
    const at = `ALKY_FRAME_HEADER + ${off}`;
    args.push(t.width === 0 ? `vm->stack[${at}]` : t.width === 4 ? `alky_rt_get256(vm->stack + ${at})` : `alky_rt_get${[8, 16, 32, 64][t.width]}(vm->stack + ${at})`);
    off += widthBytes(t.width);
  }
  const head = `    case ${index}: /* ${f.name} */`;
  if (!f.result) return [head, `        return ${name}(${args.join(", ")});`].join("\n");
  const w = f.result.width;
  const store = w === 0 ? "vm->stack[0] = r;" : w === 4 ? "alky_rt_put256(vm->stack, r);" : `alky_rt_put${[8, 16, 32, 64][w]}(vm->stack, r);`;
  return [
    `${head} {`,
    `        ${C_TYPE[w]} r = ${w === 4 ? "{{0}}" : "0"};`,
    `        alky_status st = ${name}(${[...args, "&r"].join(", ")});`,
    "        if (st == ALKY_OK) {",
    `            ${store}`,
    "            vm->result_at = 0;",
    `            vm->result_len = ${widthBytes(w)};`,
    "        }",
    "        return st;",
    "    }",
  ].join("\n");
}
