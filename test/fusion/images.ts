// Images for the fusion tests: device apps compiled from the smart-lock
// examples, and an Aryl script (fixtures/paid.aryl) compiled against an ABI.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileAlkyl, compileAryl, type AbiLike } from "../../compiler/compile.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { ROOT } from "../helpers/cli.js";

export function compiledApp(file: string, profile: string): Uint8Array {
  const path = join(ROOT, file);
  const r = compileAlkyl(readFileSync(path, "utf8"), path, { profile: profileByName(profile)! });
  if (!r.ok) throw new Error(`${file} does not compile`);
  return r.bytes;
}

export const LOCK = compiledApp("examples/smartlock/lock.alkyl", "smartlock");
export const LOCK_IMPROVED = compiledApp("examples/smartlock/lock_improved.alkyl", "smartlock");

export const PAID_ARYL = "test/fusion/fixtures/paid.aryl";

/** fixtures/paid.aryl (an On PaymentEvent handler) compiled against `abi` and the smart lock. */
export function paidScript(abi: AbiLike): Uint8Array {
  const path = join(ROOT, PAID_ARYL);
  const lock = compileAlkyl(readFileSync(join(ROOT, "examples/smartlock/lock.alkyl"), "utf8"), "lock.alkyl", { profile: profileByName("smartlock")! });
  if (!lock.ok) throw new Error("lock.alkyl does not compile");
  const r = compileAryl(readFileSync(path, "utf8"), path, { abi, apps: [{ file: "lock.alkyl", image: lock.image }] });
  if (!r.ok) throw new Error(`${PAID_ARYL} does not compile: ${r.diagnostics[0]?.message}`);
  return r.bytes;
}
