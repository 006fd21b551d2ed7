// Images for the fusion tests: the smart-lock examples as device apps, and the
// rental example (examples/rental: its Aryl script compiled against the
// contract's ABI and its lock and meter apps).

import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compileAlkyl, compileAryl, type AbiLike } from "../../compiler/compile.js";
import type { Image } from "../../compiler/ir/image.js";
import { profileByName } from "../../compiler/profiles/profiles.js";
import { ROOT } from "../helpers/cli.js";

function compiled(file: string, profile: string): { file: string; image: Image; bytes: Uint8Array } {
  const path = join(ROOT, file);
  const r = compileAlkyl(readFileSync(path, "utf8"), path, { profile: profileByName(profile)! });
  if (!r.ok) throw new Error(`${file} does not compile: ${r.diagnostics[0]?.message}`);
  return { file: basename(file), image: r.image, bytes: r.bytes };
}

export const LOCK = compiled("examples/smartlock/lock.alkyl", "smartlock").bytes;
export const LOCK_IMPROVED = compiled("examples/smartlock/lock_improved.alkyl", "smartlock").bytes;

export const RENTAL_ARYL = "examples/rental/rental.aryl";
export const RENTAL_LOCK = compiled("examples/rental/lock.alkyl", "smartlock");
export const RENTAL_METER = compiled("examples/rental/meter.alkyl", "meter");

/** examples/rental/rental.aryl compiled against `abi` and the rental's lock and meter. */
export function rentalScript(abi: AbiLike): Uint8Array {
  const path = join(ROOT, RENTAL_ARYL);
  const r = compileAryl(readFileSync(path, "utf8"), path, { abi, apps: [RENTAL_LOCK, RENTAL_METER] });
  if (!r.ok) throw new Error(`${RENTAL_ARYL} does not compile: ${r.diagnostics[0]?.message}`);
  return r.bytes;
}
