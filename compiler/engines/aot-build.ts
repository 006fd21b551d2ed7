// Builds the host link device with an app compiled ahead of time into it
// (backend c-aot, docs/aot.md): the device of buildHostDevice plus the app's
// generated C (compiler/aot/) and vm-c/aot/aot_runtime.c, with device.c's
// invocations routed through alky_aot_call_run. The VM core is compiled once
// into objects (cached by content hash); each app then costs one compile of
// its own C file and a link, cached by the hash of the generated C.

import { existsSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { emitC } from "../aot/emit-c.js";
import {
  BUILD_ROOT,
  cachedDir,
  contentHash,
  DEVICE_HAL_SOURCE,
  DEVICE_INCLUDE_DIRS,
  deviceCoreSources,
  headersOf,
  HOST_DEVICE_FLAGS,
  requireTool,
  run,
  VM_C_DIR,
  type ToolchainOptions,
} from "./firmware-build.js";
import { BoardEmulationError } from "./transport.js";

export const AOT_DIR = join(VM_C_DIR, "aot");
const AOT_RUNTIME_SOURCE = join(AOT_DIR, "aot_runtime.c");

function hostAotFlags(): string[] {
  return [...HOST_DEVICE_FLAGS, `-DALKY_CONFIG_HEADER="config/native.h"`, "-DALKY_DEVICE_CALL_RUN=alky_aot_call_run", `-I${VM_C_DIR}`];
}

/** The objects of everything but the app: VM core, device, HAL, host port, AOT runtime. */
function coreObjects(gcc: string): string[] {
  const flags = hostAotFlags();
  const sources = [...deviceCoreSources(), DEVICE_HAL_SOURCE, join(VM_C_DIR, "port", "host", "main.c"), AOT_RUNTIME_SOURCE];
  const hash = contentHash([gcc, ...flags], [...sources, ...headersOf([...DEVICE_INCLUDE_DIRS, AOT_DIR])]);
  const outDir = join(BUILD_ROOT, "firmware", "host-aot", `core-${hash}`);
  const objects = sources.map((src, i) => `${i}-${basename(src)}.o`);
  cachedDir(outDir, (tmp) => {
    sources.forEach((src, i) => run(gcc, [...flags, "-c", src, "-o", join(tmp, objects[i]!)], `gcc (${basename(src)})`));
  });
  return objects.map((o) => join(outDir, o));
}

/**
 * The host link device running `bytes` (an encoded, verified image) as
 * native code: the path of its executable. Loading another image over the
 * link still works; that one is interpreted.
 */
export function buildHostAotDevice(bytes: Uint8Array, options: ToolchainOptions = {}): string {
  const generated = emitC(bytes);
  if (!generated.ok) throw new BoardEmulationError("build-failed", `AOT translation failed: ${generated.message}`);
  return buildHostAotDeviceFromC(generated.text, options);
}

/** The host link device with a given generated app file (emitC's text); cached by its hash. */
export function buildHostAotDeviceFromC(appC: string, options: ToolchainOptions = {}): string {
  const gcc = requireTool("gcc", "host C compiler", options);
  const objects = coreObjects(gcc);
  const flags = hostAotFlags();
  const hash = contentHash([gcc, ...flags, ...objects, appC], []);
  const outDir = join(BUILD_ROOT, "firmware", "host-aot", `app-${hash}`);
  cachedDir(outDir, (tmp) => {
    const source = join(tmp, "app.c");
    writeFileSync(source, appC);
    run(gcc, [...flags, source, ...objects, "-o", join(tmp, "alky_device")], "gcc (AOT app)");
  });
  const exe = join(outDir, "alky_device");
  if (!existsSync(exe)) throw new BoardEmulationError("build-failed", `the AOT device was not built: ${exe}`);
  return exe;
}
